"""Reads while another transaction writes: a push or an aggregation run in progress."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text

from hub import create_app
from hub.config import Config
from hub.db import make_session_factory
from hub.state import HubState

PATIENCE = 5.0  # seconds: far more than a read takes, far less than SQLite's 60 s busy timeout


def test_a_read_answers_while_another_transaction_holds_the_write_lock(
    engine: Engine, base_config: Config
) -> None:
    sessions = make_session_factory(engine)
    client = create_app(state=HubState.build(base_config, engine, sessions)).test_client()
    statuses: list[int] = []
    reader = threading.Thread(target=lambda: statuses.append(client.get("/readyz").status_code))
    with sessions() as writer:
        writer.execute(text("SELECT 1"))  # on SQLite a write transaction begins with the write lock
        reader.start()
        reader.join(timeout=PATIENCE)
        answered = not reader.is_alive()
        writer.rollback()
    reader.join()
    assert answered
    assert statuses == [200]
