"""Feed faults a real server cannot produce on demand, through the real connectors (``responses``):
each one fails (or, for a 304, skips) the run with a clear error and changes nothing stored."""

from __future__ import annotations

import json

import pytest
import responses
from sqlalchemy import func, select

import connectors
from connectors.base import Limits
from hub.models import Observation, PullArchive, Submission
from hub.services import runs, sync
from hub.services.connectors import Settings, configure
from tests.services.feed_double import DOCUMENT, PERIOD

FEED = "http://127.0.0.1:9/feed"
URL = f"{FEED}?period={PERIOD}"
PULLER = sync.Puller(
    lookup=lambda name: connectors.get(name, sleep=lambda _seconds: None),
    limits=Limits(retries=2, max_pages=3),
)


@pytest.fixture
def feed():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def pull(state, db, kind="feed_json"):
    """Configure medicen's connector of ``kind`` at FEED and run one pull of PERIOD."""
    settings = Settings(type=kind, url=FEED, auth={"type": "bearer", "token": "t0ken"})
    configure(db, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="admin")
    run = runs.queue_sync(db, "medicen", period=PERIOD, trigger="api", requested_by="tester")
    db.commit()
    return sync.execute(state, run.id, puller=PULLER)


def stored(db):
    """What a failed pull must leave as it was: the submissions and the current values."""
    values = db.execute(
        select(Observation.indicator_code, Observation.value).where(Observation.is_current.is_(True))
    ).all()
    return db.scalar(select(func.count()).select_from(Submission)), sorted(values)


def failure(state, db, before, kind="feed_json"):
    """The error of a pull that must fail and leave everything stored as it was."""
    run = pull(state, db, kind)
    assert run.status == "failed"
    assert stored(db) == before
    return run.error


@pytest.fixture
def before(state, db, feed):
    """A first good pull, so that each fault is seen against data already stored."""
    feed.get(URL, json=DOCUMENT, headers={"ETag": '"v1"'})
    assert pull(state, db).status == "succeeded"
    feed.reset()
    return stored(db)


def test_malformed_json_fails_naming_the_page(state, db, feed, before):
    feed.get(URL, body=b'{"period": "2025", "observations": [')
    error = failure(state, db, before)
    assert error.startswith("page 1") and "malformed JSON" in error


def test_the_pages_fetched_before_a_fault_are_archived(state, db, feed, before):
    malformed = b'{"period": "2025", "observations": ['
    feed.get(URL, body=malformed)
    run = pull(state, db)
    archived = db.scalars(select(PullArchive.body).where(PullArchive.run_id == run.id)).all()
    assert (run.status, run.pages, archived) == ("failed", 1, [malformed])


def test_a_truncated_csv_fails_naming_the_line(state, db, feed, before):
    feed.get(
        URL, body="indicator,value,funder\nPROJECTS_FUNDED,14,ANR\nBUDGET_EUR\n", content_type="text/csv"
    )
    error = failure(state, db, before, "csv")
    assert "line 3" in error and "truncated" in error


def test_an_unknown_indicator_is_refused_by_the_ingestion(state, db, feed, before):
    feed.get(URL, json={"period": PERIOD, "observations": [{"indicator": "NOT_AN_INDICATOR", "value": 1}]})
    assert "observations[0].indicator" in failure(state, db, before)


def test_a_row_whose_codes_are_not_text_is_refused_by_the_ingestion_naming_it(state, db, feed, before):
    rows = [{"indicator": ["EVENTS"], "value": 1}, {"indicator": "EVENTS", "value": 1, "dimensions": ["x"]}]
    feed.get(URL, json={"period": PERIOD, "observations": rows})
    error = failure(state, db, before)
    assert "observations[0].indicator" in error and "observations[1].dimensions" in error


def test_server_errors_fail_once_the_retries_are_exhausted(state, db, feed, before):
    feed.get(URL, status=503)
    assert failure(state, db, before) == f"page 1 ({URL}): HTTP 503; gave up after 3 attempts"
    assert len(feed.calls) == 3


def test_the_page_cap_fails_the_pull(state, db, feed, before):
    for number in range(1, 5):
        feed.get(f"{FEED}/{number}" if number > 1 else URL, json={**DOCUMENT, "next": f"{FEED}/{number + 1}"})
    assert "more than 3 pages" in failure(state, db, before)


def test_a_looping_next_link_fails_the_pull(state, db, feed, before):
    feed.get(URL, json={**DOCUMENT, "next": URL})
    assert "loops" in failure(state, db, before)


def test_a_304_leaves_the_run_unchanged_and_stores_nothing(state, db, feed, before):
    feed.get(URL, status=304)
    run = pull(state, db)
    assert (run.status, run.pages, run.error) == ("unchanged", 0, None)
    assert feed.calls[0].request.headers["If-None-Match"] == '"v1"'
    assert stored(db) == before


def test_the_credential_is_in_no_run_error(state, db, feed, before):
    feed.get(URL, status=401)
    error = failure(state, db, before)
    assert "refused the credentials" in error
    assert "t0ken" not in json.dumps([error, feed.calls[0].request.url])
