"""Keep-alive connections spread evenly over gunicorn's worker processes.

A keep-alive connection stays with the worker that accepted it. When clients connect at once
(a burst, a proxy opening its pool, a load test) one worker can take most of them: measured
with 20 clients on 2 workers, 20–0 and 18–4 splits, where the busy worker's clients waited
twice as long as they would on an even split and, in the 20–0 case, one core stood idle.

The master keeps one counter of open connections per worker in shared memory (one slot per
worker, given in ``pre_fork`` and freed in ``child_exit``); each worker counts its own. A worker
that holds clearly more than its even share answers the current request with ``Connection: close``:
the client reconnects and the connection goes to whichever worker is waiting in accept —
usually the less busy one. At an even split nothing is closed. No library does this for
gunicorn; it is these few lines.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
from typing import Any

SLOTS = 256  # the most workers `kinerja serve` allows
FREE = -1

_counts: Any = None  # the shared counters: created in the master, inherited by every worker
_slot: int | None = None  # this worker's slot (set in the worker after the fork)


def _shared_counts() -> Any:
    global _counts
    if _counts is None:
        _counts = multiprocessing.RawArray(ctypes.c_int, [FREE] * SLOTS)
    return _counts


def assign_slot(server: Any, worker: Any) -> None:
    """gunicorn's ``pre_fork`` hook, in the master: the new worker's counter."""
    counts = _shared_counts()
    taken = {getattr(other, "balance_slot", None) for other in server.WORKERS.values()}
    free = next((slot for slot in range(SLOTS) if slot not in taken), None)
    worker.balance_slot = free
    if free is not None:
        counts[free] = 0


def release_slot(server: Any, worker: Any) -> None:
    """gunicorn's ``child_exit`` hook, in the master: a dead worker holds no connections."""
    slot = getattr(worker, "balance_slot", None)
    if slot is not None and _counts is not None:
        _counts[slot] = FREE


def start_worker(slot: int | None) -> None:
    """In the worker after the fork: count under ``slot`` (None: this worker does not take
    part, e.g. started without the hooks)."""
    global _slot
    _slot = slot if _counts is not None else None


def opened() -> None:
    if _slot is not None:
        _counts[_slot] += 1  # only this worker writes its slot


def closed() -> None:
    if _slot is not None:
        _counts[_slot] -= 1


def over_share() -> bool:
    """This worker holds clearly more connections than an even split would give it: more than
    its share and a fifth (at least one) more, so that a split such as 11 and 9 does not send
    connections back and forth (each reconnection costs the client a new connection's wait)."""
    if _slot is None:
        return False
    counts = _counts[:]
    return bool(counts[_slot] > allowed(counts))


def room() -> int:
    """How many waiting connections this worker should accept at once: as many as it can take
    before it is over its share, and at least one (a worker over its share still accepts one
    at a time, so that nobody waits for a worker that may be gone)."""
    if _slot is None:
        return 1
    counts = _counts[:]
    return max(1, allowed(counts) - counts[_slot])


def allowed(counts: list[int]) -> int:
    """The connections a worker may hold before it closes one, given every slot's count."""
    alive = [count for count in counts if count != FREE]
    share = math.ceil(sum(alive) / len(alive)) if alive else 0
    return share + max(1, share // 5)
