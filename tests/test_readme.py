from pathlib import Path

from hub.config import Config

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_documents_every_hub_variable():
    missing = [f"HUB_{name.upper()}" for name in Config.ENV_TYPES if f"`HUB_{name.upper()}`" not in README]
    assert missing == []


def test_readme_shows_the_two_commands():
    assert "make demo" in README
    assert "make test" in README
