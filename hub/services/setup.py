"""``hub init``: bring a database and instance to a usable state, idempotently."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from hub.auth.keys import ensure_signing_key, load_keys
from hub.config import Config
from hub.crypto import load_fernet
from hub.db import make_session_factory, transaction
from hub.migrations import upgrade
from hub.services.registry import load_reference_data


def initialise(config: Config, engine: Engine) -> dict[str, Any]:
    """Migrate to head, create a signing key if none, load missing reference data."""
    upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        fernet = load_fernet(config)
        key_created = ensure_signing_key(session, fernet)
        load_keys(session, fernet)  # HUB_ENCRYPTION_KEY reads them, or init says so
        added = load_reference_data(session)
    return {"signing_key_created": key_created, **added}
