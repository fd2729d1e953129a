"""One demo API client per role, kept in the instance folder (owner-only) so that a second
``hub demo`` prints working credentials again instead of piling up new clients."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from hub.auth.secrets import verify_secret
from hub.db import transaction
from hub.models import ApiClient
from hub.services.clients import create_client
from hub.state import HubState

ROLES = ("cluster", "board", "ministry", "admin")
FILE_NAME = "demo-credentials.json"

Credentials = dict[str, dict[str, Any]]


def credentials_path(state: HubState) -> Path:
    return Path(state.config.instance_dir) / FILE_NAME


def ensure_credentials(state: HubState, cluster_code: str) -> Credentials:
    """The saved demo clients that still work, and new ones for the roles that do not."""
    path = credentials_path(state)
    saved: Credentials = json.loads(path.read_text()) if path.exists() else {}
    with transaction(state.sessions) as session:
        for role in ROLES:
            if role in saved and _still_valid(session, saved[role]):
                continue
            client, secret = create_client(
                session,
                role=role,
                name=f"demo {role}",
                cluster=cluster_code if role == "cluster" else None,
                actor="demo",
            )
            saved[role] = {
                "client_id": client.id,
                "client_secret": secret,
                "role": role,
                "cluster": client.cluster_code,
            }
    write_private(path, json.dumps(saved, indent=2))
    return saved


def _still_valid(session: Session, entry: dict[str, Any]) -> bool:
    client = session.get(ApiClient, entry.get("client_id", ""))
    return (
        client is not None
        and client.revoked_at is None
        and verify_secret(client.secret_hash, str(entry.get("client_secret", "")))
    )


def write_private(path: Path, text: str) -> None:
    """Secrets on disk are readable by their owner only, from the first byte written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
