"""Registry and connector writes of one cluster at the same time, in real threads with real
commits: PostgreSQL lets both look before either writes, so each must be decided by the
database, not by the look (SQLite's write lock makes them wait for each other anyway)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.db import make_session_factory
from hub.errors import Conflict
from hub.models import Cluster, ConnectorConfig
from hub.services.connectors import Settings, configure
from hub.services.registry import add_cluster
from tests.races import race
from tests.services.cleanup import remove_clusters

CODE = "race-registry"


@pytest.fixture
def factory(engine: Engine) -> Iterator[sessionmaker[Session]]:
    sessions = make_session_factory(engine)
    yield sessions
    with sessions.begin() as session:
        remove_clusters(session, [CODE])


def test_a_cluster_added_twice_at_once_is_added_once_and_the_other_told_it_exists(
    factory: sessionmaker[Session],
) -> None:
    def add(session: Session, _index: int) -> Any:
        cluster = add_cluster(session, code=CODE, name="Race", region="FR-IDF", theme="DIGITAL", actor="t")
        session.commit()
        return cluster.code

    outcomes = race(factory, add, threads=2)
    assert sorted(map(type, outcomes), key=str) == sorted([str, Conflict], key=str)
    with factory() as session:
        assert session.get(Cluster, CODE) is not None


def test_a_connector_configured_twice_at_once_is_stored_once_as_the_last_one_says(
    factory: sessionmaker[Session],
) -> None:
    fernet = Fernet(Fernet.generate_key())
    with factory.begin() as session:
        add_cluster(session, code=CODE, name="Race", region="FR-IDF", theme="DIGITAL", actor="t")
    urls = ["https://a.example/feed", "https://b.example/feed"]

    def put(session: Session, index: int) -> Any:
        settings = Settings(type="feed_json", url=urls[index])
        shown = configure(session, fernet=fernet, cluster_code=CODE, settings=settings, actor="t")
        session.commit()
        return shown["url"]

    outcomes = race(factory, put, threads=2)
    assert sorted(outcomes) == urls
    with factory() as session:
        assert session.get(ConnectorConfig, CODE).url in urls
