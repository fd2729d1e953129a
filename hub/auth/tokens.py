"""Issue and verify the hub's access tokens (asymmetric JWTs with a ``kid``)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import jwt

from hub.auth.keys import ALGORITHM, KeyPair
from hub.errors import NotAuthenticated
from hub.models import utcnow

# Tokens whose signature and claims were checked, with their expiry: a client pushing
# many submissions presents the same token each time, and verifying it again (two JWT
# parses and a signature check) cost as much as a small push's own writes.
VERIFIED_TOKENS = 1024

ROLE_SCOPES = {
    "cluster": "submissions:write submissions:read observations:read members:read sync",
    "board": "observations:read aggregates:read reports:write reports:read national:read",
    "ministry": "national:read reports:read sdmx:read",
    "admin": "admin",
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API client (by token) or a board user (by web session)."""

    subject: str
    role: str
    cluster: str | None = None
    scope: str = ""
    kind: str = "client"
    key_id: str | None = None  # the kid of the key that signed the token it came from


class TokenService:
    """Signs with the newest key, verifies with any published one.

    Keys are cached. Before signing a token or publishing the JWKS, one small read of the
    published kids (``published``) tells whether another process rotated or retired a key
    since; an unknown ``kid`` in a token triggers a reload too. A retired key's tokens are
    refused at once by the per-request check of the caller (``clients.ensure_active``).
    """

    def __init__(
        self,
        *,
        load: Callable[[], list[KeyPair]],
        published: Callable[[], tuple[str, ...]],
        issuer: str,
        audience: str,
        ttl_seconds: int,
    ) -> None:
        self._load = load
        self._published = published
        self._keys: list[KeyPair] | None = None
        self._verified: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()
        self.issuer = issuer
        self.audience = audience
        self.ttl_seconds = ttl_seconds

    def _key_list(self, refresh: bool = False) -> list[KeyPair]:
        with self._lock:
            if self._keys is None or refresh:
                self._keys = self._load()
            return self._keys

    def _current_keys(self) -> list[KeyPair]:
        keys = self._key_list()
        if tuple(pair.kid for pair in keys) != self._published():
            keys = self._key_list(refresh=True)
        return keys

    def jwks(self) -> dict[str, Any]:
        return {"keys": [pair.public_jwk for pair in self._current_keys()]}

    def issue(self, principal: Principal) -> tuple[str, int]:
        keys = self._current_keys()
        if not keys:
            raise RuntimeError("no signing key: run `hub init`")
        now = utcnow()
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": principal.subject,
            "role": principal.role,
            "cluster": principal.cluster,
            "scope": principal.scope,
            "iat": now,
            "nbf": now,
            "exp": now + timedelta(seconds=self.ttl_seconds),
            "jti": secrets.token_hex(16),
        }
        token = jwt.encode(claims, keys[0].private_key, algorithm=ALGORITHM, headers={"kid": keys[0].kid})
        return token, self.ttl_seconds

    def verify(self, token: str) -> Principal:
        """The token's principal; any defect is a 401 that does not say which check failed.

        A token verified before is only checked for expiry again: the cache is keyed by the
        exact token string, so any altered token is verified in full.
        """
        known = self._verified.get(token)
        if known is not None:
            principal, expires = known
            if time.time() >= expires:
                raise NotAuthenticated("token expired")
            return principal
        principal, expires = self._verify(token)
        with self._lock:
            if len(self._verified) >= VERIFIED_TOKENS:
                self._verified.clear()
            self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise NotAuthenticated("malformed token") from exc
        if header.get("alg") != ALGORITHM:
            raise NotAuthenticated("token algorithm not accepted")
        pair = self._find(header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                pair.public_key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "sub", "exp", "iat", "jti"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise NotAuthenticated("token expired") from exc
        except jwt.PyJWTError as exc:
            raise NotAuthenticated("invalid token") from exc
        role = claims.get("role")
        if not isinstance(role, str) or role not in ROLE_SCOPES:
            raise NotAuthenticated("invalid token")
        principal = Principal(
            subject=claims["sub"],
            role=role,
            cluster=claims.get("cluster"),
            scope=claims.get("scope", ""),
            key_id=pair.kid,
        )
        return principal, float(claims["exp"])

    def _find(self, kid: Any) -> KeyPair:
        if not isinstance(kid, str):
            raise NotAuthenticated("token has no key id")
        for refresh in (False, True):
            for pair in self._key_list(refresh=refresh):
                if pair.kid == kid:
                    return pair
        raise NotAuthenticated("unknown signing key")
