"""Test fixtures: a real database (SQLite or PostgreSQL), migrated once per session,
with every test inside a transaction that is rolled back.

``HUB_TEST_DATABASE`` picks the backend: ``sqlite`` (default) or ``postgresql``
(``HUB_TEST_POSTGRES_URL``, default the local server). PostgreSQL tests get a
database of their own, so parallel runs never share state; an unreachable server
is an error, never a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from hub import create_app
from hub.config import Config
from hub.db import make_engine
from hub.demo_feeds import DemoFeeds
from hub.loopback import serving
from hub.services.clients import create_client
from hub.services.setup import initialise
from hub.state import HubState
from hub.synthetic import generate

BACKEND = os.environ.get("HUB_TEST_DATABASE", "sqlite")
FEEDS_SECRET = "hub-tests-feeds-secret"
POSTGRES_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _create_postgres_database() -> tuple[str, Callable[[], None]]:
    name = f"hub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def base_config(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Config]:
    instance = tmp_path_factory.mktemp("instance")
    if BACKEND == "postgresql":
        url, drop = _create_postgres_database()
    elif BACKEND == "sqlite":
        url, drop = f"sqlite:///{instance / 'hub.db'}", (lambda: None)
    else:
        raise pytest.UsageError(f"HUB_TEST_DATABASE must be sqlite or postgresql, not {BACKEND!r}")
    yield Config.from_env({}, instance_dir=Path(instance), database_url=url, testing=True)
    drop()


@pytest.fixture(scope="session")
def engine(base_config: Config) -> Iterator[Engine]:
    engine = make_engine(base_config)
    initialise(base_config, engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Any]:
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture
def sessions(connection: Any) -> sessionmaker[Session]:
    """Sessions that commit into a savepoint of the test's transaction."""
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def db(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


@pytest.fixture
def state(base_config: Config, engine: Engine, sessions: sessionmaker[Session]) -> HubState:
    return HubState.build(base_config, engine, sessions)


@pytest.fixture
def app(state: HubState) -> Any:
    return create_app(state=state)


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def make_token(state: HubState, db: Session) -> Callable[..., str]:
    """A valid bearer token for a new client of the given role (and cluster)."""

    def make(role: str, cluster: str | None = None) -> str:
        api_client, _secret = create_client(db, role=role, cluster=cluster, name=f"test {role}")
        db.commit()
        from hub.services.clients import principal_of

        token, _ = state.tokens.issue(principal_of(api_client))
        return token

    return make


@pytest.fixture
def auth(make_token: Callable[..., str]) -> Callable[..., dict[str, str]]:
    """Authorization headers for a role: ``auth("cluster", "medicen")``."""

    def headers(role: str, cluster: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {make_token(role, cluster)}"}

    return headers


@pytest.fixture(scope="session")
def federation() -> Any:
    return generate()


@pytest.fixture(scope="module")
def demo_feeds(federation: Any) -> Iterator[Any]:
    """The demo clusters' systems on a loopback port (every feed type and auth kind), whose
    connector configurations ``hub.demo_feeds.connector_config(code, url, FEEDS_SECRET)`` gives."""
    with serving(DemoFeeds(federation, FEEDS_SECRET, page_size=40)) as server:
        yield server
