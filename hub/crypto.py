"""Symmetric encryption of secrets at rest (signing keys, connector credentials)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from hub.config import Config
from hub.errors import UnreadableSecret


def load_fernet(config: Config) -> MultiFernet:
    """The hub's Fernet keys: from HUB_ENCRYPTION_KEY (the first encrypts, every one decrypts,
    so that secrets can be re-encrypted under a new key: ``hub secrets reencrypt``), else one
    generated once in the instance folder."""
    if config.encryption_key:
        return MultiFernet([Fernet(key.encode()) for key in config.encryption_key.split(",")])
    path = Path(config.instance_dir) / "encryption.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
    return MultiFernet([Fernet(path.read_bytes().strip())])


def decrypted(fernet: MultiFernet, token: bytes, what: str) -> bytes:
    """``token`` decrypted, or an error naming ``what`` when no key of HUB_ENCRYPTION_KEY reads
    it (a Fernet ``InvalidToken`` says nothing of what or why)."""
    try:
        return fernet.decrypt(token)
    except InvalidToken:
        raise UnreadableSecret(
            f"{what} cannot be decrypted with HUB_ENCRYPTION_KEY: it is not the key the database's"
            " secrets were encrypted with (list that key too, after the new one)"
        ) from None
