"""``hub aggregate --period P`` and ``--dirty``."""

from sqlalchemy import select

from hub.cli.context import hub_state
from hub.models import DirtyPeriod, JobRun, utcnow
from tests.aggregation.factory import Factory


def test_aggregate_a_period_records_a_run(run):
    run("init")
    with hub_state().sessions() as session:
        Factory(session).push("medicen", "2025", [("EVENTS", {}, 4.0)])
        session.commit()
    result = run("aggregate", "--period", "2025")
    assert result.exit_code == 0
    assert "2025: full run" in result.output
    with hub_state().sessions() as session:
        assert session.scalars(select(JobRun.status).where(JobRun.kind == "aggregate")).all() == ["succeeded"]


def test_aggregate_dirty_reports_the_periods_it_ran_and_fails_on_the_one_that_failed(run):
    run("init")
    with hub_state().sessions() as session:
        Factory(session).push("medicen", "2025", [("EVENTS", {}, 4.0)])
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
    result = run("aggregate", "--period", "2025-Q5")
    assert result.exit_code != 0
    assert "is not a period" in result.output


def test_aggregate_needs_exactly_one_of_period_and_dirty(run):
    assert run("aggregate").exit_code == 2
