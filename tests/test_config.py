import pytest
from cryptography.fernet import Fernet

from hub.config import Config, ConfigError

KEY, OTHER_KEY = Fernet.generate_key().decode(), Fernet.generate_key().decode()


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
        Config.from_env({"HUB_ENV": "production", "HUB_ENCRYPTION_KEY": KEY})


def test_production_without_an_encryption_key_refuses_to_start():
    with pytest.raises(ConfigError, match="HUB_ENCRYPTION_KEY"):
        Config.from_env({"HUB_ENV": "production", "HUB_SECRET_KEY": "s" * 40})


def test_production_with_real_secrets_starts():
    config = Config.from_env({"HUB_ENV": "production", "HUB_SECRET_KEY": "s" * 40, "HUB_ENCRYPTION_KEY": KEY})
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


def test_an_encryption_key_that_is_not_a_fernet_key_is_refused_without_being_shown():
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"HUB_ENCRYPTION_KEY": "not-a-key-but-a-secret"})
    assert str(refused.value) == (
        "invalid configuration: HUB_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded"
        " bytes) separated by commas: the key is not"
    )


def test_of_several_encryption_keys_a_bad_one_is_named_by_its_place():
    with pytest.raises(ConfigError, match="HUB_ENCRYPTION_KEY .*: key 2 of 3 is not$"):
        Config.from_env({"HUB_ENCRYPTION_KEY": f"{KEY},{KEY[:-2]},{OTHER_KEY}"})


def test_several_encryption_keys_are_taken_in_their_order_around_spaces():
    assert (
        Config.from_env({"HUB_ENCRYPTION_KEY": f"{KEY}, {OTHER_KEY}"}).encryption_key == f"{KEY},{OTHER_KEY}"
    )
