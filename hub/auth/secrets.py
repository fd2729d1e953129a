"""Slow, salted hashes for client secrets and user passwords."""

from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

# scrypt with werkzeug's defaults (N=2**15): slow enough to make a stolen table costly.
METHOD = "scrypt"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return generate_password_hash(secret, method=METHOD)


def verify_secret(secret_hash: str, secret: str) -> bool:
    return check_password_hash(secret_hash, secret)
