"""Rotating the token signing keys: the new key signs at once in a running hub, the old one
verifies what it signed until retired, and a retired key's tokens are refused at once."""

from __future__ import annotations

import jwt
import pytest
from sqlalchemy import select

from hub.errors import Conflict, NotFound
from hub.models import AuditEvent, SigningKey
from hub.services import signing_keys
from hub.services.clients import create_client

PROTECTED = "/api/v1/indicators"


@pytest.fixture
def credentials(db):
    api_client, secret = create_client(db, role="board", name="board tool")
    db.commit()
    return {"grant_type": "client_credentials", "client_id": api_client.id, "client_secret": secret}


def token(client, credentials) -> str:
    return client.post("/oauth/token", data=credentials).json["access_token"]


def kid_of(access_token: str) -> str:
    return jwt.get_unverified_header(access_token)["kid"]


def status_with(client, access_token: str) -> int:
    return client.get(PROTECTED, headers={"Authorization": f"Bearer {access_token}"}).status_code


def published(client) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json["keys"]]


def test_after_a_rotation_the_running_hub_signs_with_the_new_key(client, credentials, db, state):
    before = token(client, credentials)  # the running hub has loaded its keys
    new = signing_keys.rotate(db, state.fernet)
    db.commit()
    assert kid_of(token(client, credentials)) == new != kid_of(before)


def test_tokens_signed_before_a_rotation_stay_valid(client, credentials, db, state):
    before = token(client, credentials)
    signing_keys.rotate(db, state.fernet)
    db.commit()
    assert status_with(client, before) == 200


def test_a_retired_key_s_tokens_are_refused_at_once_even_when_verified_before(client, credentials, db, state):
    before = token(client, credentials)
    assert status_with(client, before) == 200  # verified, and remembered as such
    signing_keys.rotate(db, state.fernet)
    signing_keys.retire(db, kid_of(before))
    db.commit()
    response = client.get(PROTECTED, headers={"Authorization": f"Bearer {before}"})
    assert response.status_code == 401
    assert response.json["detail"] == "token signed by a retired key"
    assert status_with(client, token(client, credentials)) == 200


def test_the_jwks_shows_a_new_key_and_drops_a_retired_one_at_once(client, db, state):
    (old,) = published(client)
    new = signing_keys.rotate(db, state.fernet)
    db.commit()
    assert published(client) == [new, old]
    signing_keys.retire(db, old)
    db.commit()
    assert published(client) == [new]


def test_the_only_published_key_cannot_be_retired(client, db):
    (only,) = published(client)
    with pytest.raises(Conflict, match="only published key.*rotate first"):
        signing_keys.retire(db, only)
    assert db.get(SigningKey, only).retired_at is None


def test_an_unknown_key_cannot_be_retired(db):
    with pytest.raises(NotFound, match="no signing key 'nope'"):
        signing_keys.retire(db, "nope")


def test_retiring_a_retired_key_changes_nothing(client, db, state):
    (old,) = published(client)
    signing_keys.rotate(db, state.fernet)
    retired_at = signing_keys.retire(db, old).retired_at
    assert signing_keys.retire(db, old).retired_at == retired_at
    assert len(db.scalars(select(AuditEvent).where(AuditEvent.action == "signing_key.retire")).all()) == 1


def test_rotations_and_retirements_are_audited_with_their_key(client, db, state):
    (old,) = published(client)
    new = signing_keys.rotate(db, state.fernet, actor="cli")
    signing_keys.retire(db, old, actor="cli")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action.like("signing_key.%"))).all()
    assert [(e.action, e.actor, e.details["kid"]) for e in events] == [
        ("signing_key.rotate", "cli", new),
        ("signing_key.retire", "cli", old),
    ]


def test_keys_are_listed_newest_first_retired_ones_included(client, db, state):
    (old,) = published(client)
    new = signing_keys.rotate(db, state.fernet)
    signing_keys.retire(db, old)
    assert [(k.kid, k.retired_at is None) for k in signing_keys.list_keys(db)] == [(new, True), (old, False)]


def test_a_key_deleted_from_the_database_refuses_its_tokens_too(client, credentials, db, state):
    before = token(client, credentials)
    assert status_with(client, before) == 200
    signing_keys.rotate(db, state.fernet)
    db.delete(db.get(SigningKey, kid_of(before)))
    db.commit()
    assert status_with(client, before) == 401
