"""A feed's server that keeps what it was asked, for tests of where requests go."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class Recorder:
    """A feed's server on a loopback port of its own (another origin than any other), keeping
    the headers of every request it gets; ``answer(path)`` gives (status, headers, body)."""

    def __init__(self, answer: Callable[[str], tuple[str, list[tuple[str, str]], bytes]]) -> None:
        self.answer = answer
        self.received: list[dict[str, str]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.received.append(
            {k[5:].replace("_", "-").title(): v for k, v in environ.items() if k.startswith("HTTP_")}
        )
        status, headers, body = self.answer(environ["PATH_INFO"])
        start_response(status, headers)
        return [body]
