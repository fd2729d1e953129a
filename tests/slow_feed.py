"""A feed that answers, but too slowly to be of use: every read is well within any read
timeout, only the whole pull's deadline can end it."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any


def dripping(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """A byte every tenth of a second for ten seconds. Its length is declared: the body is
    not chunked, so nothing delimits what arrives but time."""
    start_response("200 OK", [("Content-Type", "text/csv"), ("Content-Length", "100")])
    for _ in range(100):
        time.sleep(0.1)
        yield b"x"
