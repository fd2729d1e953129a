"""Reading back a cluster's observations (current and history) and member lists."""

from __future__ import annotations

from typing import Any

import pytest

BASE = "/api/v1/clusters/medicen"
MEMBER = {"siren": "732829320", "name": "Exemple SAS", "category": "SME", "region": "FR-IDF"}


def body(funded: int, members: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "period": "2025",
        "observations": [
            {"indicator": "PROJECTS_FUNDED", "value": funded, "dimensions": {"funder": "ANR"}},
            {"indicator": "MEMBER_SATISFACTION", "value": 7.5},
        ],
    }
    if members is not None:
        document["members"] = members
    return document


@pytest.fixture
def medicen(auth):
    return auth("cluster", "medicen")


def push(client, headers, document) -> int:
    response = client.post(BASE + "/submissions", json=document, headers=headers)
    assert response.status_code == 201, response.json
    return response.json["id"]


def test_current_observations_are_listed_with_their_revision(client, medicen):
    push(client, medicen, body(12))
    push(client, medicen, body(13))
    items = client.get(BASE + "/observations?period=2025", headers=medicen).json["items"]
    funded = [item for item in items if item["indicator"] == "PROJECTS_FUNDED"]
    assert [(item["value"], item["revision"], item["current"]) for item in funded] == [(13, 2, True)]
    assert funded[0]["dimensions"] == {"funder": "ANR"}


def test_history_lists_every_revision_with_its_submission_and_time(client, medicen):
    ids = [push(client, medicen, body(value)) for value in (10, 11, 12, 13)]
    response = client.get(BASE + "/observations?indicator=PROJECTS_FUNDED&history=true", headers=medicen)
    items = response.json["items"]
    assert [(item["value"], item["revision"], item["submission_id"]) for item in items] == list(
        zip([10, 11, 12, 13], [1, 2, 3, 4], ids, strict=True)
    )
    assert [item["current"] for item in items] == [False, False, False, True]
    assert all(item["created_at"] for item in items)


def test_observations_filter_by_indicator_and_keep_decimals(client, medicen):
    push(client, medicen, body(12))
    items = client.get(BASE + "/observations?indicator=MEMBER_SATISFACTION", headers=medicen).json["items"]
    assert [item["value"] for item in items] == [7.5]


def test_observation_lists_are_paged(client, medicen):
    push(client, medicen, body(12))
    first = client.get(BASE + "/observations?limit=1", headers=medicen).json
    assert len(first["items"]) == 1 and first["next"]
    second = client.get(first["next"], headers=medicen).json
    assert len(second["items"]) == 1 and second["next"] is None
    assert second["items"][0]["indicator"] != first["items"][0]["indicator"]


def test_the_current_member_list_is_served_as_submitted(client, medicen):
    submission = push(client, medicen, body(12, [MEMBER]))
    response = client.get(BASE + "/members?period=2025", headers=medicen).json
    assert response["submission_id"] == submission
    assert response["items"] == [{**MEMBER, "country": "FR", "foreign_id": None, "joined_on": None}]


def test_an_earlier_snapshot_stays_readable_through_its_submission(client, medicen):
    first = push(client, medicen, body(12, [MEMBER]))
    push(client, medicen, body(12, [{**MEMBER, "category": "MIDCAP"}]))
    current = client.get(BASE + "/members?period=2025", headers=medicen).json["items"]
    earlier = client.get(f"{BASE}/members?period=2025&submission={first}", headers=medicen).json["items"]
    assert [item["category"] for item in current] == ["MIDCAP"]
    assert [item["category"] for item in earlier] == ["SME"]


def test_a_submission_that_resent_its_list_unchanged_lists_the_snapshot_it_left_current(client, medicen):
    first = push(client, medicen, body(12, [MEMBER]))
    resent = push(client, medicen, body(13, [MEMBER]))
    push(client, medicen, body(13, [{**MEMBER, "category": "MIDCAP"}]))
    listed = client.get(f"{BASE}/members?period=2025&submission={resent}", headers=medicen).json
    assert listed["submission_id"] == first
    assert [(item["siren"], item["category"]) for item in listed["items"]] == [(MEMBER["siren"], "SME")]


def test_a_submission_that_resent_an_emptied_list_lists_it_empty(client, medicen):
    push(client, medicen, body(12, [MEMBER]))
    push(client, medicen, body(12, []))
    resent = push(client, medicen, body(12, []))
    listed = client.get(f"{BASE}/members?period=2025&submission={resent}", headers=medicen).json
    assert listed["items"] == []


def test_a_period_without_a_member_list_is_empty(client, medicen):
    response = client.get(BASE + "/members?period=2019", headers=medicen).json
    assert response == {"items": [], "next": None, "submission_id": None}


def test_the_member_list_needs_a_period(client, medicen):
    response = client.get(BASE + "/members", headers=medicen)
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["period"]


def test_a_csv_push_is_created_with_its_counts(client, medicen):
    raw = b"indicator,value,funder\nPROJECTS_FUNDED,12,ANR\nEVENTS,4,\n"
    response = client.post(
        BASE + "/submissions?period=2025", data=raw, headers={**medicen, "Content-Type": "text/csv"}
    )
    assert response.status_code == 201
    assert response.json["counts"]["observations"] == {"created": 2, "updated": 0, "unchanged": 0}


def test_a_csv_push_lists_its_problems_by_line_and_column(client, medicen):
    raw = b"indicator,value,funder\nPROJECTS_FUNDED,12,BANK\nEVENTS,-4,\n"
    response = client.post(
        BASE + "/submissions?period=2025",
        data=raw,
        headers={**medicen, "Content-Type": "text/csv; charset=utf-8"},
    )
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == [
        "line 2, column funder",
        "line 3, column value",
    ]


def test_a_csv_push_needs_a_period(client, medicen):
    response = client.post(
        BASE + "/submissions", data=b"indicator,value\n", headers={**medicen, "Content-Type": "text/csv"}
    )
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["period"]


def test_a_foreign_member_is_served_with_its_country_and_identifier(client, medicen):
    foreign = {
        "country": "DE",
        "foreign_id": "HRB12345",
        "name": "Beispiel GmbH",
        "category": "SME",
        "joined_on": "2021-03-01",
    }
    push(client, medicen, body(12, [foreign]))
    items = client.get(BASE + "/members?period=2025", headers=medicen).json["items"]
    assert items == [{**foreign, "siren": None, "region": None}]


@pytest.mark.parametrize("what", ["submissions", "observations", "members?period=2025"])
def test_reading_what_an_unknown_cluster_sent_is_a_404(client, auth, what):
    assert client.get(f"/api/v1/clusters/nope/{what}", headers=auth("admin")).status_code == 404


def test_observations_filter_by_period(client, medicen):
    push(client, medicen, body(12))
    push(client, medicen, {**body(14), "period": "2024"})
    items = client.get(BASE + "/observations?period=2024&indicator=PROJECTS_FUNDED", headers=medicen).json
    assert [(item["period"], item["value"]) for item in items["items"]] == [("2024", 14)]


def test_a_whole_number_indicator_is_served_as_an_integer_and_a_decimal_one_as_a_float(client, medicen):
    satisfaction = {"indicator": "MEMBER_SATISFACTION", "value": 8}
    push(
        client,
        medicen,
        {"period": "2025", "observations": [{"indicator": "EVENTS", "value": 4}, satisfaction]},
    )
    items = client.get(BASE + "/observations", headers=medicen).json["items"]
    served = {item["indicator"]: item["value"] for item in items}
    assert (type(served["EVENTS"]), type(served["MEMBER_SATISFACTION"])) == (int, float)


def test_a_submission_of_another_cluster_or_period_lists_no_members(client, medicen, auth):
    systematic = auth("cluster", "systematic")
    response = client.post(
        "/api/v1/clusters/systematic/submissions", json=body(12, [MEMBER]), headers=systematic
    )
    theirs = response.json["id"]
    mine_2024 = push(client, medicen, {**body(12, [MEMBER]), "period": "2024"})
    for submission in (theirs, mine_2024):
        listed = client.get(f"{BASE}/members?period=2025&submission={submission}", headers=medicen).json
        assert listed["items"] == []


def test_each_cluster_s_list_shows_the_name_and_region_it_gave_a_shared_member(client, medicen, auth):
    push(client, medicen, body(12, [MEMBER]))
    renamed = {**MEMBER, "name": "Exemple Holding", "region": "FR-ARA"}
    systematic = auth("cluster", "systematic")
    client.post("/api/v1/clusters/systematic/submissions", json=body(12, [renamed]), headers=systematic)
    (theirs,) = client.get("/api/v1/clusters/systematic/members?period=2025", headers=systematic).json[
        "items"
    ]
    assert (theirs["name"], theirs["region"]) == ("Exemple Holding", "FR-ARA")


def test_a_csv_push_after_a_byte_order_mark_is_read(client, medicen):
    raw = b"\xef\xbb\xbfindicator,value\nEVENTS,4\n"
    response = client.post(
        BASE + "/submissions?period=2025", data=raw, headers={**medicen, "Content-Type": "text/csv"}
    )
    assert response.status_code == 201
