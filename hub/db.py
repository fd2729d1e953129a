"""Engine and session handling: one session per request or job, committed at the edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Config


def make_engine(config: Config, **kwargs: Any) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and real transactions."""
    if config.dialect == "sqlite":
        config.instance_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            config.database_url, connect_args={"timeout": 60, "check_same_thread": False}, **kwargs
        )
        _sqlite_pragmas(engine)
        return engine
    return create_engine(config.database_url, pool_pre_ping=True, **kwargs)


# Execution option: "DEFERRED" for a read-only unit of work that must not queue behind a
# writer, e.g. loading signing keys while the request's own transaction holds the lock.
SQLITE_BEGIN = "sqlite_begin"


def read_only(session: Session) -> Session:
    """Begin ``session`` as a plain read: on SQLite it then never waits for the write lock."""
    session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
    return session


def _sqlite_pragmas(engine: Engine) -> None:
    # pysqlite opens transactions lazily and never for DDL; take control so that a
    # transaction really is one, and begin it IMMEDIATE so two writers queue on the
    # lock instead of failing when one upgrades from read to write.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        # ANALYZE (``refresh_statistics``) samples each index rather than reading it whole.
        cursor.execute("PRAGMA analysis_limit=1000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


def refresh_statistics(session: Session) -> None:
    """Gather SQLite's planner statistics, which it has only when asked (PostgreSQL's
    autovacuum gathers them unasked): without them a full aggregation at scale 50 took a tenth
    longer. A millisecond, sampling each index (``analysis_limit``); SQLite's own
    ``PRAGMA optimize`` analyses only some tables, which planned worse than none."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("ANALYZE"))


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work for a job or a command: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
