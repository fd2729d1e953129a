"""``hub aggregate --period P [--full]`` and ``--dirty``."""

from sqlalchemy import select

from hub.cli.context import hub_state
from hub.models import DirtyPeriod, JobRun, utcnow
from tests.aggregation.factory import Factory


def _push(period: str = "2025", value: float = 4.0) -> None:
    with hub_state().sessions() as session:
        Factory(session).push("medicen", period, [("EVENTS", {}, value)])
        session.commit()


def test_aggregate_a_period_records_a_run(run):
    run("init")
    _push()
    result = run("aggregate", "--period", "2025")
    assert result.exit_code == 0
    assert "2025: full run" in result.output  # never aggregated: every figure
    with hub_state().sessions() as session:
        assert session.scalars(select(JobRun.status).where(JobRun.kind == "aggregate")).all() == ["succeeded"]


def test_aggregate_prints_the_runs_suppressed_cells(run):
    run("init")
    _push()
    output = run("aggregate", "--period", "2025").output
    with hub_state().sessions() as session:
        counts = session.scalars(select(JobRun.counts).where(JobRun.kind == "aggregate")).one()
    assert counts["primary"] != counts["secondary"]  # a line mixing them up would show
    assert f"{counts['primary']} suppressed (C), {counts['secondary']} secondary (D)" in output


def test_aggregate_a_period_recomputes_only_what_changed_in_it(run):
    run("init")
    _push()
    _push("2024")
    run("aggregate", "--period", "2025")
    _push(value=5.0)
    result = run("aggregate", "--period", "2025")
    assert result.exit_code == 0
    assert "2025: incremental run" in result.output and "2024" not in result.output


def test_aggregate_a_period_that_did_not_change_does_nothing(run):
    run("init")
    _push()
    run("aggregate", "--period", "2025")
    result = run("aggregate", "--period", "2025")
    assert result.exit_code == 0
    assert "nothing to aggregate: 2025 is not dirty" in result.output


def test_aggregate_a_full_period_recomputes_every_figure(run):
    run("init")
    _push()
    run("aggregate", "--period", "2025")
    result = run("aggregate", "--period", "2025", "--full")
    assert result.exit_code == 0
    assert "2025: full run" in result.output


def test_full_goes_with_a_period(run):
    assert run("aggregate", "--dirty", "--full").exit_code == 2


def test_aggregate_dirty_reports_the_periods_it_ran_and_fails_on_the_one_that_failed(run):
    run("init")
    _push()
    with hub_state().sessions() as session:
        session.add(DirtyPeriod(period="1999-Q9", cluster_code="medicen", marked_at=utcnow()))
        session.commit()
    result = run("aggregate", "--dirty")
    assert result.exit_code == 1
    assert "2025: incremental run" in result.output or "2025: full run" in result.output
    assert "1999-Q9: InvalidInput" in result.output


def test_aggregate_dirty_reports_when_nothing_changed(run):
    run("init")
    result = run("aggregate", "--dirty")
    assert result.exit_code == 0
    assert "nothing to aggregate" in result.output


def test_aggregate_refuses_a_bad_period(run):
    run("init")
    for full in ([], ["--full"]):
        result = run("aggregate", "--period", "2025-Q5", *full)
        assert result.exit_code != 0
        assert "is not a period" in result.output


def test_aggregate_needs_exactly_one_of_period_and_dirty(run):
    assert run("aggregate").exit_code == 2
