"""CLI tests run the real ``hub`` command group against a fresh instance folder each."""

import pytest
from click.testing import CliRunner

from hub.cli import main
from hub.cli.context import hub_state


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("HUB_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("HUB_DATABASE_URL", raising=False)
    hub_state.cache_clear()
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    yield invoke
    if hub_state.cache_info().currsize:
        hub_state().engine.dispose()
    hub_state.cache_clear()
