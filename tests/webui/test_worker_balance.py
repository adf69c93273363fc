"""Keep-alive connections spread over gunicorn's workers: the shared counters and the rule
that tells a worker to close a connection (webui/worker_balance.py)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from webui import worker_balance


@pytest.fixture
def counters(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fresh shared counters, as a master has them before its first worker."""
    monkeypatch.setattr(worker_balance, "_counts", None)
    monkeypatch.setattr(worker_balance, "_slot", None)
    yield


def _master_with(workers: int) -> tuple[SimpleNamespace, list[SimpleNamespace]]:
    server = SimpleNamespace(WORKERS={})
    made = []
    for pid in range(100, 100 + workers):
        worker = SimpleNamespace()
        worker_balance.assign_slot(server, worker)
        server.WORKERS[pid] = worker
        made.append(worker)
    return server, made


def test_each_worker_gets_its_own_slot_and_a_dead_one_frees_it(counters: None) -> None:
    server, (first, second, third) = _master_with(3)
    assert [first.balance_slot, second.balance_slot, third.balance_slot] == [0, 1, 2]
    assert worker_balance._counts[:3] == [0, 0, 0]
    assert worker_balance._counts[3] == worker_balance.FREE
    worker_balance.release_slot(server, second)  # a worker died: its slot is free again
    del server.WORKERS[101]
    assert worker_balance._counts[1] == worker_balance.FREE
    replacement = SimpleNamespace()
    worker_balance.assign_slot(server, replacement)
    assert replacement.balance_slot == 1 and worker_balance._counts[1] == 0


def test_a_worker_over_its_share_closes_one_at_an_even_split_none(counters: None) -> None:
    _, (mine, other) = _master_with(2)
    worker_balance.start_worker(mine.balance_slot)
    counts = worker_balance._counts
    for _ in range(18):
        worker_balance.opened()
    counts[other.balance_slot] = 2
    assert counts[mine.balance_slot] == 18
    assert worker_balance.over_share()  # 18 of 20 where 10 is the share
    for _ in range(6):
        worker_balance.closed()
    counts[other.balance_slot] = 8  # the six went to the other worker: 12 and 8
    assert not worker_balance.over_share()  # within a fifth of the share: left alone


def test_a_worker_accepts_what_it_can_take_before_it_is_over_its_share(counters: None) -> None:
    assert worker_balance.room() == 1  # not counting (no hooks): one at a time
    _, (mine, other) = _master_with(2)
    worker_balance.start_worker(mine.balance_slot)
    counts = worker_balance._counts
    counts[other.balance_slot] = 10
    assert worker_balance.room() == 6  # 10 in all: a share of 5, and one more allowed
    counts[mine.balance_slot] = 6
    assert worker_balance.room() == 3  # 16 in all: 8 and one more, 6 held
    counts[mine.balance_slot], counts[other.balance_slot] = 12, 2
    assert worker_balance.room() == 1  # over its share: still one at a time


@pytest.mark.parametrize(("counts", "allowed"), [
    ([10, 10], 12), ([11, 9], 12), ([1, 0], 2), ([0, 0], 1), ([50, 50], 60),
    ([3, 3, 3, worker_balance.FREE], 4)])
def test_how_many_a_worker_may_hold(counts: list[int], allowed: int) -> None:
    assert worker_balance.allowed(counts) == allowed


def test_a_worker_started_without_the_hooks_never_closes_a_connection(counters: None) -> None:
    worker_balance.start_worker(None)
    worker_balance.opened()
    assert not worker_balance.over_share()
    assert worker_balance._counts is None


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork() with the suite's threads
def test_the_counters_are_shared_with_a_forked_worker(counters: None) -> None:
    """A worker counts in memory its master (and every other worker) reads."""
    context = multiprocessing.get_context("fork")
    _, (worker,) = _master_with(1)

    def count_three(slot: int) -> None:
        worker_balance.start_worker(slot)
        for _ in range(3):
            worker_balance.opened()

    child = context.Process(target=count_three, args=(worker.balance_slot,))
    child.start()
    child.join(30)
    assert child.exitcode == 0
    assert worker_balance._counts[worker.balance_slot] == 3


def test_served_connections_wait_their_turn_in_the_order_they_came() -> None:
    import gevent

    from webui.gevent_worker import _Rounds

    rounds = _Rounds()
    order: list[str] = []

    def connection(name: str) -> None:
        for _ in range(3):
            order.append(name)
            rounds.wait_turn()

    gevent.joinall([gevent.spawn(connection, name) for name in "abc"], timeout=10)
    assert "".join(order) == "abcabcabc"


def test_a_socket_ready_meanwhile_is_read_before_the_next_round() -> None:
    """sleep(0) would give a busy connection all its turns before the hub polls the sockets
    (gevent runs up to 50 queued callbacks first); rounds start only after a poll."""
    import gevent
    from gevent import socket

    from webui.gevent_worker import _Rounds

    rounds = _Rounds()
    order: list[str] = []
    left, right = socket.socketpair()

    def reader() -> None:
        left.recv(3)  # nothing yet: waits for the hub to see the bytes
        order.append("read")

    def busy() -> None:
        for turn in range(5):
            if turn == 0:
                right.sendall(b"GET")  # a request arrives while this connection is served
            order.append(f"busy {turn}")
            rounds.wait_turn()

    try:
        gevent.joinall([gevent.spawn(reader), gevent.spawn(busy)], timeout=10)
    finally:
        left.close()
        right.close()
    assert order.index("read") <= 2, order
