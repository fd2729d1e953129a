"""SQLite transaction modes: writers queue on the lock, reads that must not wait do not."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import text

from hub.config import Config
from hub.db import make_engine
from hub.services.setup import initialise
from hub.state import HubState


def test_signing_keys_load_while_another_transaction_holds_the_write_lock(tmp_path: Path) -> None:
    config = Config.from_env({}, instance_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'hub.db'}")
    engine = make_engine(config)
    initialise(config, engine)
    state = HubState.build(config, engine)
    loaded: dict[str, Any] = {}
    with state.sessions() as request_session:
        request_session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: this session holds the lock
        loader = threading.Thread(target=lambda: loaded.update(jwks=state.tokens.jwks()), daemon=True)
        loader.start()
        loader.join(timeout=10)
    engine.dispose()
    assert loaded["jwks"]["keys"]
