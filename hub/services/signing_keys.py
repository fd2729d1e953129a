"""Rotation of the token signing keys, for operators (``hub keys``).

A rotation publishes a new key, which signs every token from then on in every process; the
keys before it still verify the tokens they signed, until retired. Retiring a key refuses its
tokens at once everywhere. The usual way: rotate, wait for the tokens of the old key to
expire (``HUB_TOKEN_TTL_SECONDS``), retire it; after a leak, rotate and retire at once, and the
clients ask for new tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.auth.keys import active_kids, create_signing_key
from hub.errors import Conflict, NotFound
from hub.models import SigningKey, utcnow
from hub.services import audit


def list_keys(session: Session) -> Sequence[SigningKey]:
    """Every key, published or retired, newest first."""
    return session.scalars(
        select(SigningKey).order_by(SigningKey.created_at.desc(), SigningKey.kid.desc())
    ).all()


def rotate(session: Session, fernet: MultiFernet, *, actor: str | None = None) -> str:
    """Publish a new key, which signs from now on; returns its kid."""
    kid = create_signing_key(session, fernet)
    audit.record(session, actor=actor, action="signing_key.rotate", outcome="ok", kid=kid)
    return kid


def retire(session: Session, kid: str, *, actor: str | None = None) -> SigningKey:
    """Retire ``kid``: no longer published, its tokens refused. The last published key cannot
    be: no token could be signed."""
    key = session.get(SigningKey, kid)
    if key is None:
        raise NotFound(f"no signing key {kid!r}")
    if key.retired_at is None:
        if active_kids(session) == (kid,):
            raise Conflict(f"{kid} is the only published key, which signs every token: rotate first")
        key.retired_at = utcnow()
        audit.record(session, actor=actor, action="signing_key.retire", outcome="ok", kid=kid)
    return key
