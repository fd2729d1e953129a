"""API clients: creation (secret shown once), authentication, revocation."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from hub.auth.secrets import hash_secret, new_secret, verify_secret
from hub.auth.tokens import ROLE_SCOPES, Principal
from hub.errors import FieldProblem, InvalidInput, NotAuthenticated, NotFound
from hub.models import ApiClient, Cluster, SigningKey, utcnow
from hub.services import audit

ROLES = tuple(ROLE_SCOPES)

# Verifying against a fixed hash when the client is unknown keeps the answer time
# the same for unknown ids and wrong secrets.
_DUMMY_HASH = hash_secret("not-a-real-secret")
# A client's revocation and the retirement of the key that signed its token, in one read.
ACTIVE = (
    select(ApiClient.revoked_at, SigningKey.kid, SigningKey.retired_at)
    .select_from(ApiClient)
    .outerjoin(SigningKey, SigningKey.kid == bindparam("kid"))
    .where(ApiClient.id == bindparam("client_id"))
)


def create_client(
    session: Session, *, role: str, name: str, cluster: str | None = None, actor: str | None = None
) -> tuple[ApiClient, str]:
    """Create a client; returns it with its secret, which is never stored in clear."""
    problems = []
    if role not in ROLES:
        problems.append(FieldProblem("role", f"must be one of {', '.join(ROLES)}"))
    if role == "cluster" and not cluster:
        problems.append(FieldProblem("cluster", "a cluster client needs a cluster code"))
    if role != "cluster" and cluster:
        problems.append(FieldProblem("cluster", "only cluster clients are bound to a cluster"))
    if cluster and session.get(Cluster, cluster) is None:
        problems.append(FieldProblem("cluster", f"unknown cluster {cluster!r}"))
    if not name.strip():
        problems.append(FieldProblem("name", "must not be empty"))
    if problems:
        raise InvalidInput(problems)
    secret = new_secret()
    client = ApiClient(
        id=f"{role}-{secrets.token_hex(8)}",
        name=name.strip(),
        role=role,
        cluster_code=cluster,
        secret_hash=hash_secret(secret),
        created_at=utcnow(),
    )
    session.add(client)
    audit.record(
        session,
        actor=actor,
        action="client.create",
        outcome="ok",
        cluster=cluster,
        client=client.id,
        role=role,
    )
    return client, secret


def list_clients(session: Session) -> Sequence[ApiClient]:
    return session.scalars(select(ApiClient).order_by(ApiClient.created_at, ApiClient.id)).all()


def revoke_client(session: Session, client_id: str, *, actor: str | None = None) -> ApiClient:
    client = session.get(ApiClient, client_id)
    if client is None:
        raise NotFound(f"no client {client_id!r}")
    if client.revoked_at is None:
        client.revoked_at = utcnow()
        audit.record(session, actor=actor, action="client.revoke", outcome="ok", client=client_id)
    return client


def authenticate_client(session: Session, client_id: str, secret: str) -> Principal:
    """The principal of a client whose secret matches; one vague 401 otherwise."""
    client = session.get(ApiClient, client_id) if client_id else None
    valid = verify_secret(client.secret_hash if client else _DUMMY_HASH, secret or "")
    if client is None or not valid or client.revoked_at is not None:
        raise NotAuthenticated("invalid client credentials", error="invalid_client")
    return principal_of(client)


def principal_of(client: ApiClient) -> Principal:
    return Principal(
        subject=client.id, role=client.role, cluster=client.cluster_code, scope=ROLE_SCOPES[client.role]
    )


def ensure_active(session: Session, who: Principal) -> None:
    """Refuse a token at once when its client was revoked or deleted, or the key that signed
    it retired (``hub keys retire``), in whichever process verified it before.

    One Core query rather than loading the ORM object: it runs on every request, and on a
    small push the ORM load cost as much as the write itself.
    """
    # On the session's connection: this read needs nothing of the ORM's execution path, which
    # cost as much again as the query itself.
    row = session.connection().execute(ACTIVE, {"client_id": who.subject, "kid": who.key_id}).first()
    if row is None or row.revoked_at is not None:
        raise NotAuthenticated("client revoked or unknown")
    if row.kid is None or row.retired_at is not None:
        raise NotAuthenticated("token signed by a retired key")
