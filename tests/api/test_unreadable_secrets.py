"""A hub started with another HUB_ENCRYPTION_KEY than the one its secrets were encrypted with
says so, as a 503 and in its readiness, instead of failing every token with a 500."""

from __future__ import annotations

import dataclasses
import logging

import pytest
from cryptography.fernet import Fernet

from hub import create_app
from hub.services.clients import create_client
from hub.state import HubState


@pytest.fixture
def misconfigured(base_config, engine, sessions, state):
    """The same database, read by a hub given a new encryption key only."""
    config = dataclasses.replace(base_config, encryption_key=Fernet.generate_key().decode())
    return create_app(state=HubState.build(config, engine, sessions)).test_client()


def test_a_token_request_is_a_503_naming_the_unreadable_key(misconfigured, db, caplog):
    client, secret = create_client(db, role="board", name="board tool")
    db.commit()
    caplog.set_level(logging.ERROR)
    response = misconfigured.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client.id, "client_secret": secret},
    )
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"].endswith(
        "cannot be decrypted with HUB_ENCRYPTION_KEY: it is not the key the database's secrets were"
        " encrypted with (list that key too, after the new one)"
    )
    assert "cannot be decrypted with HUB_ENCRYPTION_KEY" in caplog.text


def test_readiness_fails_on_signing_keys_it_cannot_decrypt(misconfigured):
    response = misconfigured.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["signing_keys"].startswith("signing key ")
    assert "cannot be decrypted with HUB_ENCRYPTION_KEY" in response.json["checks"]["signing_keys"]
