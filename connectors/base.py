"""The one interface every connector type implements, so the sync service never knows which
type it drives: fetch raw pages (kept as they came, for the archive and for replays), then map
those pages to the submission shape of DESIGN.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class ConnectorError(Exception):
    """A pull that cannot be used. The message names the page (and the line, for CSV) at fault;
    it never contains a credential. ``pages`` are those fetched before the fault, so that the
    hub archives what the feed actually sent (a malformed page included) for diagnosis."""

    def __init__(self, message: str, pages: tuple[Page, ...] = ()) -> None:
        super().__init__(message)
        self.pages = pages


@dataclass(frozen=True)
class Limits:
    """Bounds on one pull, so that a broken or hostile feed costs a failed run, not the hub."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retries: int = 4
    backoff_seconds: float = 0.5
    max_backoff_seconds: float = 30.0
    max_pages: int = 1000
    max_bytes: int = 200 * 1024 * 1024
    # The whole pull, its waits and retries included: without it, a feed answering slowly
    # enough to beat every per-read timeout kept its run going for hours, long past the point
    # where the scheduler takes a silent run for dead.
    max_seconds: float = 900.0


@dataclass(frozen=True)
class Source:
    """Where and how to reach one cluster's feed: the decrypted connector configuration."""

    cluster_code: str
    url: str
    auth: Mapping[str, str] = field(default_factory=lambda: {"type": "none"})
    mapping: Mapping[str, Any] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    # The first request's URL (the period in it) the validators came with: they are sent to that
    # request only, as another period's answer may carry the same ETag (a static file's does).
    validators_url: str | None = None


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, in the order the pages were fetched
    url: str
    content_type: str | None
    body: bytes


@dataclass(frozen=True)
class Pull:
    """The raw result of a fetch. ``not_modified`` means the feed answered 304: no pages.
    ``validators_url`` is the request ``etag`` and ``last_modified`` answer (``Source``'s)."""

    pages: tuple[Page, ...]
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    validators_url: str | None = None

    @property
    def bytes(self) -> int:
        return sum(len(page.body) for page in self.pages)


class Connector(Protocol):
    name: str

    def fetch(self, source: Source, period: str, limits: Limits) -> Pull:
        """Fetch every page of ``source`` for ``period``; raise ConnectorError on any fault."""
        ...

    def to_submission(self, pages: Sequence[Page], source: Source, period: str) -> dict[str, Any]:
        """Map fetched (or archived) pages to one submission document; pure, no network."""
        ...
