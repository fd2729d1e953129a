"""Re-encryption of the secrets stored at rest (the signing keys' private halves, connector
credentials) under the first key of ``HUB_ENCRYPTION_KEY``.

Changing that key: put the new key first and the old one after it (``NEW,OLD``) in every
process's environment, restart them, run ``hub secrets reencrypt``, then drop the old key.
While both are listed every process reads secrets encrypted under either.
"""

from __future__ import annotations

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.crypto import decrypted
from hub.models import ConnectorConfig, SigningKey
from hub.services import audit


def reencrypt(session: Session, fernet: MultiFernet, *, actor: str | None = None) -> dict[str, int]:
    """Every stored secret, retired signing keys included, encrypted again under the first key;
    all of them or, if one cannot be read with any key given, none. Returns how many."""
    keys = session.scalars(select(SigningKey).order_by(SigningKey.kid)).all()
    for key in keys:
        key.private_key = _rotated(fernet, key.private_key, f"signing key {key.kid}")
    connectors = session.scalars(
        select(ConnectorConfig)
        .where(ConnectorConfig.auth_secret.is_not(None))
        .order_by(ConnectorConfig.cluster_code)
    ).all()
    for row in connectors:
        assert row.auth_secret is not None  # selected so
        row.auth_secret = _rotated(
            fernet, row.auth_secret, f"the credentials of {row.cluster_code}'s connector"
        )
    counts = {"signing_keys": len(keys), "connector_credentials": len(connectors)}
    audit.record(session, actor=actor, action="secrets.reencrypt", outcome="ok", counts=counts)
    return counts


def _rotated(fernet: MultiFernet, token: bytes, what: str) -> bytes:
    return fernet.encrypt(decrypted(fernet, token, what))
