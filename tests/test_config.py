import pytest

from hub.config import Config, ConfigError


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path):
    config = Config.from_env({"HUB_INSTANCE_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path.resolve() / 'hub.db'}"
    assert config.dialect == "sqlite"


def test_variables_override_defaults():
    config = Config.from_env(
        {
            "HUB_DATABASE_URL": "postgresql+psycopg://db/hub",
            "HUB_DISCLOSURE_MIN_CONTRIBUTORS": "5",
            "HUB_SDMX_PUBLIC": "true",
        }
    )
    assert config.dialect == "postgresql"
    assert config.disclosure_min_contributors == 5
    assert config.sdmx_public is True


def test_production_with_the_default_secret_refuses_to_start():
    with pytest.raises(ConfigError, match="HUB_SECRET_KEY"):
        Config.from_env({"HUB_ENV": "production", "HUB_ENCRYPTION_KEY": "x"})


def test_production_without_an_encryption_key_refuses_to_start():
    with pytest.raises(ConfigError, match="HUB_ENCRYPTION_KEY"):
        Config.from_env({"HUB_ENV": "production", "HUB_SECRET_KEY": "s" * 40})


def test_production_with_real_secrets_starts():
    config = Config.from_env({"HUB_ENV": "production", "HUB_SECRET_KEY": "s" * 40, "HUB_ENCRYPTION_KEY": "k"})
    assert config.production
