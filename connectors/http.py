"""The one HTTP fetch layer every connector type uses, so that timeouts, retries, caps,
conditional requests and the rule that no credential ever reaches a message live in one place."""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Iterable, Mapping
from email.utils import parsedate_to_datetime
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests
import urllib3

from connectors.addresses import FeedAdapter, PrivateAddress
from connectors.base import ConnectorError, Limits, Page, Pull, Source

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
Sleep = Callable[[float], None]
Clock = Callable[[], float]
NextOf = Callable[[Page], str | None]


def shown(url: str) -> str:
    """The URL as messages may show it: without any user:password part."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def place(number: int, url: str) -> str:
    """How every message names a page: its number and its shown URL."""
    return f"page {number} ({shown(url)})"


def page_error(page: Page, message: str, *, line: int | None = None) -> ConnectorError:
    """A structural fault in a fetched page, named by page (and line, for text formats)."""
    at = "" if line is None else f", line {line}"
    return ConnectorError(f"{place(page.number, page.url)}{at}: {message}")


def first_url(url: str, period: str) -> str:
    """The run's period goes where the URL asks for it, else into a ``period`` query parameter."""
    if "{period}" in url:
        return url.replace("{period}", period)
    return url + ("&" if urlsplit(url).query else "?") + urlencode({"period": period})


class FeedSession(requests.Session):
    """Sends the feed's credentials to the feed's own origin only, and follows a redirect off
    the feed's host to a public address only (``connectors.addresses``). requests drops the
    Authorization header on a redirect to another origin; this drops an API key header too (a
    CSV feed redirecting to a storage service is common, and that service must not get the key)."""

    def __init__(self, credential_headers: Iterable[str], feed_url: str) -> None:
        super().__init__()
        self.credential_headers = tuple(credential_headers)
        adapter = FeedAdapter(urlsplit(feed_url).hostname or "")
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        super().rebuild_auth(prepared_request, response)
        if self.should_strip_auth(str(response.request.url), str(prepared_request.url)):
            for name in self.credential_headers:
                prepared_request.headers.pop(name, None)


def session_for(fields: Mapping[str, str], feed_url: str, where: str) -> FeedSession:
    """A session for the feed at ``feed_url``, carrying the credentials in headers only: never
    in a URL a message could show."""
    kind = fields.get("type", "none")
    headers: dict[str, str] = {}
    basic: tuple[str, str] | None = None
    try:
        if kind == "bearer":
            headers["Authorization"] = f"Bearer {fields['token']}"
        elif kind == "api_key":
            headers[fields["header"]] = fields["key"]
        elif kind == "basic":
            basic = (fields["username"], fields["password"])
        elif kind != "none":
            raise ConnectorError(f"{where}: unknown auth type {kind!r}")
    except KeyError as missing:
        raise ConnectorError(f"{where}: auth {kind!r} needs the field {missing.args[0]!r}") from None
    session = FeedSession(headers, feed_url)
    session.headers.update(headers)
    session.auth = basic
    return session


def retry_after(response: requests.Response, limits: Limits) -> float | None:
    """The server's Retry-After (seconds or an HTTP date) as a wait, capped like any backoff; a
    value that is no finite number (``nan``, ``inf``) says nothing, and the usual backoff applies."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), limits.max_backoff_seconds)


UNFETCHABLE = (
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidURL,
)


def refusal(error: requests.RequestException) -> str:
    """Why requests would not complete a request that no retry mends. Never the exception's own
    text: it may quote a header, credential included, or a redirect's URL with a password."""
    if isinstance(error, requests.TooManyRedirects):
        return "the feed redirects in a loop (more than 30 redirects)"
    if isinstance(error, requests.exceptions.InvalidHeader):
        return (
            "a header the hub would send is not a valid HTTP header value: a credential"
            " with a line break or a space at either end?"
        )
    if isinstance(error, UNFETCHABLE):
        return "a redirect led to a URL the hub cannot fetch (not http or https, or malformed)"
    return f"the request failed ({type(error).__name__})"


class Fetcher:
    """Fetches the pages of one pull with one session; ``sleep``, ``rng`` and ``clock`` are
    injected so tests see the waits requested instead of waiting."""

    def __init__(
        self, source: Source, limits: Limits, *, sleep: Sleep, rng: random.Random, clock: Clock
    ) -> None:
        self.source = source
        self.limits = limits
        self.sleep = sleep
        self.rng = rng
        self.clock = clock
        self.deadline = clock() + limits.max_seconds
        self.received = 0

    def _time_left(self, where: str) -> float:
        """The seconds the pull may still take; past its deadline, the pull fails."""
        left = self.deadline - self.clock()
        if left <= 0:
            raise ConnectorError(f"{where}: the pull took longer than {self.limits.max_seconds:g} s")
        return left

    def pull(self, period: str, next_of: NextOf) -> Pull:
        start = first_url(self.source.url, period)
        with session_for(self.source.auth, start, place(1, start)) as session:
            url: str | None = start
            pages: list[Page] = []
            seen: set[str] = set()
            etag = last_modified = None
            try:
                while url is not None:
                    number = len(pages) + 1
                    if url in seen:
                        raise ConnectorError(
                            f"{place(number, url)}: the next link loops to a page already fetched"
                        )
                    if number > self.limits.max_pages:
                        raise ConnectorError(f"{place(number, url)}: more than {self.limits.max_pages} pages")
                    seen.add(url)
                    response = self._get(session, url, number, conditional=url == self.source.validators_url)
                    if response is None:
                        return Pull(
                            pages=(),
                            not_modified=True,
                            etag=self.source.etag,
                            last_modified=self.source.last_modified,
                            validators_url=url,
                        )
                    page, headers, came_from = response
                    if number == 1:
                        etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
                    pages.append(page)
                    following = next_of(page)
                    # RFC 3986: a relative link is relative to where the page came from, after redirects.
                    url = None if following is None else urljoin(came_from, following)
                    if url is not None and session.should_strip_auth(start, url):
                        raise ConnectorError(
                            f"{place(number + 1, url)}: the next link leads away from the feed's host;"
                            " the hub follows next links on that host only, where its credentials go"
                        )
            except ConnectorError as error:
                error.pages = tuple(pages)
                raise
        if len(pages) > 1:
            # The first page's validators say nothing of the pages after it: a feed of several
            # pages is fetched whole every time, or a change on a later page would be a 304.
            etag = last_modified = None
        validators_url = start if etag or last_modified else None
        return Pull(pages=tuple(pages), etag=etag, last_modified=last_modified, validators_url=validators_url)

    def _get(
        self, session: requests.Session, url: str, number: int, *, conditional: bool
    ) -> tuple[Page, requests.structures.CaseInsensitiveDict[str], str] | None:
        """The page at ``url``, its headers and the URL it came from; None if not modified."""
        headers = {}
        if conditional and self.source.etag:
            headers["If-None-Match"] = self.source.etag
        if conditional and self.source.last_modified:
            headers["If-Modified-Since"] = self.source.last_modified
        where = place(number, url)
        attempts = self.limits.retries + 1
        for attempt in range(1, attempts + 1):
            wait: float | None = None
            left = self._time_left(where)
            try:
                response = session.get(
                    url,
                    headers=headers,
                    stream=True,
                    timeout=(min(self.limits.connect_timeout, left), min(self.limits.read_timeout, left)),
                )
            except PrivateAddress as refused:
                raise ConnectorError(f"{where}: {refused}") from None
            except requests.Timeout:
                fault = "timed out"
            except requests.ConnectionError:
                fault = "could not connect"
            except requests.RequestException as error:
                raise ConnectorError(f"{where}: {refusal(error)}") from None
            else:
                with response:
                    if response.status_code == 304:
                        if headers:
                            log.info("%s: not modified", where)
                            return None
                        # Not modified since what? The hub holds nothing it could keep instead.
                        raise ConnectorError(
                            f"{where}: HTTP 304 (not modified), though the hub sent no validator"
                        )
                    if response.status_code < 400:
                        body = self._read(response, where)
                        if body is not None:
                            log.debug("%s: %d bytes", where, len(body))
                            content_type = response.headers.get("Content-Type")
                            return Page(number, url, content_type, body), response.headers, response.url
                        fault = "the body was cut off or timed out"
                    elif response.status_code >= 500 or response.status_code == 429:
                        fault = f"HTTP {response.status_code}"
                        wait = retry_after(response, self.limits)
                    elif response.status_code in (401, 403):
                        raise ConnectorError(
                            f"{where}: HTTP {response.status_code}: the feed refused the credentials"
                        )
                    else:
                        raise ConnectorError(f"{where}: HTTP {response.status_code}")
            if attempt == attempts:
                raise ConnectorError(f"{where}: {fault}; gave up after {attempts} attempts")
            if wait is None:
                wait = self.rng.uniform(0, self._ceiling(attempt))
            if self.clock() + wait >= self.deadline:
                spent = f"the pull's {self.limits.max_seconds:g} s would run out before a retry"
                raise ConnectorError(f"{where}: {fault}; gave up: {spent}")
            log.warning(
                "%s: %s (attempt %d of %d); retrying in %.2f s", where, fault, attempt, attempts, wait
            )
            self.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _ceiling(self, attempt: int) -> float:
        """Full jitter: the wait after ``attempt`` is drawn below a doubling, capped ceiling."""
        return min(self.limits.max_backoff_seconds, self.limits.backoff_seconds * 2 ** (attempt - 1))

    def _read(self, response: requests.Response, where: str) -> bytes | None:
        """The body, counted against the byte cap as it streams in; None if the read broke."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and self.received + int(declared) > self.limits.max_bytes:
            raise ConnectorError(f"{where}: the pull would exceed {self.limits.max_bytes} bytes")
        chunks = []
        try:
            # read1: what one read of the socket brings, so that a body dripping in slowly is
            # held to the pull's deadline read by read (iter_content waits for whole chunks).
            while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
                self.received += len(chunk)
                if self.received > self.limits.max_bytes:
                    raise ConnectorError(f"{where}: the pull exceeds {self.limits.max_bytes} bytes")
                self._time_left(where)
                chunks.append(chunk)
        except (urllib3.exceptions.HTTPError, OSError):  # cut off, timed out, undecodable
            self.received -= sum(len(chunk) for chunk in chunks)
            return None
        return b"".join(chunks)


def fetch(
    source: Source,
    period: str,
    limits: Limits,
    next_of: NextOf,
    *,
    sleep: Sleep,
    rng: random.Random,
    clock: Clock = time.monotonic,
) -> Pull:
    """Fetch every page of ``source`` for ``period``, following ``next_of`` from page to page."""
    return Fetcher(source, limits, sleep=sleep, rng=rng, clock=clock).pull(period, next_of)


class HttpConnector:
    """What every type shares: fetching through this layer. ``sleep``, ``rng`` and ``clock``
    are injected so tests see the waits requested instead of waiting."""

    name = ""

    def __init__(
        self, *, sleep: Sleep = time.sleep, rng: random.Random | None = None, clock: Clock = time.monotonic
    ) -> None:
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.clock = clock

    def next_of(self, page: Page) -> str | None:
        """The link to the page after ``page``; a single-file feed has none."""
        return None

    def fetch(self, source: Source, period: str, limits: Limits) -> Pull:
        return fetch(source, period, limits, self.next_of, sleep=self.sleep, rng=self.rng, clock=self.clock)
