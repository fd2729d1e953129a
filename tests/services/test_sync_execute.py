"""``sync.execute``: one queued run claimed, fetched, archived, mapped and ingested, or failed cleanly."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

import connectors
from connectors.base import ConnectorError, Limits, Pull
from hub.errors import Conflict
from hub.loopback import serving
from hub.models import ConnectorConfig, JobRun, Observation, PullArchive, Submission, utcnow
from hub.services import runs, sync
from hub.services.connectors import Settings, configure
from hub.state import HubState
from schemas.siren import make_siren
from tests.services.conftest import TOKEN
from tests.services.feed_double import DOCUMENT, PERIOD, pull_of
from tests.slow_feed import dripping

REAL = sync.Puller(
    lookup=lambda name: connectors.get(name, sleep=lambda _seconds: None),
    limits=Limits(retries=1, max_pages=10),
)


def answering(answer):
    """A feed on a loopback port; ``answer(environ)`` gives (status, headers, body)."""

    def app(environ, start_response):
        status, headers, body = answer(environ)
        start_response(status, headers)
        return [body]

    return serving(app)


def pulled(state, db, url, period=PERIOD, **settings):
    """medicen's connector, configured at ``url`` with ``settings``, pulls ``period`` for real."""
    settings = Settings(**{"type": "feed_json", "url": url, **settings})
    configure(db, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="admin")
    db.commit()
    return sync.execute(state, queue(state, period=period), puller=REAL)


def queue(state, cluster="medicen", period=PERIOD):
    with state.sessions() as session:
        run = runs.queue_sync(session, cluster, period=period, trigger="api", requested_by="tester")
        session.commit()
        return run.id


def stored(db, model):
    return db.scalar(select(func.count()).select_from(model))


def test_a_pull_ingests_through_the_push_path(state, db, configured, scripted):
    _, puller = scripted(pull_of())
    run = sync.execute(state, queue(state), puller=puller)
    assert run.status == "succeeded"
    assert run.counts["observations"] == {"created": 2, "updated": 0, "unchanged": 0}
    submission = db.get(Submission, run.submission_id)
    assert (submission.source, submission.run_id) == ("connector:feed_json", run.id)


def test_a_run_carries_the_warnings_of_what_it_ingested(state, configured, scripted):
    members = [{"siren": make_siren(n), "name": f"Membre {n}", "category": "SME"} for n in range(3)]
    _, puller = scripted(pull_of({**DOCUMENT, "members": members}), pull_of({**DOCUMENT, "members": []}))
    assert sync.execute(state, queue(state), puller=puller).warnings == []
    run = sync.execute(state, queue(state), puller=puller)
    assert run.status == "succeeded"
    assert [warning["code"] for warning in run.warnings] == ["members_mostly_removed"]


def test_a_pull_ends_within_half_the_run_timeout(base_config, engine, sessions, db):
    state = HubState.build(replace(base_config, run_timeout_seconds=2), engine, sessions)
    with serving(dripping) as server:
        settings = Settings(type="csv", url=server.url + "/data.csv")
        configure(db, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="admin")
        db.commit()
        run = sync.execute(state, queue(state))
    assert run.status == "failed"
    assert run.error is not None and "the pull took longer than 1 s" in run.error


def test_the_connector_gets_the_decrypted_credentials(state, configured, scripted):
    connector, puller = scripted(pull_of())
    sync.execute(state, queue(state), puller=puller)
    assert connector.sources[0].auth == {"type": "bearer", "token": TOKEN}


def test_a_run_records_its_timings_pages_and_bytes(state, configured, scripted):
    pull = pull_of()
    _, puller = scripted(pull)
    run = sync.execute(state, queue(state), puller=puller)
    assert (run.pages, run.bytes) == (1, pull.bytes)
    assert run.created_at <= run.started_at <= run.finished_at


def test_every_page_is_archived_with_its_checksum(state, db, configured, scripted):
    _, puller = scripted(pull_of())
    run = sync.execute(state, queue(state), puller=puller)
    archive = db.scalars(select(PullArchive).where(PullArchive.run_id == run.id)).one()
    assert archive.body == pull_of().pages[0].body and len(archive.sha256) == 64


def test_a_304_is_unchanged_and_stores_nothing(state, db, configured, scripted):
    _, puller = scripted(Pull((), not_modified=True))
    run = sync.execute(state, queue(state), puller=puller)
    assert (run.status, run.submission_id) == ("unchanged", None)
    assert stored(db, Submission) == stored(db, PullArchive) == 0


def test_a_304_to_a_pull_that_sent_no_validator_fails_the_run(state, db):
    with answering(lambda _environ: ("304 Not Modified", [], b"")) as feed:
        run = pulled(state, db, feed.url + "/feed")
    assert run.status == "failed" and "HTTP 304 (not modified), though the hub sent no validator" in run.error
    assert stored(db, Submission) == 0


SDMX_FILE = (
    b"DATAFLOW,FREQ,REF_AREA,INDICATOR,TIME_PERIOD,OBS_VALUE\n"
    b"AFPC:CLUSTER_IND(1.0),A,FR,EVENTS,2023,11\n"
    b"AFPC:CLUSTER_IND(1.0),A,FR,EVENTS,2024,22\n"
)


def static_file(environ):
    """A static file server: one ETag for the file, whatever the query string asks."""
    if environ.get("HTTP_IF_NONE_MATCH") == '"file-v1"':
        return "304 Not Modified", [("ETag", '"file-v1"')], b""
    return "200 OK", [("Content-Type", "text/csv"), ("ETag", '"file-v1"')], SDMX_FILE


def current(db, period):
    query = select(Observation.indicator_code, Observation.value).where(
        Observation.is_current.is_(True), Observation.period == period
    )
    return db.execute(query).all()


def test_a_pull_of_another_period_is_not_skipped_by_the_validators_of_the_last_one(state, db):
    with answering(static_file) as feed:
        assert pulled(state, db, feed.url + "/afpc.csv", "2024", type="sdmx").status == "succeeded"
        other = pulled(state, db, feed.url + "/afpc.csv", "2023", type="sdmx")
        again = pulled(state, db, feed.url + "/afpc.csv", "2023", type="sdmx")
    assert (other.status, current(db, "2023")) == ("succeeded", [("EVENTS", 11)])
    assert again.status == "unchanged" and again.pages == 0


def one_page_with_an_etag(environ):
    if environ.get("HTTP_IF_NONE_MATCH") == '"v1"':
        return "304 Not Modified", [("ETag", '"v1"')], b""
    body = {"period": PERIOD, "observations": [{"indicator": "EVENTZ", "value": 3}]}
    return "200 OK", [("Content-Type", "application/json"), ("ETag", '"v1"')], json.dumps(body).encode()


def test_a_new_mapping_is_applied_by_the_next_pull_of_a_feed_that_did_not_change(state, db):
    with answering(one_page_with_an_etag) as feed:
        url = feed.url + "/feed"
        assert pulled(state, db, url, mapping={"indicators": {"EVENTZ": "STAFF_FTE"}}).status == "succeeded"
        again = pulled(state, db, url, mapping={"indicators": {"EVENTZ": "INTERNATIONAL_ACTIONS"}})
    assert again.status == "succeeded"
    assert ("INTERNATIONAL_ACTIONS", 3) in current(db, PERIOD)


def test_validators_longer_than_the_hub_keeps_are_left_out_and_the_pull_stored(state, db):
    headers = [
        ("ETag", '"' + "e" * 600 + '"'),
        ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT; " + "x" * 100),
    ]
    body = json.dumps(DOCUMENT).encode()
    with answering(lambda _environ: ("200 OK", headers, body)) as feed:
        run = pulled(state, db, feed.url + "/feed")
    config = db.get(ConnectorConfig, "medicen", populate_existing=True)
    assert run.status == "succeeded"
    assert (config.etag, config.last_modified, config.validators_url) == (None, None, None)


def test_a_long_next_link_and_content_type_are_archived_as_they_came(state, db):
    following = "/feed/2?cursor=" + "c" * 2100
    content_type = "application/json; profile=" + "p" * 250

    def answer(environ):
        if environ["PATH_INFO"] == "/feed":
            return (
                "200 OK",
                [("Content-Type", content_type)],
                json.dumps({**DOCUMENT, "next": following}).encode(),
            )
        return (
            "200 OK",
            [("Content-Type", content_type)],
            json.dumps({"period": PERIOD, "observations": []}).encode(),
        )

    with answering(answer) as feed:
        run = pulled(state, db, feed.url + "/feed")
    archived = db.execute(
        select(PullArchive.url, PullArchive.content_type).where(PullArchive.run_id == run.id)
    ).all()
    assert run.status == "succeeded"
    assert archived[-1] == (feed.url + following, content_type)


def test_a_feed_with_nothing_new_is_unchanged(state, configured, scripted):
    _, puller = scripted(pull_of(), pull_of())
    sync.execute(state, queue(state), puller=puller)
    again = sync.execute(state, queue(state), puller=puller)
    assert again.status == "unchanged"
    assert again.counts["observations"]["unchanged"] == 2


def test_a_connector_error_fails_the_run_and_stores_nothing(state, db, configured, scripted):
    _, puller = scripted(ConnectorError("page 3: HTTP 503 after 4 retries"))
    run = sync.execute(state, queue(state), puller=puller)
    assert (run.status, run.error) == ("failed", "page 3: HTTP 503 after 4 retries")
    assert stored(db, Submission) == stored(db, Observation) == 0


def test_a_mapping_failure_keeps_the_archived_pages(state, db, configured, scripted):
    _, puller = scripted(pull_of(b"{not json"))
    run = sync.execute(state, queue(state), puller=puller)
    assert run.status == "failed" and run.error.startswith("page 1")
    assert run.pages == 1
    assert stored(db, PullArchive) == 1 and stored(db, Submission) == 0


def test_a_refused_ingestion_names_the_problem_paths(state, db, configured, scripted):
    bad = {"period": PERIOD, "observations": [{"indicator": "NOPE", "value": 1}, {"indicator": "EVENTS"}]}
    _, puller = scripted(pull_of(bad))
    run = sync.execute(state, queue(state), puller=puller)
    assert run.status == "failed"
    assert "2 problem(s)" in run.error and "observations[0].indicator" in run.error
    assert stored(db, Observation) == 0


def test_a_refused_ingestion_shows_five_problems_and_counts_the_others(state, configured, scripted):
    bad = {"period": PERIOD, "observations": [{"indicator": f"NOPE{n}", "value": 1} for n in range(7)]}
    _, puller = scripted(pull_of(bad))
    run = sync.execute(state, queue(state), puller=puller)
    assert "7 problem(s)" in run.error and "observations[4].indicator" in run.error
    assert "observations[5]" not in run.error and run.error.endswith("; and 2 more")


def test_validators_are_saved_only_after_a_successful_ingest(state, db, configured, scripted):
    bad = {"period": PERIOD, "observations": [{"indicator": "NOPE", "value": 1}]}
    _, puller = scripted(pull_of(bad, etag='"bad"'), pull_of(etag='"good"'))
    sync.execute(state, queue(state), puller=puller)
    assert db.get(ConnectorConfig, "medicen", populate_existing=True).etag is None
    sync.execute(state, queue(state), puller=puller)
    assert db.get(ConnectorConfig, "medicen", populate_existing=True).etag == '"good"'


def test_an_unexpected_error_is_a_failed_run_not_an_exception(state, configured, scripted, caplog):
    _, puller = scripted(RuntimeError("boom"))
    with caplog.at_level(logging.ERROR):
        run = sync.execute(state, queue(state), puller=puller)
    assert (run.status, run.error) == ("failed", sync.UNEXPECTED)
    assert "boom" in caplog.text


def test_an_unexpected_error_is_logged_without_the_credential_it_quotes(state, configured, scripted, caplog):
    _, puller = scripted(ValueError(f"invalid header value {('Bearer ' + TOKEN + chr(10))!r}"))
    with caplog.at_level(logging.ERROR):
        run = sync.execute(state, queue(state), puller=puller)
    assert (run.status, run.error) == ("failed", sync.UNEXPECTED)
    assert "invalid header value" in caplog.text and TOKEN not in caplog.text


def test_a_run_is_run_once(state, configured, scripted):
    connector, puller = scripted(pull_of())
    run_id = queue(state)
    sync.execute(state, run_id, puller=puller)
    again = sync.execute(state, run_id, puller=puller)
    assert again.status == "succeeded" and len(connector.sources) == 1


def test_the_secret_never_reaches_a_log_line(state, configured, scripted, caplog):
    _, puller = scripted(pull_of(), ConnectorError("page 1: HTTP 401"))
    with caplog.at_level(logging.DEBUG):
        sync.execute(state, queue(state), puller=puller)
        sync.execute(state, queue(state), puller=puller)
    assert caplog.records and TOKEN not in caplog.text


def test_a_cluster_without_a_connector_cannot_queue_a_pull(state, db):
    with pytest.raises(Conflict):
        runs.queue_sync(db, "systematic", period=None, trigger="api", requested_by=None)


def test_the_default_period_is_the_previous_calendar_year(state, db, configured):
    run = runs.queue_sync(db, "medicen", period=None, trigger="api", requested_by=None)
    assert run.period == runs.default_period()
    assert int(run.period) == db.scalar(select(func.max(JobRun.created_at))).year - 1


def test_a_replay_reingests_the_archived_pages_as_a_new_run(state, db, configured, scripted):
    connector, puller = scripted(pull_of())
    first = sync.execute(state, queue(state), puller=puller)
    replayed = sync.replay(state, first.id, requested_by="tester", puller=puller)
    assert (replayed.trigger, replayed.replay_of, replayed.status) == ("replay", first.id, "unchanged")
    assert replayed.pages == 1 and len(connector.sources) == 1


def test_a_replay_after_a_mapping_fix_stores_the_data(state, db, configured, scripted):
    bad = {"period": PERIOD, "observations": [{"indicator": "NOPE", "value": 1}, *DOCUMENT["observations"]]}
    connector, puller = scripted(pull_of(bad))
    failed = sync.execute(state, queue(state), puller=puller)
    connector.to_submission = lambda pages, source, period: DOCUMENT
    replayed = sync.replay(state, failed.id, puller=puller)
    assert replayed.status == "succeeded" and stored(db, Observation) == 2


def test_a_replay_of_a_run_that_archived_no_pages_fails_saying_so(state, configured, scripted):
    _, puller = scripted(ConnectorError("page 1: could not connect"))
    failed = sync.execute(state, queue(state), puller=puller)
    replayed = sync.replay(state, failed.id, puller=puller)
    assert (replayed.status, replayed.error) == ("failed", f"run {failed.id} archived no pages to replay")


def test_a_replay_of_a_pull_that_stopped_half_way_is_refused_and_stores_nothing(
    state, db, configured, scripted
):
    stopped = ConnectorError("page 2 (http://127.0.0.1/feed/2): HTTP 404", pages=pull_of().pages)
    _, puller = scripted(stopped)
    failed = sync.execute(state, queue(state), puller=puller)
    replayed = sync.replay(state, failed.id, puller=puller)
    assert (failed.pages, replayed.status) == (1, "failed")
    assert replayed.error.startswith(
        f"run {failed.id}'s pull stopped at page 2 (http://127.0.0.1/feed/2): HTTP 404;"
    )
    assert stored(db, Submission) == 0


def test_a_replay_needs_no_enabled_connector_as_it_reads_no_feed(state, db, configured, scripted):
    connector, puller = scripted(pull_of())
    first = sync.execute(state, queue(state), puller=puller)
    db.get(ConnectorConfig, "medicen").enabled = False
    db.commit()
    replayed = sync.replay(state, first.id, puller=puller)
    assert replayed.status == "unchanged" and len(connector.sources) == 1


def test_sync_many_runs_every_cluster(state, db, configured, scripted):
    _, puller = scripted(pull_of())
    done = sync.sync_many(state, ["medicen"], PERIOD, puller=puller)
    assert [(run.cluster_code, run.status, run.trigger) for run in done] == [("medicen", "succeeded", "cli")]


def test_sync_many_leaves_no_run_queued_for_a_scheduler_to_take(state, db, configured, scripted):
    configure(db, fernet=state.fernet, cluster_code="systematic", settings=configured, actor="admin")
    db.commit()
    connector, _ = scripted(pull_of(), pull_of())
    queued_while_pulling = []

    def lookup(_name):
        with state.sessions() as session:
            queued_while_pulling.extend(session.scalars(select(JobRun.id).where(JobRun.status == "queued")))
        return connector

    state.config = replace(state.config, sync_concurrency=1)
    done = sync.sync_many(state, ["medicen", "systematic"], PERIOD, puller=sync.Puller(lookup=lookup))
    assert queued_while_pulling == []
    assert [run.status for run in done] == ["succeeded", "succeeded"]


def test_a_cluster_sync_many_cannot_pull_stops_every_pull_before_any_starts(state, db, configured, scripted):
    connector, puller = scripted(pull_of())
    with pytest.raises(Conflict):
        sync.sync_many(state, ["medicen", "systematic"], PERIOD, puller=puller)
    assert stored(db, JobRun) == 0 and connector.sources == []


def test_a_credential_in_a_connector_error_is_masked(state, configured, scripted):
    _, puller = scripted(ConnectorError(f"page 1: http://127.0.0.1/feed?token={TOKEN} answered 500"))
    run = sync.execute(state, queue(state), puller=puller)
    assert run.status == "failed" and TOKEN not in run.error and "token=***" in run.error


def test_a_run_whose_runner_went_silent_is_abandoned(state, db, configured):
    run_id = queue(state)
    runs.claim(db, run_id, "a runner that dies")
    assert runs.abandon_stale(db, silent_since=utcnow() + timedelta(seconds=1)) == 1
    assert db.get(JobRun, run_id, populate_existing=True).status == "abandoned"


def test_a_live_run_is_not_abandoned(state, db, configured):
    runs.claim(db, queue(state), "a live runner")
    assert runs.abandon_stale(db, silent_since=utcnow() - timedelta(minutes=5)) == 0


def test_a_run_that_beat_lately_is_not_abandoned_however_long_ago_it_started(state, db, configured):
    run_id = queue(state)
    runs.claim(db, run_id, "a long runner")
    run = db.get(JobRun, run_id, populate_existing=True)
    run.started_at, run.heartbeat_at = utcnow() - timedelta(hours=2), utcnow()
    db.flush()
    assert runs.abandon_stale(db, silent_since=utcnow() - timedelta(minutes=5)) == 0


def test_a_finished_run_is_never_abandoned(state, configured, scripted, db):
    _, puller = scripted(pull_of())
    done = sync.execute(state, queue(state), puller=puller)
    assert runs.abandon_stale(db, silent_since=utcnow() + timedelta(seconds=1)) == 0
    assert db.get(JobRun, done.id, populate_existing=True).status == "succeeded"


def test_a_type_the_registry_does_not_know_fails_the_run(state, db, configured):
    db.get(ConnectorConfig, "medicen").type = "gopher"  # stored before that type was withdrawn
    db.commit()
    run = sync.execute(state, queue(state))
    assert (run.status, run.error) == (
        "failed",
        "unknown connector type 'gopher'; known: feed_json, csv, sdmx",
    )


def test_credentials_the_encryption_key_cannot_read_fail_the_run_saying_so(base_config, engine, sessions, db):
    settings = Settings(
        type="feed_json", url="http://127.0.0.1:9/feed", auth={"type": "bearer", "token": "t"}
    )
    configure(
        db,
        fernet=HubState.build(base_config, engine, sessions).fernet,
        cluster_code="medicen",
        settings=settings,
        actor="admin",
    )
    db.commit()
    rekeyed = HubState.build(
        replace(base_config, encryption_key=Fernet.generate_key().decode()), engine, sessions
    )
    run = sync.execute(rekeyed, queue(rekeyed))
    assert run.status == "failed"
    assert run.error.startswith(
        "the credentials of medicen's connector cannot be decrypted with HUB_ENCRYPTION_KEY"
    )
