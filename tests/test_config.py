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


def test_a_variable_that_is_not_a_number_is_a_clear_error_naming_it():
    with pytest.raises(
        ConfigError, match=r"^invalid configuration: HUB_TOKEN_TTL_SECONDS must be a whole number, not 'abc'$"
    ):
        Config.from_env({"HUB_TOKEN_TTL_SECONDS": "abc"})


def test_every_bad_variable_is_named_at_once():
    with pytest.raises(ConfigError) as refused:
        Config.from_env(
            {"HUB_SYNC_CONCURRENCY": "0", "HUB_DISCLOSURE_DOMINANCE": "1.5", "HUB_SDMX_PUBLIC": "ture"}
        )
    assert str(refused.value) == (
        "invalid configuration: HUB_DISCLOSURE_DOMINANCE must be above 0 and at most 1, not 1.5;"
        " HUB_SDMX_PUBLIC must be true or false (1/0, yes/no, on/off), not 'ture';"
        " HUB_SYNC_CONCURRENCY must be 1 or more, not 0"
    )


@pytest.mark.parametrize(("raw", "value"), [("off", False), ("0", False), ("Yes", True), (" on ", True)])
def test_a_boolean_variable_takes_its_usual_words(raw, value):
    assert Config.from_env({"HUB_SDMX_PUBLIC": raw}).sdmx_public is value


@pytest.mark.parametrize(
    ("variable", "value", "choices"),
    [
        ("HUB_ENV", "prod", "development, production"),
        ("HUB_LOG_LEVEL", "verbose", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ],
)
def test_a_word_outside_its_choices_is_refused_naming_them(variable, value, choices):
    with pytest.raises(
        ConfigError, match=f"^invalid configuration: {variable} must be one of {choices}, not '{value}'$"
    ):
        Config.from_env({variable: value})
