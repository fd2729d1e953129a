"""A WSGI application served on a loopback port from a background thread: the demo talks
to the hub, and tests talk to the demo feeds, over real HTTP without a second process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


class LoopbackServer:
    def __init__(self, app: Any, *, port: int = 0) -> None:
        self._server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, name="loopback", daemon=True)
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def serving(app: Any, *, port: int = 0) -> Iterator[LoopbackServer]:
    server = LoopbackServer(app, port=port)
    try:
        yield server
    finally:
        server.stop()
