"""SQLite's planner gets its statistics from the full runs, as PostgreSQL's from autovacuum."""

from __future__ import annotations

from sqlalchemy import text

from hub.config import Config
from hub.db import make_engine, make_session_factory
from hub.services.aggregation import aggregate_period
from hub.services.setup import initialise
from tests.aggregation.factory import Factory


def test_a_full_run_on_sqlite_gathers_the_planner_statistics(tmp_path):
    # A new hub's SQLite database of the test's own, whatever backend the suite runs on: the
    # behaviour is SQLite's alone.
    config = Config.from_env(
        {}, instance_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'hub.db'}", testing=True
    )
    engine = make_engine(config)
    initialise(config, engine)
    try:
        with make_session_factory(engine)() as session:
            factory = Factory(session)
            factory.isolate()
            factory.cluster("c1")
            factory.push("c1", "2025", [("EVENTS", {}, 3.0)], members=[("siren:000000001", "SME")])
            session.commit()
            aggregate_period(session, "2025", config=config)
            # main's: the run's analysed temporary table gave the connection a temp.sqlite_stat1,
            # which an unqualified name would find first.
            analysed = set(session.scalars(text("SELECT DISTINCT tbl FROM main.sqlite_stat1")))
    finally:
        engine.dispose()
    assert {"memberships", "member_lists", "observations", "aggregates"} <= analysed
