"""POST /api/v1/clusters/{code}/submissions and reading submissions back."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from typing import Any

import pytest
from sqlalchemy import select

from hub.models import AuditEvent

URL = "/api/v1/clusters/medicen/submissions"
BODY: dict[str, Any] = {
    "period": "2025",
    "observations": [
        {"indicator": "PROJECTS_FUNDED", "value": 12, "dimensions": {"funder": "ANR"}},
        {"indicator": "BUDGET_EUR", "value": 1850000},
    ],
    "members": [{"siren": "732829320", "name": "Exemple SAS", "category": "SME", "region": "FR-IDF"}],
}


@pytest.fixture
def medicen(auth):
    return auth("cluster", "medicen")


def test_a_valid_push_is_created_with_its_summary(client, medicen):
    response = client.post(URL, json=BODY, headers=medicen)
    assert response.status_code == 201
    body = response.json
    assert body["cluster"] == "medicen" and body["period"] == "2025" and body["status"] == "accepted"
    assert body["dry_run"] is False
    assert body["counts"]["observations"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert body["counts"]["members"]["created"] == 1
    assert response.headers["Location"].endswith(f"/submissions/{body['id']}")


def test_a_resend_without_a_key_is_a_new_submission_with_everything_unchanged(client, medicen):
    first = client.post(URL, json=BODY, headers=medicen).json
    second = client.post(URL, json=BODY, headers=medicen)
    assert second.status_code == 201 and second.json["id"] != first["id"]
    assert second.json["counts"]["observations"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_the_same_idempotency_key_and_body_replays_with_200(client, medicen):
    headers = {**medicen, "Idempotency-Key": "push-1"}
    first = client.post(URL, json=BODY, headers=headers)
    replay = client.post(URL, json=BODY, headers=headers)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json == first.json
    assert len(client.get(URL, headers=medicen).json["items"]) == 1


def test_the_same_idempotency_key_with_another_body_is_a_409_problem(client, medicen):
    headers = {**medicen, "Idempotency-Key": "push-1"}
    client.post(URL, json=BODY, headers=headers)
    changed = {**BODY, "observations": [{"indicator": "EVENTS", "value": 3}]}
    response = client.post(URL, json=changed, headers=headers)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"


def test_a_dry_run_under_an_idempotency_key_used_for_another_body_is_a_409_like_the_push(client, medicen):
    headers = {**medicen, "Idempotency-Key": "push-1"}
    client.post(URL, json=BODY, headers=headers)
    changed = {**BODY, "observations": [{"indicator": "EVENTS", "value": 3}]}
    response = client.post(URL + "?dry_run=true", json=changed, headers=headers)
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize("key", ["", "k" * 201])
def test_an_idempotency_key_empty_or_over_200_characters_is_a_422_naming_it(client, medicen, key):
    response = client.post(URL, json=BODY, headers={**medicen, "Idempotency-Key": key})
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["Idempotency-Key"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_a_dry_run_answers_the_summary_and_stores_nothing(client, medicen):
    response = client.post(URL + "?dry_run=true", json=BODY, headers=medicen)
    assert response.status_code == 200
    assert response.json["dry_run"] is True and response.json["id"] is None
    assert response.json["counts"]["observations"]["created"] == 2
    assert client.get(URL, headers=medicen).json["items"] == []


@pytest.mark.parametrize("period", ["2025", "2024", ""])
def test_a_period_parameter_with_a_json_body_is_a_422_on_period_and_stores_nothing(client, medicen, period):
    response = client.post(f"{URL}?period={period}", json=BODY, headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["period"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_a_misspelt_dry_run_is_a_422_and_stores_nothing(client, medicen):
    response = client.post(URL + "?dryrun=true", json=BODY, headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["dryrun"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_invalid_rows_are_a_422_listing_every_problem(client, medicen):
    bad = {**BODY, "observations": [{"indicator": "NOPE", "value": 1}, {"indicator": "EVENTS", "value": -1}]}
    response = client.post(URL, json=bad, headers=medicen)
    assert response.status_code == 422
    paths = [error["path"] for error in response.json["errors"]]
    assert paths == ["observations[0].indicator", "observations[1].value"]


def test_a_member_list_that_is_no_list_is_a_422_listing_the_observations_problems_too(client, medicen):
    bad = {**BODY, "observations": [{"indicator": "EVENTS", "value": -1}], "members": {"siren": "732829320"}}
    response = client.post(URL, json=bad, headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["members", "observations[0].value"]


def test_a_number_too_wide_for_a_double_is_a_422_not_a_500(client, medicen):
    wide = {**BODY, "observations": [{"indicator": "EVENTS", "value": 10**400}]}
    response = client.post(URL, json=wide, headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["observations[0].value"]


@pytest.mark.parametrize("period", ["0000", "2025\n", "\uff12\uff10\uff12\uff15", "\u0662\u0660\u0662\u0665"])
def test_a_period_of_year_zero_a_trailing_newline_or_other_digits_is_a_422(client, medicen, period):
    response = client.post(URL, json={**BODY, "period": period}, headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["period"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_a_member_list_for_a_quarter_is_a_422_on_members_and_stores_nothing(client, medicen):
    response = client.post(URL, json={"period": "2025-Q4", "members": BODY["members"]}, headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["members"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_a_body_that_is_not_json_is_a_422(client, medicen):
    response = client.post(URL, data=b"{not json", headers={**medicen, "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json["errors"][0]["path"] == ""


def test_a_json_body_nested_too_deeply_is_a_422_and_stores_nothing(client, medicen):
    body = b'{"period": "2025", "observations": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    response = client.post(URL, data=body, headers={**medicen, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [error["path"] for error in response.json["errors"]] == [""]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_a_json_number_longer_than_python_reads_is_a_422_and_stores_nothing(client, medicen):
    body = b'{"period": "2025", "observations": [{"indicator": "EVENTS", "value": ' + b"1" * 5000 + b"}]}"
    response = client.post(URL, data=body, headers={**medicen, "Content-Type": "application/json"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert "4300 digits" in response.json["errors"][0]["message"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_a_csv_cell_longer_than_csv_reads_is_a_422_naming_its_line_and_stores_nothing(client, medicen):
    body = ('indicator,value\nEVENTS,"' + "1" * 200_000 + '"\n').encode()
    response = client.post(URL + "?period=2025", data=body, headers={**medicen, "Content-Type": "text/csv"})
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert [error["path"] for error in response.json["errors"]] == ["line 2"]
    assert client.get(URL, headers=medicen).json["items"] == []


def test_another_media_type_is_a_415_problem(client, medicen):
    response = client.post(URL, data=b"<xml/>", headers={**medicen, "Content-Type": "application/xml"})
    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_a_body_over_the_limit_is_a_413_problem(app, client, medicen):
    limit = app.extensions["hub"].config.max_body_bytes
    response = client.post(
        URL + "?period=2025", data=b"x" * (limit + 1), headers={**medicen, "Content-Type": "text/csv"}
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def _refusals(db) -> list[tuple[str, int]]:
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission")).all()
    return [(event.outcome, event.details["status"]) for event in events]


def test_an_announced_body_over_the_limit_is_audited_as_a_refused_push(app, client, medicen, db):
    limit = app.extensions["hub"].config.max_body_bytes
    client.post(
        URL + "?period=2025", data=b"x" * (limit + 1), headers={**medicen, "Content-Type": "text/csv"}
    )
    assert _refusals(db) == [("rejected", 413)]


def test_a_chunked_body_over_the_limit_is_a_413_problem_and_audited(app, client, medicen, db):
    limit = app.extensions["hub"].config.max_body_bytes
    response = client.post(
        URL + "?period=2025",
        input_stream=io.BytesIO(b"PROJECTS_FUNDED,1\n" * (limit // 10)),
        headers={**medicen, "Content-Type": "text/csv", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # as gunicorn says of a chunked body
    )
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    assert _refusals(db) == [("rejected", 413)]


def test_a_json_body_nested_too_deeply_is_audited_as_a_refused_push(client, medicen, db):
    body = b"[" * 100_000 + b"]" * 100_000
    client.post(URL, data=body, headers={**medicen, "Content-Type": "application/json"})
    assert _refusals(db) == [("rejected", 422)]


def test_a_body_of_another_type_is_audited_as_a_refused_push(client, medicen, db):
    client.post(URL, data="<xml/>", headers={**medicen, "Content-Type": "application/xml"})
    assert _refusals(db) == [("rejected", 415)]


def test_an_unknown_cluster_is_a_404_for_an_admin(client, auth):
    response = client.post("/api/v1/clusters/nope/submissions", json=BODY, headers=auth("admin"))
    assert response.status_code == 404


def test_a_submission_is_listed_and_read_with_its_summary(client, medicen, auth):
    created = client.post(URL, json=BODY, headers=medicen).json
    listed = client.get(URL, headers=auth("board")).json
    assert [item["id"] for item in listed["items"]] == [created["id"]] and listed["next"] is None
    item = client.get(f"{URL}/{created['id']}", headers=medicen).json
    assert item["counts"] == created["counts"] and item["source"] == "push"
    assert len(item["payload_sha256"]) == 64


def test_a_submission_of_another_cluster_is_not_found(client, medicen, auth):
    created = client.post(URL, json=BODY, headers=medicen).json
    other = client.get(f"/api/v1/clusters/systematic/submissions/{created['id']}", headers=auth("admin"))
    assert other.status_code == 404


def test_submission_lists_are_paged_with_a_next_link(client, medicen):
    ids = [client.post(URL, json=BODY, headers=medicen).json["id"] for _ in range(3)]
    first = client.get(URL + "?limit=2", headers=medicen).json
    assert [item["id"] for item in first["items"]] == ids[:0:-1]
    second = client.get(first["next"], headers=medicen).json
    assert [item["id"] for item in second["items"]] == ids[:1] and second["next"] is None


def test_an_admin_downloads_the_raw_payload_as_received(client, medicen, auth):
    raw = json.dumps(BODY, indent=2).encode()
    created = client.post(URL, data=raw, headers={**medicen, "Content-Type": "application/json"}).json
    response = client.get(f"{URL}/{created['id']}/payload", headers=auth("admin"))
    assert response.status_code == 200
    assert response.data == raw
    assert response.headers["X-Content-SHA256"] == hashlib.sha256(raw).hexdigest()


def test_the_payload_is_stored_compressed(client, medicen, db):
    from hub.models import Submission

    created = client.post(URL, json=BODY, headers=medicen).json
    stored = db.get(Submission, created["id"])
    assert json.loads(gzip.decompress(stored.payload)) == BODY


def test_the_openapi_document_describes_the_submission_endpoints(client):
    spec = client.get("/openapi.json").json
    push = spec["paths"]["/api/v1/clusters/{code}/submissions"]["post"]
    assert {"application/json", "text/csv"} <= set(push["requestBody"]["content"])
    parameters = {(parameter["in"], parameter["name"]) for parameter in push["parameters"]}
    assert parameters == {("header", "Idempotency-Key"), ("query", "dry_run"), ("query", "period")}
    assert {
        "/api/v1/clusters/{code}/submissions/{submission_id}",
        "/api/v1/clusters/{code}/submissions/{submission_id}/payload",
        "/api/v1/clusters/{code}/observations",
        "/api/v1/clusters/{code}/members",
    } <= set(spec["paths"])


def test_reading_an_unknown_cluster_is_a_404(client, auth):
    assert client.get("/api/v1/clusters/nope/observations", headers=auth("admin")).status_code == 404
