"""Token signing keys: created by ``hub init``, stored encrypted, published as a JWKS."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import MultiFernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from jwt.algorithms import OKPAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.crypto import decrypted
from hub.models import SigningKey, utcnow

ALGORITHM = "EdDSA"
# The published keys, newest first (a kid breaks a tie of creation times, for one order everywhere).
ACTIVE = (
    select(SigningKey)
    .where(SigningKey.retired_at.is_(None))
    .order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
)


@dataclass(frozen=True)
class KeyPair:
    kid: str
    private_key: Ed25519PrivateKey
    public_key: Ed25519PublicKey
    public_jwk: dict[str, Any]


def ensure_signing_key(session: Session, fernet: MultiFernet) -> bool:
    """Create a signing key when none is active; True when one was created."""
    if active_kids(session):
        return False
    create_signing_key(session, fernet)
    return True


def create_signing_key(session: Session, fernet: MultiFernet) -> str:
    """A new key, published at once and, as the newest, the one that signs; returns its kid."""
    private_key = Ed25519PrivateKey.generate()
    kid = secrets.token_hex(8)
    jwk = json.loads(OKPAlgorithm.to_jwk(private_key.public_key()))
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    session.add(
        SigningKey(
            kid=kid,
            algorithm=ALGORITHM,
            private_key=fernet.encrypt(pem),
            public_jwk=json.dumps(jwk),
            created_at=utcnow(),
        )
    )
    session.flush()  # the newest from now on, for this session's reads too
    return kid


def active_kids(session: Session) -> tuple[str, ...]:
    """The kids of the published keys, newest first: one small read, which tells a process
    whether the keys it holds are still the published ones."""
    return tuple(session.scalars(ACTIVE.with_only_columns(SigningKey.kid)))


def load_keys(session: Session, fernet: MultiFernet) -> list[KeyPair]:
    """Every key still published, newest first (the first signs; all verify)."""
    rows = session.scalars(ACTIVE)
    pairs = []
    for row in rows:
        pem = decrypted(fernet, row.private_key, f"signing key {row.kid}")
        private_key = serialization.load_pem_private_key(pem, None)
        assert isinstance(private_key, Ed25519PrivateKey)
        pairs.append(KeyPair(row.kid, private_key, private_key.public_key(), json.loads(row.public_jwk)))
    return pairs
