"""Changing HUB_ENCRYPTION_KEY: secrets stay readable while the old key is listed after the new
one, and ``reencrypt`` moves every one of them under the new key, or none."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select

from hub.auth.keys import create_signing_key, load_keys
from hub.errors import UnreadableSecret
from hub.models import AuditEvent, ConnectorConfig, SigningKey, utcnow
from hub.services.connectors import Settings, configure, source_of
from hub.services.encryption import reencrypt

OLD, NEW = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())


@pytest.fixture
def stored(db):
    """Every signing key and one connector's credentials encrypted under OLD only, one key
    retired; another connector has no credentials to encrypt."""
    for key in db.scalars(select(SigningKey)):
        db.delete(key)
    retired = create_signing_key(db, MultiFernet([OLD]))
    db.get(SigningKey, retired).retired_at = utcnow()
    create_signing_key(db, MultiFernet([OLD]))
    settings = Settings(
        type="feed_json", url="http://127.0.0.1:9/feed", auth={"type": "bearer", "token": "t0ken"}, mapping={}
    )
    configure(db, fernet=MultiFernet([OLD]), cluster_code="medicen", settings=settings, actor="test")
    open_feed = Settings(type="feed_json", url="http://127.0.0.1:9/open", auth={"type": "none"}, mapping={})
    configure(db, fernet=MultiFernet([OLD]), cluster_code="systematic", settings=open_feed, actor="test")
    db.commit()
    return db


def test_secrets_under_the_old_key_are_read_while_it_is_listed_after_the_new_one(stored):
    both = MultiFernet([NEW, OLD])
    assert len(load_keys(stored, both)) == 1
    assert source_of(stored.get(ConnectorConfig, "medicen"), both).auth["token"] == "t0ken"


def test_reencrypt_puts_every_secret_retired_keys_included_under_the_first_key(stored):
    counts = reencrypt(stored, MultiFernet([NEW, OLD]), actor="cli")
    assert counts == {"signing_keys": 2, "connector_credentials": 1}
    for key in stored.scalars(select(SigningKey)):
        NEW.decrypt(key.private_key)
    json.loads(NEW.decrypt(stored.get(ConnectorConfig, "medicen").auth_secret))
    with pytest.raises(InvalidToken):
        OLD.decrypt(stored.get(ConnectorConfig, "medicen").auth_secret)
    event = stored.scalars(select(AuditEvent).where(AuditEvent.action == "secrets.reencrypt")).one()
    assert (event.actor, event.details["counts"]) == ("cli", counts)


def test_a_secret_no_listed_key_reads_stops_the_reencryption_naming_it(stored):
    before = {key.kid: key.private_key for key in stored.scalars(select(SigningKey))}
    with pytest.raises(
        UnreadableSecret, match=r"^signing key \w+ cannot be decrypted with HUB_ENCRYPTION_KEY"
    ):
        reencrypt(stored, MultiFernet([NEW]))
    stored.rollback()
    assert {key.kid: key.private_key for key in stored.scalars(select(SigningKey))} == before


def test_a_connector_s_credentials_no_listed_key_reads_are_named_by_its_cluster(stored):
    for key in stored.scalars(select(SigningKey)):
        key.private_key = NEW.encrypt(OLD.decrypt(key.private_key))
    with pytest.raises(UnreadableSecret, match="^the credentials of medicen's connector cannot be decrypted"):
        reencrypt(stored, MultiFernet([NEW]))
