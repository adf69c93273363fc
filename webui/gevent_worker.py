"""gunicorn's gevent worker on gevent's WSGI server, made fair between connections.

Imported by gunicorn (``worker_class``) in the workers only where gevent is installed.

Two changes to gunicorn's ``gevent_pywsgi`` worker, both measured:

* A connection yields after each request. gevent reads a keep-alive connection's next request
  without switching when it has already arrived, so a quick client could be served again and
  again while the other connections of the worker waited (p50 30 ms, p95 over a second at 20
  clients). After the yield, every waiting connection gets its turn first.
* One connection accepted at a time. gevent's server accepts up to 100 waiting connections each
  time its loop comes round, so a worker back from one evaluation would take every connection
  that queued meanwhile while the other worker idled; one at a time leaves the rest in the
  kernel's queue for whichever worker is free.

gevent_pywsgi rather than gunicorn's own gevent handler: the latter answered a lone client in
about four times the worker's CPU time.
"""

from __future__ import annotations

from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventPyWSGIWorker, PyWSGIHandler, PyWSGIServer


class FairHandler(PyWSGIHandler):  # type: ignore[misc]
    def handle_one_request(self) -> Any:
        gevent.sleep(0)  # the other connections' requests first
        return super().handle_one_request()


class OneAcceptServer(PyWSGIServer):  # type: ignore[misc]
    max_accept = 1


class Worker(GeventPyWSGIWorker):  # type: ignore[misc]
    server_class = OneAcceptServer
    wsgi_handler = FairHandler
