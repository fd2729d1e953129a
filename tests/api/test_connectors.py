"""The connector endpoints: configure, read back without secrets, queue pulls, read runs."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from hub.demo_feeds import auth_for, connector_config
from hub.models import AuditEvent
from hub.services import sync
from schemas.siren import make_siren
from tests.conftest import FEEDS_SECRET

BASE = "/api/v1/clusters/medicen"
TOKEN = "s3cret-token-value"
CONFIG = {
    "type": "feed_json",
    "url": "https://crm.example.org/afpc/feed",
    "enabled": True,
    "schedule": "0 3 * * *",
    "auth": {"type": "bearer", "token": TOKEN},
    "mapping": {},
}


@pytest.fixture
def admin(auth):
    return auth("admin")


@pytest.fixture
def configured(client, admin):
    response = client.put(BASE + "/connector", json=CONFIG, headers=admin)
    assert response.status_code == 200
    return response


def test_a_configuration_is_answered_without_its_secret(configured):
    assert configured.json["auth"] == {"type": "bearer", "token": "set"}
    assert TOKEN not in configured.get_data(as_text=True)


def test_the_cluster_reads_its_configuration_without_its_secret(client, auth, configured):
    response = client.get(BASE + "/connector", headers=auth("cluster", "medicen"))
    assert response.status_code == 200
    assert response.json["schedule"] == "0 3 * * *" and response.json["auth"]["token"] == "set"
    assert TOKEN not in response.get_data(as_text=True)


def test_a_cluster_without_a_connector_is_a_404(client, admin):
    assert client.get("/api/v1/clusters/systematic/connector", headers=admin).status_code == 404


def test_a_bad_configuration_lists_every_problem(client, admin):
    body = {**CONFIG, "type": "ftp", "url": "ftp://x", "schedule": "every day", "auth": {"type": "basic"}}
    response = client.put(BASE + "/connector", json=body, headers=admin)
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    paths = {error["path"] for error in response.json["errors"]}
    assert paths == {"type", "url", "schedule", "auth.username", "auth.password"}


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/feed",
        "http://crm.example.org:99999/feed",
        "http://crm.example.org:0/feed",
        "http://crm.example.org:http/feed",
        "http://:8/feed",
        "https:///feed",
        "http://crm example.org/feed",
    ],
    ids=[
        "open-bracket",
        "port-too-high",
        "port-0",
        "port-not-a-number",
        "no-host",
        "empty-host",
        "space-in-host",
    ],
)
def test_a_url_no_pull_could_fetch_is_a_422_at_url(client, admin, url):
    response = client.put(BASE + "/connector", json={**CONFIG, "url": url}, headers=admin)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["url"]
    assert client.get(BASE + "/connector", headers=admin).status_code == 404


@pytest.mark.parametrize(
    "url", ["https://afpc:pa55word@crm.example.org/feed", "https://pa55word@crm.example.org/feed"]
)
def test_credentials_in_the_url_are_a_422_pointing_to_auth(client, admin, db, url):
    response = client.put(BASE + "/connector", json={**CONFIG, "url": url}, headers=admin)
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"path": "url", "message": "must not hold a user name or password: give them in auth, as basic"}
    ]
    assert "pa55word" not in response.get_data(as_text=True)
    assert client.get(BASE + "/connector", headers=admin).status_code == 404
    assert db.scalars(select(AuditEvent).where(AuditEvent.action == "connector.configure")).all() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1]:8080/feed",
        "https://crm.example.org:8443/afpc/{period}/feed",
    ],
)
def test_a_url_with_a_port_an_ipv6_host_or_the_period_in_its_path_is_accepted(client, admin, url):
    response = client.put(BASE + "/connector", json={**CONFIG, "url": url}, headers=admin)
    assert response.status_code == 200 and response.json["url"] == url


def test_a_url_longer_than_2000_characters_is_a_422_at_url(client, admin):
    url = "https://crm.example.org/feed?" + "x" * 1972
    assert len(url) == 2001 and refused_paths(client, admin, {**CONFIG, "url": url}) == {"url"}
    assert client.put(BASE + "/connector", json={**CONFIG, "url": url[:-1]}, headers=admin).status_code == 200


def test_a_valid_schedule_longer_than_100_characters_is_a_422_at_schedule(client, admin):
    schedule = ",".join(str(minute) for minute in range(60)) + " 3 * * *"
    assert refused_paths(client, admin, {**CONFIG, "schedule": schedule}) == {"schedule"}


def test_the_openapi_document_states_the_lengths_of_url_and_schedule(client):
    body = client.get("/openapi.json").json["components"]["schemas"]["ConnectorSettings"]["properties"]
    assert (body["url"]["maxLength"], body["schedule"]["maxLength"]) == (2000, 100)


def test_a_malformed_body_is_a_422_with_paths(client, admin):
    body = {"type": 3, "auth": {"type": "bearer", "tokn": "x"}}
    response = client.put(BASE + "/connector", json=body, headers=admin)
    assert response.status_code == 422
    paths = {error["path"] for error in response.json["errors"]}
    assert paths == {"type", "url", "auth.tokn", "auth.token"}


@pytest.mark.parametrize("value", ["true", "off", 1, 0])
def test_enabled_is_true_or_false_only(client, admin, value):
    response = client.put(BASE + "/connector", json={**CONFIG, "enabled": value}, headers=admin)
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "enabled", "message": "must be true or false"}]
    assert client.get(BASE + "/connector", headers=admin).status_code == 404


def test_field_and_configuration_problems_come_in_one_answer(client, admin):
    body = {**CONFIG, "url": "ftp://x", "schedule": "daily", "auth": {"type": "bearer"}, "retries": 3}
    response = client.put(BASE + "/connector", json=body, headers=admin)
    assert response.status_code == 422
    assert {error["path"] for error in response.json["errors"]} == {
        "retries",
        "url",
        "schedule",
        "auth.token",
    }


def refused_paths(client, admin, body):
    """The paths a ``PUT`` of ``body`` is refused for (a 422)."""
    response = client.put(BASE + "/connector", json=body, headers=admin)
    assert response.status_code == 422
    return {error["path"] for error in response.json["errors"]}


def test_a_mapping_a_pull_could_not_apply_lists_every_problem(client, admin):
    mapping = {"indicators": ["EVENTS"], "dimensions": {"funder": {"anr": 7}}, "columns": {}, "units": {}}
    paths = refused_paths(client, admin, {**CONFIG, "mapping": mapping})
    assert paths == {
        "mapping.indicators",
        "mapping.dimensions.funder.anr",
        "mapping.columns",
        "mapping.units",
    }


def test_a_dimensions_renaming_given_as_null_is_a_422_at_its_path(client, admin):
    mapping = {"dimensions": {"funder": None, "category": {"pme": "SME"}}}
    assert refused_paths(client, admin, {**CONFIG, "mapping": mapping}) == {"mapping.dimensions.funder"}


def test_a_csv_mapping_names_its_columns(client, admin):
    columns = {"indicator": "indicateur", "value": "valeur", "dimensions": {"funder": "financeur"}}
    mapping = {"columns": columns, "dimensions": {"funder": {"Région": "REGION"}}}
    body = {**CONFIG, "type": "csv", "mapping": mapping}
    assert client.put(BASE + "/connector", json=body, headers=admin).status_code == 200
    wrong = {**mapping, "columns": {**columns, "value": ["valeur"], "unit": "u"}}
    paths = refused_paths(client, admin, {**body, "mapping": wrong})
    assert paths == {"mapping.columns.value", "mapping.columns.unit"}


UNSENDABLE = "pa55-w0rd"


@pytest.mark.parametrize(
    ("credentials", "path"),
    [
        ({"type": "bearer", "token": UNSENDABLE + "\n"}, "auth.token"),
        ({"type": "bearer", "token": UNSENDABLE + "\r\nX-Other: 1"}, "auth.token"),
        ({"type": "bearer", "token": "\t" + UNSENDABLE}, "auth.token"),
        ({"type": "bearer", "token": UNSENDABLE + "\u20ac"}, "auth.token"),
        ({"type": "api_key", "header": "X-Api-Key", "key": " " + UNSENDABLE}, "auth.key"),
        ({"type": "api_key", "header": "X-Api-Key:", "key": UNSENDABLE}, "auth.header"),
        ({"type": "api_key", "header": "X Api Key", "key": UNSENDABLE}, "auth.header"),
        ({"type": "basic", "username": "afpc\n", "password": UNSENDABLE}, "auth.username"),
        ({"type": "basic", "username": "afpc:" + UNSENDABLE, "password": UNSENDABLE}, "auth.username"),
        ({"type": "basic", "username": "afpc", "password": UNSENDABLE + " "}, "auth.password"),
    ],
    ids=[
        "token-with-its-newline",
        "token-with-a-header-after-it",
        "token-after-a-tab",
        "token-beyond-latin-1",
        "key-after-a-space",
        "header-name-with-a-colon",
        "header-name-with-spaces",
        "username-with-its-newline",
        "username-with-a-colon",
        "password-before-a-space",
    ],
)
def test_a_credential_no_request_could_send_is_a_422_that_does_not_show_it(client, admin, credentials, path):
    response = client.put(BASE + "/connector", json={**CONFIG, "auth": credentials}, headers=admin)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == [path]
    assert UNSENDABLE not in response.get_data(as_text=True)
    assert client.get(BASE + "/connector", headers=admin).status_code == 404


def test_a_credential_with_spaces_inside_and_latin_1_letters_is_accepted(client, admin):
    credentials = {"type": "basic", "username": "pôle compétitivité", "password": "mot de passe"}
    response = client.put(BASE + "/connector", json={**CONFIG, "auth": credentials}, headers=admin)
    assert response.status_code == 200


def test_a_schedule_change_keeps_the_token(client, admin, configured):
    body = {**CONFIG, "schedule": "30 4 * * 1", "auth": {"type": "bearer"}}
    response = client.put(BASE + "/connector", json=body, headers=admin)
    assert response.status_code == 200
    assert response.json["auth"] == {"type": "bearer", "token": "set"}


def test_weekday_7_is_sunday_as_in_cron(client, admin):
    response = client.put(BASE + "/connector", json={**CONFIG, "schedule": "0 3 * * 7"}, headers=admin)
    assert response.status_code == 200 and response.json["schedule"] == "0 3 * * 7"


def test_a_put_leaving_auth_out_keeps_the_stored_credentials(client, admin, configured):
    body = {name: value for name, value in CONFIG.items() if name != "auth"}
    response = client.put(BASE + "/connector", json={**body, "enabled": False}, headers=admin)
    assert response.status_code == 200
    assert response.json["auth"] == {"type": "bearer", "token": "set"}


def test_auth_none_drops_the_stored_credentials(client, admin, configured):
    response = client.put(BASE + "/connector", json={**CONFIG, "auth": {"type": "none"}}, headers=admin)
    assert response.status_code == 200 and response.json["auth"] == {"type": "none"}


def test_a_new_connector_without_auth_has_none(client, admin):
    body = {name: value for name, value in CONFIG.items() if name != "auth"}
    response = client.put(BASE + "/connector", json=body, headers=admin)
    assert response.status_code == 200 and response.json["auth"] == {"type": "none"}


def test_a_sync_request_queues_a_run(client, auth, configured):
    response = client.post(BASE + "/sync", json={"period": "2024"}, headers=auth("cluster", "medicen"))
    assert response.status_code == 202
    run = client.get(f"/api/v1/runs/{response.json['run_id']}", headers=auth("board")).json
    assert (run["status"], run["period"], run["trigger"], run["cluster"]) == (
        "queued",
        "2024",
        "api",
        "medicen",
    )


def test_a_sync_request_without_a_body_asks_for_the_previous_year(client, admin, configured):
    run_id = client.post(BASE + "/sync", headers=admin).json["run_id"]
    assert client.get(f"/api/v1/runs/{run_id}", headers=admin).json["period"].isdigit()


@pytest.mark.parametrize("period", ["2025-Q5", ""])
def test_a_sync_request_with_a_bad_period_is_a_422_and_queues_nothing(client, admin, configured, period):
    response = client.post(BASE + "/sync", json={"period": period}, headers=admin)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["period"]
    assert client.get("/api/v1/runs?kind=sync", headers=admin).json["items"] == []


def test_a_sync_request_without_an_enabled_connector_is_a_409(client, admin):
    response = client.post(BASE + "/sync", headers=admin)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_a_disabled_connector_is_not_pulled_on_request(client, admin):
    client.put(BASE + "/connector", json={**CONFIG, "enabled": False}, headers=admin)
    assert client.post(BASE + "/sync", headers=admin).status_code == 409


def test_runs_are_listed_newest_first_and_filtered(client, admin, configured):
    first = client.post(BASE + "/sync", headers=admin).json["run_id"]
    second = client.post(BASE + "/sync", headers=admin).json["run_id"]
    listed = client.get("/api/v1/runs?kind=sync&status=queued&cluster=medicen", headers=admin).json
    assert [run["id"] for run in listed["items"]] == [second, first]
    assert client.get("/api/v1/runs?status=failed", headers=admin).json["items"] == []


def test_runs_are_paged(client, admin, configured):
    for _ in range(3):
        client.post(BASE + "/sync", headers=admin)
    page = client.get("/api/v1/runs?limit=2", headers=admin).json
    assert len(page["items"]) == 2 and page["next"]
    rest = client.get(page["next"], headers=admin).json
    assert len(rest["items"]) == 1 and rest["next"] is None


def test_a_cluster_lists_only_its_own_runs(client, auth, admin, configured):
    other = {**CONFIG, "url": "https://other.example.org/feed"}
    client.put("/api/v1/clusters/systematic/connector", json=other, headers=admin)
    client.post("/api/v1/clusters/systematic/sync", headers=admin)
    mine = client.post(BASE + "/sync", headers=admin).json["run_id"]
    listed = client.get("/api/v1/runs?cluster=systematic", headers=auth("cluster", "medicen")).json
    assert [run["id"] for run in listed["items"]] == [mine]


def test_an_unknown_run_is_a_404(client, admin):
    assert client.get("/api/v1/runs/999999", headers=admin).status_code == 404


def test_the_configuration_change_is_audited_without_the_secret(client, admin, configured, db):
    details = db.scalars(select(AuditEvent.details).where(AuditEvent.action == "connector.configure")).all()
    assert details and TOKEN not in json.dumps(details)


def test_the_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/openapi.json").json["paths"]
    for path in (
        "/api/v1/clusters/{code}/connector",
        "/api/v1/clusters/{code}/sync",
        "/api/v1/runs/{run_id}",
    ):
        assert path in paths


def test_a_pull_end_to_end_over_http(client, auth, state, demo_feeds, federation):
    """PUT the connector, ask for a pull, let the runner (the scheduler's job) run it, read the data."""
    code = next(c.code for c in federation.clusters if auth_for(c.code, FEEDS_SECRET)["type"] == "bearer")
    admin, own = auth("admin"), auth("cluster", code)
    config = connector_config(code, demo_feeds.url, FEEDS_SECRET, "json")
    assert client.put(f"/api/v1/clusters/{code}/connector", json=config, headers=admin).status_code == 200
    run_id = client.post(f"/api/v1/clusters/{code}/sync", json={"period": "2024"}, headers=own).json["run_id"]
    sync.execute(state, run_id)
    run = client.get(f"/api/v1/runs/{run_id}", headers=own)
    assert (run.json["status"], run.json["error"]) == ("succeeded", None) and run.json["pages"] > 1
    observations = client.get(f"/api/v1/clusters/{code}/observations?period=2024&limit=1000", headers=own)
    assert len(observations.json["items"]) == len(federation.submission(code, "2024")["observations"])
    shown = client.get(f"/api/v1/clusters/{code}/connector", headers=own)
    assert config["auth"]["token"] not in run.get_data(as_text=True) + shown.get_data(as_text=True)


def test_a_pull_dropping_most_of_the_current_list_says_so_on_its_run(
    client, auth, state, demo_feeds, federation
):
    """The cluster's current list holds its feed's members and more again: the feed's list
    is stored, as the complete list it claims to be, and the run carries the warning."""
    code = next(c.code for c in federation.clusters if auth_for(c.code, FEEDS_SECRET)["type"] == "bearer")
    admin, own = auth("admin"), auth("cluster", code)
    document = federation.submission(code, "2024")
    listed = document["members"]
    extra = [{**listed[0], "siren": make_siren(900_000 + n)} for n in range(len(listed) + 1)]
    pushed = {**document, "members": listed + extra}
    assert client.post(f"/api/v1/clusters/{code}/submissions", json=pushed, headers=own).status_code == 201
    config = connector_config(code, demo_feeds.url, FEEDS_SECRET, "json")
    client.put(f"/api/v1/clusters/{code}/connector", json=config, headers=admin)
    run_id = client.post(f"/api/v1/clusters/{code}/sync", json={"period": "2024"}, headers=own).json["run_id"]
    sync.execute(state, run_id)
    run = client.get(f"/api/v1/runs/{run_id}", headers=own).json
    assert (run["status"], run["counts"]["members"]["removed"]) == ("succeeded", len(extra))
    assert [warning["code"] for warning in run["warnings"]] == ["members_mostly_removed"]
