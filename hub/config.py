"""Configuration, read from ``HUB_*`` environment variables in this one place."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from cryptography.fernet import Fernet

DEFAULT_SECRET_KEY = "dev-only-insecure-secret-key"
Number = TypeVar("Number", int, float)


class ConfigError(RuntimeError):
    """The configuration cannot be used (for example a default secret in production)."""


TRUE, FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _bool(value: str) -> bool:
    word = value.strip().lower()
    if word not in TRUE | FALSE:  # a typo must not quietly mean false
        raise ValueError(f"must be true or false (1/0, yes/no, on/off), not {value!r}")
    return word in TRUE


def _one_of(*choices: str) -> Callable[[str], str]:
    """A word from ``choices``: a misspelt ``production`` must not start a hub on development's
    guessable defaults."""

    def convert(value: str) -> str:
        if value not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    return convert


def _parsed(value: str, parse: Callable[[str], Number], kind: str) -> Number:
    try:
        return parse(value)
    except ValueError:
        raise ValueError(f"must be {kind}, not {value!r}") from None


def _count(value: str) -> int:
    number = _parsed(value, int, "a whole number")
    if number < 1:
        raise ValueError(f"must be 1 or more, not {number}")
    return number


def _share(value: str) -> float:
    number = _parsed(value, float, "a number")
    if not 0 < number <= 1:
        raise ValueError(f"must be above 0 and at most 1, not {value}")
    return number


def _fernet_keys(value: str) -> str:
    """One Fernet key, or several separated by commas while secrets are re-encrypted under a new
    one (the first encrypts, every one decrypts). A key is never repeated in a message."""
    keys = [key.strip() for key in value.split(",")]
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            where = f"key {position} of {len(keys)}" if len(keys) > 1 else "the key"
            raise ValueError(
                f"must be Fernet keys (32 url-safe base64-encoded bytes) separated by commas: {where} is not"
            ) from None
    return ",".join(keys)


@dataclass(frozen=True)
class Config:
    env: str = "development"
    instance_dir: Path = Path("instance")
    database_url: str = ""
    secret_key: str = DEFAULT_SECRET_KEY
    encryption_key: str = ""
    token_issuer: str = "afpc-hub"
    token_audience: str = "afpc-hub-api"
    token_ttl_seconds: int = 900
    max_body_bytes: int = 50 * 1024 * 1024
    disclosure_min_contributors: int = 3
    disclosure_dominance: float = 0.85
    sdmx_public: bool = False
    log_level: str = "INFO"
    base_url: str = ""  # unset: the links a response holds are on the URL its request came in by
    sync_concurrency: int = 8
    aggregate_interval_seconds: int = 60
    run_timeout_seconds: int = 3600
    scheduler_lease_seconds: int = 30
    testing: bool = False

    ENV_TYPES: ClassVar[dict[str, Callable[[str], Any]]] = {
        "env": _one_of("development", "production"),
        "instance_dir": Path,
        "database_url": str,
        "secret_key": str,
        "encryption_key": _fernet_keys,
        "token_issuer": str,
        "token_audience": str,
        "token_ttl_seconds": _count,
        "max_body_bytes": _count,
        "disclosure_min_contributors": _count,
        "disclosure_dominance": _share,
        "sdmx_public": _bool,
        "log_level": _one_of("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        "base_url": str,
        "sync_concurrency": _count,
        "aggregate_interval_seconds": _count,
        "run_timeout_seconds": _count,
        "scheduler_lease_seconds": _count,
    }

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Config:
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        problems = []
        for name, convert in cls.ENV_TYPES.items():
            variable = f"HUB_{name.upper()}"
            raw = environ.get(variable)
            if raw is not None and raw != "":
                try:
                    values[name] = convert(raw)
                except ValueError as error:
                    problems.append(f"{variable} {error}")
        if problems:
            raise ConfigError("invalid configuration: " + "; ".join(problems))
        values.update(overrides)
        config = cls(**values)
        if not config.database_url:
            config = replace(config, database_url=f"sqlite:///{config.instance_dir.resolve() / 'hub.db'}")
        config.check()
        return config

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def dialect(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]

    def check(self) -> None:
        """Refuse a production start on development defaults: they would be guessable."""
        if not self.production:
            return
        problems = []
        if self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32:
            problems.append("HUB_SECRET_KEY must be set to a random value of 32+ characters")
        if not self.encryption_key:
            problems.append("HUB_ENCRYPTION_KEY must be set (a Fernet key)")
        if problems:
            raise ConfigError("refusing to start in production: " + "; ".join(problems))
