"""Connector configuration: checked whole, credentials encrypted and write-only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.errors import InvalidInput, NotFound
from hub.models import AuditEvent, ConnectorConfig
from hub.services.connectors import Settings, configure, describe, get_config, source_of
from tests.services.conftest import TOKEN


def put(state, db, **changes):
    settings = Settings(**{"type": "feed_json", "url": "https://crm.example.org/feed", **changes})
    return configure(db, fernet=state.fernet, cluster_code="medicen", settings=settings, actor="admin")


def test_every_problem_is_reported_at_once(state, db):
    with pytest.raises(InvalidInput) as refused:
        put(state, db, type="ftp", url="file:///etc/passwd", schedule="61 * * * *", auth={"type": "bearer"})
    paths = {problem.path for problem in refused.value.errors}
    assert paths == {"type", "url", "schedule", "auth.token"}


def test_a_schedule_needs_five_cron_fields(state, db):
    with pytest.raises(InvalidInput) as refused:
        put(state, db, schedule="0 3 * *")
    assert [problem.path for problem in refused.value.errors] == ["schedule"]


@pytest.mark.parametrize("weekdays", ["8", "5-1", "?", "*/0", "1#2", "L"])
def test_a_weekday_cron_does_not_know_is_refused(state, db, weekdays):
    with pytest.raises(InvalidInput) as refused:
        put(state, db, schedule=f"0 3 * * {weekdays}")
    assert [problem.path for problem in refused.value.errors] == ["schedule"]


def test_an_unknown_auth_type_is_refused(state, db):
    with pytest.raises(InvalidInput) as refused:
        put(state, db, auth={"type": "oauth"})
    assert [problem.path for problem in refused.value.errors] == ["auth.type"]


def test_a_field_of_another_auth_type_is_refused(state, db):
    with pytest.raises(InvalidInput) as refused:
        put(state, db, auth={"type": "basic", "username": "u", "password": "p", "token": "t"})
    assert [problem.path for problem in refused.value.errors] == ["auth.token"]


def test_an_unknown_cluster_is_not_found(state, db):
    settings = Settings(type="csv", url="https://crm.example.org/feed.csv")
    with pytest.raises(NotFound):
        configure(db, fernet=state.fernet, cluster_code="nowhere", settings=settings, actor="admin")


def test_credentials_are_encrypted_at_rest(state, db, configured):
    row = db.get(ConnectorConfig, "medicen")
    assert TOKEN.encode() not in row.auth_secret
    assert json.loads(state.fernet.decrypt(row.auth_secret)) == {"token": TOKEN}


def test_the_description_says_which_fields_are_set_never_their_value(state, db):
    shown = put(state, db, auth={"type": "api_key", "header": "X-Key", "key": TOKEN})
    assert shown["auth"] == {"type": "api_key", "header": "set", "key": "set"}
    assert TOKEN not in json.dumps(shown, default=str)


def test_a_change_without_the_secret_keeps_the_stored_one(state, db, configured):
    put(state, db, url=configured.url, schedule="0 3 * * *", auth={"type": "bearer"})
    source = source_of(get_config(db, "medicen"), state.fernet)
    assert source.auth == {"type": "bearer", "token": TOKEN}


def test_settings_without_auth_keep_the_credentials_the_pull_sends(state, db, configured):
    put(state, db, url=configured.url, enabled=False)
    assert source_of(get_config(db, "medicen"), state.fernet).auth == {"type": "bearer", "token": TOKEN}


def test_credentials_kept_by_leaving_auth_out_keep_the_feeds_validators(state, db, configured):
    get_config(db, "medicen").etag = '"v1"'
    put(state, db, url=configured.url)
    assert get_config(db, "medicen").etag == '"v1"'


def test_another_auth_type_needs_its_own_fields(state, db, configured):
    with pytest.raises(InvalidInput) as refused:
        put(state, db, auth={"type": "basic", "username": "u"})
    assert [problem.path for problem in refused.value.errors] == ["auth.password"]


def test_a_new_feed_forgets_the_old_feeds_validators(state, db, configured):
    row = get_config(db, "medicen")
    row.etag = '"v1"'
    put(state, db, url="https://elsewhere.example.org/feed", auth={"type": "bearer"})
    assert get_config(db, "medicen").etag is None


def test_a_new_mapping_forgets_the_validators_so_the_next_pull_applies_it(state, db, configured):
    row = get_config(db, "medicen")
    row.etag = '"v1"'
    put(state, db, url=configured.url, auth={"type": "bearer"}, mapping={"indicators": {"EVENTZ": "EVENTS"}})
    assert get_config(db, "medicen").etag is None


def test_a_change_of_schedule_keeps_the_validators(state, db, configured):
    row = get_config(db, "medicen")
    row.etag = '"v1"'
    put(state, db, url=configured.url, auth={"type": "bearer"}, schedule="0 3 * * *")
    assert get_config(db, "medicen").etag == '"v1"'


def test_changes_are_audited_without_the_secret(state, db, configured):
    put(state, db, auth={"type": "bearer", "token": "another-secret"})
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "connector.configure").order_by(AuditEvent.id)
    ).all()
    assert [event.outcome for event in events] == ["created", "updated"]
    assert events[-1].details["auth"] == {"type": "bearer", "token": "set"}
    assert not any(secret in json.dumps(e.details) for e in events for secret in (TOKEN, "another-secret"))


def test_the_source_carries_the_decrypted_auth_and_the_stored_validators(state, db, configured):
    row = get_config(db, "medicen")
    row.etag, row.last_modified = '"v1"', "Wed, 01 Jan 2025 00:00:00 GMT"
    source = source_of(row, state.fernet)
    assert (source.etag, source.last_modified) == ('"v1"', "Wed, 01 Jan 2025 00:00:00 GMT")
    assert describe(row, state.fernet)["auth"] == {"type": "bearer", "token": "set"}
