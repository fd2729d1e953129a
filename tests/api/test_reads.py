"""Reads while another transaction writes: a push or an aggregation run in progress."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse

from hub import create_app
from hub.config import Config
from hub.db import make_session_factory
from hub.models import ApiClient
from hub.services.clients import create_client
from hub.state import HubState

PATIENCE = 5.0  # seconds: far more than a read takes, far less than SQLite's 60 s busy timeout


def _answered_while_locked(sessions: sessionmaker[Session], ask: Callable[[], TestResponse]) -> list[int]:
    """The statuses ``ask`` got within ``PATIENCE`` while another transaction held the write lock."""
    statuses: list[int] = []
    reader = threading.Thread(target=lambda: statuses.append(ask().status_code))
    with sessions() as writer:
        writer.execute(text("SELECT 1"))  # on SQLite a write transaction begins with the write lock
        reader.start()
        reader.join(timeout=PATIENCE)
        answered = list(statuses)
        writer.rollback()
    reader.join()
    return answered


def _client(engine: Engine, base_config: Config) -> tuple[sessionmaker[Session], FlaskClient]:
    sessions = make_session_factory(engine)
    return sessions, create_app(state=HubState.build(base_config, engine, sessions)).test_client()


def test_a_read_answers_while_another_transaction_holds_the_write_lock(
    engine: Engine, base_config: Config
) -> None:
    sessions, client = _client(engine, base_config)
    assert _answered_while_locked(sessions, lambda: client.get("/readyz")) == [200]


def test_a_token_request_answers_while_another_transaction_holds_the_write_lock(
    engine: Engine, base_config: Config
) -> None:
    sessions, client = _client(engine, base_config)
    with sessions() as session:
        api_client, secret = create_client(session, role="board", name="reader")
        session.commit()
    body = {"grant_type": "client_credentials", "client_id": api_client.id, "client_secret": secret}
    try:
        assert _answered_while_locked(sessions, lambda: client.post("/oauth/token", data=body)) == [200]
    finally:  # the database outlives the test: the client must not count in the next one's
        with sessions() as session:
            session.delete(session.get(ApiClient, api_client.id))
            session.commit()
