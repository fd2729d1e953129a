import json
import re

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, func, inspect, select

from hub import migrations
from hub.auth.keys import load_keys
from hub.auth.secrets import verify_secret
from hub.cli.context import hub_state
from hub.models import AuditEvent, Cluster, Indicator, SigningKey, User
from tests.conftest import _create_postgres_database


def test_init_twice_changes_nothing(run):
    first = run("init")
    assert first.exit_code == 0
    with hub_state().sessions() as session:
        before = [
            session.scalar(select(func.count()).select_from(t)) for t in (Cluster, Indicator, SigningKey)
        ]
    second = run("init")
    assert second.exit_code == 0
    assert "0 indicator(s) and 0 cluster(s) added" in second.output
    assert "signing key present" in second.output
    with hub_state().sessions() as session:
        after = [
            session.scalar(select(func.count()).select_from(t)) for t in (Cluster, Indicator, SigningKey)
        ]
    assert before == after == [53, 13, 1]


def test_init_keeps_an_admins_deactivation(run):
    run("init")
    run("clusters", "deactivate", "medicen")
    run("init")
    with hub_state().sessions() as session:
        assert session.get(Cluster, "medicen").active is False


def test_clients_create_json_prints_exactly_one_object(run):
    run("init")
    result = run("clients", "create", "--role", "cluster", "--cluster", "medicen", "--name", "CRM", "--json")
    assert result.exit_code == 0
    record = json.loads(result.output)
    assert set(record) == {"client_id", "client_secret", "role", "cluster"}
    assert record["role"] == "cluster"
    assert record["cluster"] == "medicen"


def test_clients_list_never_shows_a_secret(run):
    run("init")
    secret = json.loads(run("clients", "create", "--role", "board", "--name", "B", "--json").output)[
        "client_secret"
    ]
    listing = run("clients", "list")
    assert listing.exit_code == 0
    assert secret not in listing.output
    assert "board" in listing.output


def test_clients_revoke_marks_the_client_revoked(run):
    run("init")
    client_id = json.loads(run("clients", "create", "--role", "board", "--name", "B", "--json").output)[
        "client_id"
    ]
    assert run("clients", "revoke", client_id).exit_code == 0
    rows = json.loads(run("clients", "list", "--json").output)
    assert rows[0]["revoked_at"] is not None


def test_clients_list_shows_each_clients_cluster_and_whether_it_is_revoked(run):
    run("init")
    run("clients", "create", "--role", "cluster", "--cluster", "medicen", "--name", "CRM")
    board = json.loads(run("clients", "create", "--role", "board", "--name", "B", "--json").output)
    run("clients", "revoke", board["client_id"])
    lines = {line.split()[1]: line.split()[2:4] for line in run("clients", "list").output.splitlines()}
    assert lines == {"cluster": ["medicen", "active"], "board": ["-", "revoked"]}


def test_cluster_client_without_cluster_is_refused_with_a_clear_message(run):
    run("init")
    result = run("clients", "create", "--role", "cluster", "--name", "CRM")
    assert result.exit_code != 0
    assert "cluster" in result.output


def test_clients_create_is_audited_without_the_secret(run):
    run("init")
    secret = json.loads(run("clients", "create", "--role", "board", "--name", "B", "--json").output)[
        "client_secret"
    ]
    with hub_state().sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "client.create")).all()
    assert len(events) == 1
    assert secret not in json.dumps(events[0].details)


def test_users_create_reads_the_password_from_stdin(run):
    run("init")
    result = run(
        "users", "create", "--role", "board", "--email", "Alice@Example.org", input="a-long-password-1\n"
    )
    assert result.exit_code == 0
    assert "alice@example.org" in result.output


def test_users_create_keeps_the_spaces_around_a_password_and_drops_its_line_end(run):
    run("init")
    run("users", "create", "--role", "board", "--email", "carol@example.org", input="  spaced password  \r\n")
    with hub_state().sessions() as session:
        stored = session.scalars(select(User.password_hash)).one()
    assert verify_secret(stored, "  spaced password  ")


def test_users_create_refuses_a_short_password(run):
    run("init")
    result = run("users", "create", "--role", "board", "--email", "bob@example.org", input="short\n")
    assert result.exit_code != 0
    assert "password" in result.output


def test_clusters_add_then_list_shows_it(run):
    run("init")
    assert (
        run(
            "clusters", "add", "new-water", "--name", "New Water", "--region", "FR-OCC", "--theme", "WATER"
        ).exit_code
        == 0
    )
    assert "new-water" in run("clusters", "list").output


def test_clusters_list_all_shows_the_inactive_clusters_as_such(run):
    run("init")
    run("clusters", "deactivate", "medicen")
    assert "medicen" not in run("clusters", "list").output
    (line,) = [line for line in run("clusters", "list", "--all").output.splitlines() if "medicen" in line]
    assert "inactive Medicen" in line


def test_clusters_edit_changes_only_the_fields_it_is_given(run):
    run("init")
    assert run("clusters", "edit", "medicen", "--name", "Medicen").exit_code == 0
    with hub_state().sessions() as session:
        cluster = session.get(Cluster, "medicen")
        assert (cluster.name, cluster.region, cluster.theme) == ("Medicen", "FR-IDF", "HEALTH")


def test_clusters_add_with_unknown_region_is_refused(run):
    run("init")
    result = run("clusters", "add", "x-cluster", "--name", "X", "--region", "FR-XXX", "--theme", "WATER")
    assert result.exit_code != 0
    assert "region" in result.output


def test_a_bad_configuration_variable_is_one_clear_line_not_a_traceback(run, monkeypatch):
    monkeypatch.setenv("HUB_TOKEN_TTL_SECONDS", "15m")
    result = run("init")
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: invalid configuration: HUB_TOKEN_TTL_SECONDS must be a whole number, not '15m'\n"
    )


def test_a_database_that_cannot_answer_is_one_clear_line_not_a_traceback(run, monkeypatch, tmp_path):
    monkeypatch.setenv("HUB_DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'hub.db'}")
    result = run("aggregate", "--dirty")
    assert result.exit_code == 1
    assert result.output.startswith("Error: the database could not answer: unable to open database file")


def test_init_refuses_a_postgresql_server_too_old_for_the_hub_and_changes_nothing(run, monkeypatch):
    """No server older than 15 runs here: the minimum is raised above the one that does."""
    url, drop = _create_postgres_database()
    monkeypatch.setenv("HUB_DATABASE_URL", url)
    monkeypatch.setattr(migrations, "MINIMUM_POSTGRESQL", (99,))
    try:
        result = run("init")
        assert result.exit_code == 1
        assert re.fullmatch(
            r"Error: PostgreSQL [\d.]+ is too old: the hub needs PostgreSQL 99 or newer\n", result.output
        )
        engine = create_engine(url)
        assert inspect(engine).get_table_names() == []
        engine.dispose()
    finally:
        drop()


def test_keys_rotate_publishes_a_key_that_signs_and_retire_ends_the_old_one(run):
    run("init")
    (old,) = json.loads(run("keys", "list", "--json").output)
    rotated = run("keys", "rotate")
    assert rotated.exit_code == 0 and "it signs every token from now on" in rotated.output
    new = rotated.output.split()[3].rstrip(":")
    assert [(k["kid"], k["state"]) for k in json.loads(run("keys", "list", "--json").output)] == [
        (new, "signs"),
        (old["kid"], "verifies"),
    ]
    assert (
        run("keys", "retire", old["kid"]).output
        == f"retired {old['kid']}: its tokens are refused from now on\n"
    )
    lines = [line.split()[:2] for line in run("keys", "list").output.splitlines()]
    assert lines == [[new, "signs"], [old["kid"], "retired"]]


def test_keys_retire_of_the_only_key_fails_and_says_to_rotate_first(run):
    run("init")
    (only,) = json.loads(run("keys", "list", "--json").output)
    result = run("keys", "retire", only["kid"])
    assert result.exit_code == 1
    assert "the only published key, which signs every token: rotate first" in result.output


def _reconfigured(monkeypatch, encryption_key):
    """The environment of the next command: the hub state is built anew from it."""
    if hub_state.cache_info().currsize:
        hub_state().engine.dispose()
    hub_state.cache_clear()
    monkeypatch.setenv("HUB_ENCRYPTION_KEY", encryption_key)


def test_secrets_reencrypt_moves_the_stored_secrets_under_a_new_encryption_key(run, monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    _reconfigured(monkeypatch, old)
    run("init")
    _reconfigured(monkeypatch, f"{new},{old}")
    assert run("secrets", "reencrypt").output == (
        "re-encrypted under the first key of HUB_ENCRYPTION_KEY (the others can go now):"
        " signing keys 1, connector credentials 0\n"
    )
    _reconfigured(monkeypatch, new)
    with hub_state().sessions() as session:
        assert len(load_keys(session, hub_state().fernet)) == 1


def test_an_encryption_key_that_is_not_one_stops_every_command_in_one_line(run, monkeypatch):
    _reconfigured(monkeypatch, "not-a-fernet-key")
    result = run("clients", "list")
    assert result.exit_code == 1
    assert result.output == (
        "Error: invalid configuration: HUB_ENCRYPTION_KEY must be Fernet keys (32 url-safe"
        " base64-encoded bytes) separated by commas: the key is not\n"
    )


def test_init_with_another_encryption_key_than_the_database_s_says_so(run, monkeypatch):
    _reconfigured(monkeypatch, Fernet.generate_key().decode())
    run("init")
    _reconfigured(monkeypatch, Fernet.generate_key().decode())
    result = run("init")
    assert result.exit_code == 1
    assert "cannot be decrypted with HUB_ENCRYPTION_KEY: it is not the key" in result.output
