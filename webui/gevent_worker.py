"""gunicorn's gevent worker on gevent's WSGI server, made fair between connections.

Imported by gunicorn (``worker_class``) in the workers only where gevent is installed.

Four changes to gunicorn's ``gevent_pywsgi`` worker, each measured:

* Turns in rounds. gevent reads a keep-alive connection's next request without switching when
  it has already arrived, so a quick client could be served again and again while the other
  connections of the worker waited (p50 30 ms, p95 over a second at 20 clients). A connection
  that has been served now waits for the next round (:class:`_Rounds`): every waiting
  connection gets its turn first, and new connections are accepted and read in between.
* Connections accepted by share. gevent's server accepts up to 100 waiting connections each
  time its loop comes round, so a worker back from one evaluation would take every connection
  that queued meanwhile while the other worker idled; one at a time left new connections
  waiting a whole round of the loop each under load. A worker now accepts as many as it can
  take before it is over its share (:func:`webui.worker_balance.room`), at least one.
* Time limits (:class:`Timeouts`): gevent's server waits for ever on a silent, half-sent or
  idle keep-alive connection.
* Connections spread evenly over the workers (:mod:`webui.worker_balance`): a worker holding
  more than its share closes a connection after answering, with ``Connection: close``.

gevent_pywsgi rather than gunicorn's own gevent handler: the latter answered a lone client in
about four times the worker's CPU time.
"""

from __future__ import annotations

from typing import Any

import gevent
from gevent.event import Event
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler, PyWSGIServer

from webui import worker_balance


class _Rounds:
    """Turns in rounds: a connection that has been served waits for the next round, which
    starts once the hub has polled the sockets; the waiting connections then go in the order
    they came (a first-in, first-out queue, so nobody is served twice before another's turn).

    Why not ``sleep(0)``: it queues a callback, and gevent runs up to 50 queued callbacks (50
    evaluations) before it looks at the sockets again, so new connections waited seconds under
    load to be accepted and read. Why not a timer each: timers due at the same time fire in
    heap order, not first-in first-out, which widened the spread of waiting times."""

    def __init__(self) -> None:
        self._next: Event | None = None

    def wait_turn(self) -> None:
        if self._next is None:
            self._next = Event()
            timer = gevent.get_hub().loop.timer(0)  # due after the hub's next poll
            timer.start(self._start, self._next, timer)
        self._next.wait()

    def _start(self, event: Event, timer: Any) -> None:
        timer.close()
        if self._next is event:
            self._next = None
        event.set()  # wakes the waiters in the order they came


_rounds = _Rounds()


class Timeouts:
    """How long a connection may keep a worker's socket without sending what it must (gevent's
    server has no limits of its own: a silent, half-sent or idle connection stayed open for
    ever, and 1,000 of them filled a worker).

    ``idle``: seconds a keep-alive connection may wait before its next request (gunicorn's
    ``keepalive``); ``head``: seconds a client has to send a request's line and headers, and
    the most a read or write may wait for the other side (``SERVER_CHANNEL_TIMEOUT``)."""

    idle: float = 5.0
    head: float = 30.0


def configure(*, head: float) -> None:
    """Set in the master before the workers fork (``idle`` each worker takes from gunicorn's
    own ``keepalive`` setting when it starts)."""
    Timeouts.head = float(head)


class _HeadTooSlow(Exception):
    """The request's headers did not arrive within ``Timeouts.head``."""


_REQUEST_TIMEOUT = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                    b"Content-Type: text/plain\r\nContent-Length: 35\r\n\r\n"
                    b"The request's headers came too slow")


class FairHandler(PyWSGIHandler):  # type: ignore[misc]
    requests_served = 0

    def handle(self) -> Any:
        worker_balance.opened()
        self.socket.settimeout(Timeouts.head)  # a client that stops reading or writing
        try:
            return super().handle()
        finally:
            worker_balance.closed()

    def read_requestline(self) -> str:
        # a new connection has the head's time to send its first line; an idle one, keepalive's
        wait = Timeouts.head if self.requests_served <= 1 else Timeouts.idle
        with gevent.Timeout(wait, False):
            return str(super().read_requestline())
        return ""  # nothing in time: the connection is closed without an answer

    def read_request(self, requestline: str) -> Any:
        with gevent.Timeout(Timeouts.head, _HeadTooSlow):
            return super().read_request(requestline)

    def _handle_client_error(self, error: BaseException) -> Any:
        if isinstance(error, _HeadTooSlow):
            self.close_connection = True
            return "408", _REQUEST_TIMEOUT
        return super()._handle_client_error(error)

    def handle_one_request(self) -> Any:
        if self.requests_served:  # a new connection's first request has waited its turn
            _rounds.wait_turn()  # the other connections' requests first
        self.requests_served += 1
        return super().handle_one_request()

    def start_response(self, status: str, headers: list[tuple[str, str]],
                       exc_info: Any = None) -> Any:
        if worker_balance.over_share() and not any(
                name.lower() == "connection" for name, _ in headers):
            headers = [*headers, ("Connection", "close")]  # gevent then closes after the body
        return super().start_response(status, headers, exc_info)


class ShareAcceptServer(PyWSGIServer):  # type: ignore[misc]
    @property
    def max_accept(self) -> int:  # read by gevent each time the listening socket is ready
        return worker_balance.room()

    @max_accept.setter
    def max_accept(self, _value: int) -> None:  # gevent sets 1 for several processes: ours rules
        pass


class Worker(GeventPyWSGIWorker):  # type: ignore[misc]
    server_class = ShareAcceptServer
    wsgi_handler = FairHandler

    def init_process(self) -> None:
        worker_balance.start_worker(getattr(self, "balance_slot", None))
        Timeouts.idle = float(self.cfg.keepalive)
        super().init_process()
