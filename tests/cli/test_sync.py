"""``hub sync CODE|--all [--period P]`` and ``hub sync CODE --replay RUN_ID``."""

from hub.cli.context import hub_state
from hub.demo_feeds import connector_config
from hub.services import runs
from hub.services.connectors import Settings, configure
from hub.services.ingestion import submit
from schemas.siren import make_siren
from tests.conftest import FEEDS_SECRET


def test_sync_needs_a_code_or_all(run):
    assert run("sync").exit_code == 2
    assert run("sync", "medicen", "--all").exit_code == 2


def test_a_replay_goes_with_a_code_alone(run):
    assert run("sync", "--all", "--replay", "1").exit_code == 2


def test_a_replay_takes_no_period(run):
    assert run("sync", "medicen", "--replay", "1", "--period", "2024").exit_code == 2


def synced(run, *args, exit_code=1):
    """The output of ``hub sync ARGS`` on an initialised hub, checking its exit code."""
    run("init")
    result = run("sync", *args)
    assert result.exit_code == exit_code
    return result.output


def test_a_cluster_without_a_connector_is_refused(run):
    assert "has no enabled connector" in synced(run, "medicen")


def test_all_with_no_connector_configured_runs_nothing(run):
    assert "0 run(s)" in synced(run, "--all", exit_code=0)


def test_replaying_an_unknown_run_is_refused(run):
    assert "no run 999" in synced(run, "medicen", "--replay", "999")


def test_replaying_another_clusters_run_is_refused(run):
    run("init")
    state = hub_state()
    with state.sessions() as session:
        settings = Settings(type="csv", url="http://127.0.0.1:9/feed.csv")
        configure(session, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="t")
        queued = runs.queue_sync(session, "medicen", period="2025", trigger="cli", requested_by="t")
        session.commit()
    result = run("sync", "systematic", "--replay", str(queued.id))
    assert result.exit_code == 1 and f"no run {queued.id}" in result.output


def configure_demo(demo_feeds, codes, feed=None):
    """Point the CLI hub's connectors of ``codes`` at the demo feeds (of the ``feed`` type)."""
    state = hub_state()
    with state.sessions() as session:
        for code in codes:
            settings = Settings(**connector_config(code, demo_feeds.url, FEEDS_SECRET, feed))
            configure(session, fernet=state.fernet, cluster_code=code, settings=settings, actor="test")
        session.commit()


def test_sync_pulls_one_cluster_in_the_foreground(run, demo_feeds, federation):
    run("init")
    code = federation.clusters[0].code
    configure_demo(demo_feeds, [code])
    result = run("sync", code, "--period", "2024")
    assert result.exit_code == 0
    assert result.output.startswith(f"{code} 2024: run 1 succeeded")


def test_sync_prints_the_member_counts_of_a_feed_with_members(run, demo_feeds, federation):
    run("init")
    code = federation.clusters[0].code
    configure_demo(demo_feeds, [code], "json")
    result = run("sync", code, "--period", "2024")
    members = len(federation.submission(code, "2024")["members"])
    assert f", members created {members} updated 0 unchanged 0 removed 0" in result.output


def test_sync_prints_the_warnings_of_what_it_ingested(run, demo_feeds, federation):
    run("init")
    code = federation.clusters[0].code
    document = federation.submission(code, "2024")
    listed = document["members"]
    extra = [{**listed[0], "siren": make_siren(900_000 + n)} for n in range(len(listed) + 1)]
    with hub_state().sessions() as session:
        submit(
            session,
            cluster_code=code,
            document={**document, "members": listed + extra},
            source="push",
            actor="t",
        )
    configure_demo(demo_feeds, [code], "json")
    result = run("sync", code, "--period", "2024")
    assert (
        f"\n  warning: this list removes {len(extra)} of the {len(listed + extra)} members" in result.output
    )


def test_sync_all_pulls_every_enabled_connector_at_once(run, demo_feeds, federation):
    run("init")
    codes = [cluster.code for cluster in federation.clusters[:10]]
    configure_demo(demo_feeds, codes)
    result = run("sync", "--all", "--period", "2024")
    assert result.exit_code == 0
    assert result.output.count(" succeeded, ") == 10
    assert result.output.endswith("10 run(s): 10 ok, 0 failed\n")


def test_sync_all_exits_1_when_a_run_fails(run, demo_feeds, federation):
    run("init")
    configure_demo(demo_feeds, [federation.clusters[0].code])
    assert synced(run, "--all", "--period", "1999").endswith("1 run(s): 0 ok, 1 failed\n")


def test_sync_all_leaves_out_a_disabled_connector(run, demo_feeds, federation):
    run("init")
    first, second = (cluster.code for cluster in federation.clusters[:2])
    configure_demo(demo_feeds, [first, second])
    state = hub_state()
    with state.sessions() as session:
        settings = Settings(**connector_config(second, demo_feeds.url, FEEDS_SECRET), enabled=False)
        configure(session, fernet=state.fernet, cluster_code=second, settings=settings, actor="test")
        session.commit()
    result = run("sync", "--all", "--period", "2024")
    assert result.output.startswith(f"{first} 2024: ") and second not in result.output
    assert result.output.endswith("1 run(s): 1 ok, 0 failed\n")


def test_a_failed_pull_says_why_and_counts_itself(run, demo_feeds, federation):
    run("init")
    code = federation.clusters[0].code
    configure_demo(demo_feeds, [code])
    line, summary = synced(run, code, "--period", "1999").splitlines()[-2:]
    assert line.startswith(f"{code} 1999: run 1 failed") and line.endswith("): HTTP 404")
    assert summary == "1 run(s): 0 ok, 1 failed"


def test_a_replay_reingests_a_runs_pages(run, demo_feeds, federation):
    run("init")
    code = federation.clusters[0].code
    configure_demo(demo_feeds, [code])
    run("sync", code, "--period", "2024")
    result = run("sync", code, "--replay", "1")
    assert result.exit_code == 0
    assert result.output.startswith(f"{code} 2024: run 2 unchanged")
