"""Registry endpoints: readable by every role, editable by admins only."""

import pytest

NEW = {"code": "new-water", "name": "New Water", "region": "FR-OCC", "theme": "WATER"}


@pytest.mark.parametrize(
    "role,cluster", [("cluster", "medicen"), ("board", None), ("ministry", None), ("admin", None)]
)
def test_every_role_reads_the_registry(client, auth, role, cluster):
    response = client.get("/api/v1/clusters", headers=auth(role, cluster))
    assert response.status_code == 200
    assert len(response.json["items"]) == 53
    assert response.json["next"] is None
    medicen = next(item for item in response.json["items"] if item["code"] == "medicen")
    assert medicen["region"] == "FR-IDF"
    assert medicen["theme"] == "HEALTH"


def test_registry_requires_a_token(client):
    assert client.get("/api/v1/clusters").status_code == 401


def test_indicators_list_the_catalogue_with_code_lists(client, auth):
    body = client.get("/api/v1/indicators", headers=auth("ministry")).json
    funded = next(item for item in body["items"] if item["code"] == "PROJECTS_FUNDED")
    assert funded["aggregation"] == "sum"
    assert "ANR" in funded["dimensions"]["funder"]
    assert body["code_lists"]["category"]["SME"]["fr"] == "PME"


def test_admin_adds_a_cluster(client, auth):
    response = client.post("/api/v1/clusters", json=NEW, headers=auth("admin"))
    assert response.status_code == 201
    assert client.get("/api/v1/clusters/new-water", headers=auth("board")).json["name"] == "New Water"


@pytest.mark.parametrize("role,cluster", [("cluster", "medicen"), ("board", None), ("ministry", None)])
def test_only_admins_add_clusters(client, auth, role, cluster):
    assert client.post("/api/v1/clusters", json=NEW, headers=auth(role, cluster)).status_code == 403


def test_adding_an_existing_code_is_a_409(client, auth):
    response = client.post("/api/v1/clusters", json={**NEW, "code": "medicen"}, headers=auth("admin"))
    assert response.status_code == 409


def test_adding_with_bad_codes_lists_every_problem(client, auth):
    response = client.post(
        "/api/v1/clusters",
        json={"code": "Bad Code", "region": "FR-XX", "theme": "NOPE"},
        headers=auth("admin"),
    )
    assert response.status_code == 422
    assert {e["path"] for e in response.json["errors"]} == {"code", "name", "region", "theme"}


def test_admin_deactivates_a_cluster(client, auth):
    response = client.patch("/api/v1/clusters/medicen", json={"active": False}, headers=auth("admin"))
    assert response.status_code == 200
    assert response.json["active"] is False
    active = client.get("/api/v1/clusters?active=true", headers=auth("admin")).json["items"]
    assert "medicen" not in {item["code"] for item in active}


@pytest.mark.parametrize("value", ["false", "no", 0, 1])
def test_active_in_a_body_is_true_or_false_only_and_changes_nothing_else(client, auth, value):
    response = client.patch(
        "/api/v1/clusters/medicen", json={"active": value, "name": "Renamed"}, headers=auth("admin")
    )
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "active", "message": "must be true or false"}]
    cluster = client.get("/api/v1/clusters/medicen", headers=auth("admin")).json
    assert cluster["active"] is True and cluster["name"] != "Renamed"


@pytest.mark.parametrize(("value", "listed"), [("false", False), ("0", False), ("true", True)])
def test_active_in_a_query_string_takes_the_usual_words(client, auth, value, listed):
    items = client.get(f"/api/v1/clusters?active={value}", headers=auth("admin")).json["items"]
    assert ("medicen" in {item["code"] for item in items}) is listed


def test_a_theme_list_without_the_main_theme_is_a_422_and_changes_nothing(client, auth):
    response = client.patch(
        "/api/v1/clusters/medicen", json={"themes": ["DIGITAL"], "name": "Renamed"}, headers=auth("admin")
    )
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "themes", "message": "must include the main theme (HEALTH)"}]
    cluster = client.get("/api/v1/clusters/medicen", headers=auth("admin")).json
    assert (cluster["themes"], cluster["name"]) == (["HEALTH"], "Medicen Paris Region")


def test_board_cannot_edit_a_cluster(client, auth):
    assert (
        client.patch("/api/v1/clusters/medicen", json={"active": False}, headers=auth("board")).status_code
        == 403
    )


def test_editing_an_unknown_cluster_is_a_404(client, auth):
    assert client.patch("/api/v1/clusters/nope", json={"name": "x"}, headers=auth("admin")).status_code == 404
