"""What one running hub holds: configuration, engine, session factory, token service."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import MultiFernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.auth.keys import KeyPair, active_kids, load_keys
from hub.auth.tokens import TokenService
from hub.config import Config
from hub.crypto import load_fernet
from hub.db import make_engine, make_session_factory, read_only


@dataclass
class HubState:
    config: Config
    engine: Engine
    sessions: sessionmaker[Session]
    fernet: MultiFernet
    tokens: TokenService

    @classmethod
    def build(
        cls, config: Config, engine: Engine | None = None, sessions: sessionmaker[Session] | None = None
    ) -> HubState:
        """Assemble a hub; tests pass ``sessions`` bound to their rolled-back transaction."""
        engine = engine if engine is not None else make_engine(config)
        sessions = sessions if sessions is not None else make_session_factory(engine)
        fernet = load_fernet(config)

        def keys() -> list[KeyPair]:
            assert sessions is not None
            with sessions() as session:
                return load_keys(read_only(session), fernet)

        def published() -> tuple[str, ...]:
            assert sessions is not None
            with sessions() as session:
                return active_kids(read_only(session))

        tokens = TokenService(
            load=keys,
            published=published,
            issuer=config.token_issuer,
            audience=config.token_audience,
            ttl_seconds=config.token_ttl_seconds,
        )
        return cls(config=config, engine=engine, sessions=sessions, fernet=fernet, tokens=tokens)
