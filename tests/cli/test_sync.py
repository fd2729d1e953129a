"""``hub sync CODE|--all [--period P]`` and ``hub sync CODE --replay RUN_ID``."""


def test_sync_needs_a_code_or_all(run):
    assert run("sync").exit_code == 2
    assert run("sync", "medicen", "--all").exit_code == 2


def test_a_replay_goes_with_a_code_alone(run):
    assert run("sync", "--all", "--replay", "1").exit_code == 2


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
    from hub.cli.context import hub_state
    from hub.services import runs
    from hub.services.connectors import Settings, configure

    state = hub_state()
    with state.sessions() as session:
        settings = Settings(type="csv", url="http://127.0.0.1:9/feed.csv")
        configure(session, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="t")
        queued = runs.queue_sync(session, "medicen", period="2025", trigger="cli", requested_by="t")
        session.commit()
    result = run("sync", "systematic", "--replay", str(queued.id))
    assert result.exit_code == 1 and f"no run {queued.id}" in result.output
