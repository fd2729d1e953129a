"""Pulls over real HTTP from the demo feeds: every connector type and auth kind, end to end."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from sqlalchemy import select

from hub.demo_feeds import AUTH_KINDS, FEEDS, auth_for, connector_config
from hub.models import AuditEvent, Observation
from hub.services import runs, sync
from hub.services.connectors import Settings, configure
from tests.conftest import FEEDS_SECRET

PERIOD = "2024"


def code_with(federation, auth):
    """A cluster whose demo feed sits behind ``auth``."""
    return next(c.code for c in federation.clusters if auth_for(c.code, FEEDS_SECRET)["type"] == auth)


def pull(state, db, demo_feeds, code, feed=None):
    config = connector_config(code, demo_feeds.url, FEEDS_SECRET, feed)
    configure(db, fernet=state.fernet, cluster_code=code, settings=Settings(**config), actor="admin")
    run = runs.queue_sync(db, code, period=PERIOD, trigger="api", requested_by="tester")
    db.commit()
    return sync.execute(state, run.id)


def stored(db, code):
    rows = db.scalars(
        select(Observation).where(
            Observation.cluster_code == code, Observation.period == PERIOD, Observation.is_current.is_(True)
        )
    )
    return sorted((row.indicator_code, sorted(row.dimensions.items()), float(row.value)) for row in rows)


def expected(federation, code):
    rows = federation.submission(code, PERIOD)["observations"]
    return sorted(
        (row["indicator"], sorted(row.get("dimensions", {}).items()), float(row["value"])) for row in rows
    )


@pytest.mark.parametrize("auth", AUTH_KINDS)
@pytest.mark.parametrize("feed", list(FEEDS))
def test_a_pull_stores_exactly_the_clusters_figures(state, db, demo_feeds, federation, feed, auth):
    code = code_with(federation, auth)
    run = pull(state, db, demo_feeds, code, feed)
    assert (run.status, run.error) == ("succeeded", None)
    assert stored(db, code) == expected(federation, code)


def test_a_json_feed_brings_the_member_list_over_several_pages(state, db, demo_feeds, federation):
    code = federation.clusters[0].code
    run = pull(state, db, demo_feeds, code, "json")
    assert run.pages > 1
    assert run.counts["members"]["created"] == len(federation.submission(code, PERIOD)["members"])


def test_a_second_pull_of_an_unchanged_one_page_feed_is_a_304_that_stores_nothing(
    state, db, demo_feeds, federation
):
    code = code_with(federation, "bearer")
    pull(state, db, demo_feeds, code, "csv")
    again = pull(state, db, demo_feeds, code, "csv")
    assert (again.status, again.submission_id, again.pages) == ("unchanged", None, 0)


def test_a_second_pull_of_an_unchanged_feed_of_several_pages_is_fetched_whole_and_changes_nothing(
    state, db, demo_feeds, federation
):
    code = code_with(federation, "bearer")
    first = pull(state, db, demo_feeds, code, "json")
    again = pull(state, db, demo_feeds, code, "json")
    assert (again.status, again.pages) == ("unchanged", first.pages)
    assert again.counts["members"]["unchanged"] == first.counts["members"]["created"]


def test_a_wrong_credential_fails_the_run_without_showing_it(state, db, demo_feeds, federation, caplog):
    code = code_with(federation, "bearer")
    wrong = {"type": "bearer", "token": "wrong-secret-value"}
    config = {**connector_config(code, demo_feeds.url, FEEDS_SECRET, "json"), "auth": wrong}
    configure(db, fernet=state.fernet, cluster_code=code, settings=Settings(**config), actor="admin")
    run = runs.queue_sync(db, code, period=PERIOD, trigger="api", requested_by="tester")
    db.commit()
    with caplog.at_level(logging.DEBUG):
        failed = sync.execute(state, run.id)
    assert failed.status == "failed" and "refused the credentials" in failed.error
    details = [str(event.details) for event in db.scalars(select(AuditEvent))]
    assert "wrong-secret-value" not in failed.error + caplog.text + "".join(details)


def test_pull_clusters_configures_and_pulls_a_set_of_clusters(state, db, demo_feeds, federation):
    # One at a time: the test's sessions share one connection (bench/sync.py runs them at once).
    state.config = replace(state.config, sync_concurrency=1)
    codes = [cluster.code for cluster in federation.clusters[:3]]
    settings = {code: Settings(**connector_config(code, demo_feeds.url, FEEDS_SECRET)) for code in codes}
    done = sync.pull_clusters(state, settings, PERIOD, actor="demo")
    assert [(run.cluster_code, run.status) for run in done] == [(code, "succeeded") for code in codes]
