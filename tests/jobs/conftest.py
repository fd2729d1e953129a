"""Scheduler processes need a database they can all see: a committed one of their own."""

import os
from pathlib import Path

import pytest

from hub.config import Config
from hub.db import make_engine
from hub.services.setup import initialise
from tests.conftest import BACKEND, _create_postgres_database


@pytest.fixture
def shared_database(tmp_path: Path):
    """Environment for ``hub`` processes on a fresh, initialised database (this backend)."""
    instance = tmp_path / "instance"
    if BACKEND == "postgresql":
        url, drop = _create_postgres_database()
    else:
        url, drop = f"sqlite:///{instance / 'hub.db'}", (lambda: None)
    config = Config.from_env({}, instance_dir=instance, database_url=url)
    engine = make_engine(config)
    initialise(config, engine)
    env = {**os.environ, "HUB_INSTANCE_DIR": str(instance), "HUB_DATABASE_URL": url}
    yield env, engine
    engine.dispose()
    drop()
