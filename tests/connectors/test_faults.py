"""Feed faults a real server cannot produce on demand, each one a clear ConnectorError (or a
retry that succeeds), with the waits the connector asked for recorded instead of slept."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import responses

import connectors
from connectors.base import Connector, ConnectorError, Limits, Source
from hub.loopback import serving
from tests.connectors.recorder import Recorder

URL = "https://feed.example/afpc"
FIRST = f"{URL}?period=2024"
PERIOD = "2024"


@pytest.fixture
def feed() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> list[float]:
    return []


def _connector(sleeps: list[float], kind: str = "feed_json") -> Connector:
    return connectors.get(kind, sleep=sleeps.append, rng=random.Random(7))


def _page(next_url: str | None = None, value: int = 1) -> str:
    return json.dumps(
        {
            "period": PERIOD,
            "observations": [{"indicator": "EVENTS", "value": value}],
            "members": [],
            "next": next_url,
        }
    )


def _fetch(sleeps: list[float], limits: Limits | None = None, kind: str = "feed_json", **source: Any) -> Any:
    return _fetch_from(sleeps, URL, limits, kind, **source)


def _fetch_from(
    sleeps: list[float], url: str, limits: Limits | None = None, kind: str = "feed_json", **source: Any
) -> Any:
    return _connector(sleeps, kind).fetch(Source("c", url, **source), PERIOD, limits or Limits())


def test_a_connect_error_is_retried_then_the_pull_succeeds(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, body=requests.ConnectionError("refused"))
    feed.get(FIRST, body=_page())

    pull = _fetch(sleeps)

    assert len(pull.pages) == 1
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= Limits().backoff_seconds


class Jitter(random.Random):
    """Records the range of every wait it draws."""

    def __init__(self) -> None:
        super().__init__(7)
        self.ranges: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.ranges.append((a, b))
        return super().uniform(a, b)


def test_backoff_is_full_jitter_below_a_doubling_ceiling(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, body=requests.ConnectionError("refused"))
    limits = Limits(retries=5, backoff_seconds=1.0, max_backoff_seconds=6.0)
    jitter = Jitter()

    with pytest.raises(ConnectorError):
        connectors.get("feed_json", sleep=sleeps.append, rng=jitter).fetch(Source("c", URL), PERIOD, limits)

    assert jitter.ranges == [(0, 1.0), (0, 2.0), (0, 4.0), (0, 6.0), (0, 6.0)]
    assert all(low <= wait <= high for wait, (low, high) in zip(sleeps, jitter.ranges, strict=True))


def test_a_503_with_retry_after_seconds_waits_as_told(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, status=503, headers={"Retry-After": "7"})
    feed.get(FIRST, body=_page())

    pull = _fetch(sleeps)

    assert len(pull.pages) == 1
    assert sleeps == [7.0]


def test_a_429_with_retry_after_as_a_date_waits_no_longer_than_the_cap(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, status=429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    feed.get(FIRST, body=_page())

    _fetch(sleeps, Limits(max_backoff_seconds=12.0))

    assert sleeps == [12.0]


def test_a_retry_after_date_already_past_waits_nothing(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    feed.get(FIRST, body=_page())

    _fetch(sleeps)

    assert sleeps == [0.0]


@pytest.mark.parametrize("value", ["nan", "inf"])
def test_a_retry_after_that_is_no_finite_number_waits_the_usual_backoff(
    sleeps: list[float], value: str
) -> None:
    answers = iter(
        [("503 Service Unavailable", [("Retry-After", value)], b""), ("200 OK", [], _page().encode())]
    )
    with serving(Recorder(lambda _path: next(answers))) as server:
        pull = _fetch_from(sleeps, f"{server.url}/feed")

    assert len(pull.pages) == 1
    assert len(sleeps) == 1 and 0 <= sleeps[0] <= Limits().backoff_seconds


@pytest.mark.parametrize("status", [500, 502, 504, 507])
def test_every_5xx_is_retried(feed: responses.RequestsMock, sleeps: list[float], status: int) -> None:
    feed.get(FIRST, status=status)
    feed.get(FIRST, body=_page())

    assert len(_fetch(sleeps).pages) == 1
    assert len(sleeps) == 1


def test_retries_are_bounded_and_the_message_counts_the_attempts(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, status=503)

    with pytest.raises(
        ConnectorError,
        match=r"page 1 \(https://feed.example/afpc\?period=2024\): HTTP 503; gave up after 3 attempts",
    ):
        _fetch(sleeps, Limits(retries=2))

    assert len(sleeps) == 2
    assert len(feed.calls) == 3


def test_a_read_timeout_is_retried_then_fails(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=requests.ReadTimeout("slow"))

    with pytest.raises(ConnectorError, match=r"page 1 .*: timed out; gave up after 2 attempts"):
        _fetch(sleeps, Limits(retries=1))


def test_timeouts_come_from_the_limits(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=_page())

    _fetch(sleeps, Limits(connect_timeout=1.5, read_timeout=9.0))

    assert feed.calls[0].request.req_kwargs["timeout"] == (1.5, 9.0)


class Clock:
    """Time as the connector sees it: moved on by its waits, and by the feed's slowness."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _timed(clock: Clock, limits: Limits) -> Any:
    connector = connectors.get("feed_json", sleep=clock.sleep, rng=random.Random(7), clock=clock)
    return connector.fetch(Source("c", URL), PERIOD, limits)


def test_retries_stop_before_a_wait_would_outlast_the_pull(feed: responses.RequestsMock) -> None:
    feed.get(FIRST, status=503)
    clock = Clock()

    with pytest.raises(ConnectorError, match=r"page 1 .*: HTTP 503; gave up: the pull's 10 s would run out"):
        _timed(clock, Limits(retries=50, backoff_seconds=1.0, max_backoff_seconds=4.0, max_seconds=10.0))

    assert 0 < clock.now < 10.0


def test_a_pull_out_of_time_fails_at_the_page_it_reached(feed: responses.RequestsMock) -> None:
    clock = Clock()

    def slow(number: int) -> Any:
        def answer(request: Any) -> tuple[int, dict[str, str], str]:
            clock.sleep(4.0)
            return 200, {}, _page(f"{URL}?page={number + 1}")

        return answer

    feed.add_callback(responses.GET, FIRST, callback=slow(1))
    for number in range(2, 6):
        feed.add_callback(responses.GET, f"{URL}?page={number}", callback=slow(number))

    with pytest.raises(
        ConnectorError, match=r"page 3 \(.*\?page=3\): the pull took longer than 10 s"
    ) as failed:
        _timed(clock, Limits(max_seconds=10.0))

    assert len(failed.value.pages) == 2


def test_timeouts_shrink_to_the_time_the_pull_has_left(feed: responses.RequestsMock) -> None:
    feed.get(FIRST, body=_page())

    _timed(Clock(), Limits(connect_timeout=5.0, read_timeout=30.0, max_seconds=8.0))

    assert feed.calls[0].request.req_kwargs["timeout"] == (5.0, 8.0)


def test_more_pages_than_the_cap_fail(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=_page(f"{URL}?page=2"))
    for number in range(2, 6):
        feed.get(f"{URL}?page={number}", body=_page(f"?page={number + 1}"))

    with pytest.raises(
        ConnectorError, match=r"page 4 \(https://feed.example/afpc\?page=4\): more than 3 pages"
    ):
        _fetch(sleeps, Limits(max_pages=3))


def test_a_next_link_back_to_a_fetched_page_fails(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=_page(f"{URL}?page=2"))
    feed.get(f"{URL}?page=2", body=_page(FIRST))

    with pytest.raises(ConnectorError, match=r"page 3 .*: the next link loops to a page already fetched"):
        _fetch(sleeps)


def test_relative_and_absolute_next_links_are_both_followed(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, body=_page("afpc?page=2", value=1))
    feed.get(f"{URL}?page=2", body=_page(f"{URL}?page=3", value=2))
    feed.get(f"{URL}?page=3", body=_page(None, value=3))
    connector = _connector(sleeps)
    source = Source("c", URL)

    pull = connector.fetch(source, PERIOD, Limits())

    values = [row["value"] for row in connector.to_submission(pull.pages, source, PERIOD)["observations"]]
    assert values == [1, 2, 3]


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("/feed", "the feed redirects in a loop"),
        ("ftp://files.example/afpc.json", "a redirect led to a URL the hub cannot fetch"),
    ],
    ids=["redirect-loop", "redirect-to-ftp"],
)
def test_a_redirect_no_retry_mends_fails_at_once_saying_why(
    sleeps: list[float], location: str, message: str
) -> None:
    moved = Recorder(lambda _path: ("302 Found", [("Location", location)], b""))
    with serving(moved) as server, pytest.raises(ConnectorError, match=rf"^page 1 .*: {message}"):
        _fetch_from(sleeps, f"{server.url}/feed")

    assert sleeps == []


def test_a_relative_next_link_is_read_against_the_url_the_page_came_from(sleeps: list[float]) -> None:
    def answer(path: str) -> tuple[str, list[tuple[str, str]], bytes]:
        if path == "/feed":
            return "301 Moved Permanently", [("Location", "/v2/feed")], b""
        pages = {"/v2/feed": _page("page2", value=1), "/v2/page2": _page(None, value=2)}
        return ("200 OK", [], pages[path].encode()) if path in pages else ("404 Not Found", [], b"")

    with serving(Recorder(answer)) as server:
        pull = _fetch_from(sleeps, f"{server.url}/feed")

    assert [page.body for page in pull.pages] == [
        _page("page2", value=1).encode(),
        _page(None, value=2).encode(),
    ]


def test_a_next_link_read_against_a_redirect_s_target_must_still_stay_on_the_feed_s_host(
    sleeps: list[float],
) -> None:
    with serving(Recorder(lambda _path: ("200 OK", [], _page("page2").encode()))) as elsewhere:
        moved = Recorder(lambda _path: ("302 Found", [("Location", f"{elsewhere.url}/v2/feed")], b""))
        with (
            serving(moved) as server,
            pytest.raises(ConnectorError, match=r"^page 2 .*: the next link leads away from the feed's host"),
        ):
            _fetch_from(sleeps, f"{server.url}/feed")


def test_malformed_json_names_the_page(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=_page(f"{URL}?page=2"))
    feed.get(f"{URL}?page=2", body='{"period": "2024", "observations": [')

    with pytest.raises(ConnectorError, match=r"page 2 \(https://feed.example/afpc\?page=2\): malformed JSON"):
        _fetch(sleeps)


def test_a_401_fails_at_once_saying_the_credentials_were_refused(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, status=401)

    with pytest.raises(ConnectorError, match=r"page 1 .*: HTTP 401: the feed refused the credentials"):
        _fetch(sleeps, auth={"type": "bearer", "token": "t0ken"})

    assert sleeps == []
    assert len(feed.calls) == 1


def test_other_4xx_fail_at_once(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, status=404)

    with pytest.raises(ConnectorError, match=r"page 1 .*: HTTP 404$"):
        _fetch(sleeps)

    assert sleeps == []


def test_a_304_on_the_first_page_is_not_modified(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, status=304)

    pull = _fetch(sleeps, etag='"v1"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT", validators_url=FIRST)

    assert pull.not_modified and pull.pages == ()
    assert feed.calls[0].request.headers["If-None-Match"] == '"v1"'
    assert feed.calls[0].request.headers["If-Modified-Since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_a_304_to_a_request_that_sent_no_validator_is_a_fault_not_a_feed_unchanged(
    sleeps: list[float],
) -> None:
    with (
        serving(Recorder(lambda _path: ("304 Not Modified", [], b""))) as server,
        pytest.raises(
            ConnectorError, match=r"^page 1 .*: HTTP 304 \(not modified\), though the hub sent no validator"
        ),
    ):
        _fetch_from(sleeps, f"{server.url}/feed")


def test_a_304_on_a_later_page_is_a_fault_of_that_page_not_a_feed_unchanged(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(FIRST, body=_page(next_url=f"{URL}/2"))
    feed.get(f"{URL}/2", status=304)

    with pytest.raises(ConnectorError, match=r"^page 2 "):
        _fetch(sleeps, etag='"v1"', validators_url=FIRST)


def test_a_pull_returns_the_first_pages_validators(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=_page(), headers={"ETag": '"v2"', "Last-Modified": "Thu, 22 Oct 2015 07:28:00 GMT"})

    pull = _fetch(sleeps)

    assert (pull.etag, pull.last_modified) == ('"v2"', "Thu, 22 Oct 2015 07:28:00 GMT")
    assert pull.validators_url == FIRST


def test_validators_are_sent_only_to_the_request_they_answer(sleeps: list[float]) -> None:
    served = Recorder(lambda _path: ("200 OK", [("ETag", '"v1"')], _page().encode()))
    with serving(served) as server:
        _fetch_from(
            sleeps, f"{server.url}/feed", etag='"v1"', validators_url=f"{server.url}/feed?period=2023"
        )

    assert "If-None-Match" not in served.received[0]


def test_the_period_fills_a_placeholder_in_the_url(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get("https://feed.example/2024/data.csv", body="indicator,value\nEVENTS,3\n")

    pull = _connector(sleeps, "csv").fetch(
        Source("c", "https://feed.example/{period}/data.csv"), PERIOD, Limits()
    )

    assert pull.pages[0].url == "https://feed.example/2024/data.csv"


def test_the_period_joins_a_query_the_url_already_has(
    feed: responses.RequestsMock, sleeps: list[float]
) -> None:
    feed.get(f"{URL}?format=json&period=2024", body=_page())

    pull = _fetch_from(sleeps, f"{URL}?format=json")

    assert pull.pages[0].url == f"{URL}?format=json&period=2024"


def test_a_truncated_csv_names_the_page_and_line(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body="indicator,value,funder\nPROJECTS_FUNDED,3,ANR\nPROJECTS_FUNDED,4")
    connector = _connector(sleeps, "csv")
    source = Source("c", URL)
    pull = connector.fetch(source, PERIOD, Limits())

    with pytest.raises(ConnectorError, match=r"page 1 \(.*\), line 3: expected 3 fields, found 2"):
        connector.to_submission(pull.pages, source, PERIOD)


def test_a_mis_encoded_csv_names_the_page_and_line(feed: responses.RequestsMock, sleeps: list[float]) -> None:
    feed.get(FIRST, body=b"indicator,value\nEVENTS,3\nSTAFF_FTE,2\n" + b"\xe9v\xe9nements,4\n")
    connector = _connector(sleeps, "csv")
    source = Source("c", URL)
    pull = connector.fetch(source, PERIOD, Limits())

    with pytest.raises(ConnectorError, match=r"page 1 \(.*\), line 4: the bytes are not UTF-8"):
        connector.to_submission(pull.pages, source, PERIOD)
