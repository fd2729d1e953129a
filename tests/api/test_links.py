"""Every link the hub returns is on ``HUB_BASE_URL``: the name its clients reach it by, which
behind a proxy is not the one a request comes in with; unset, on the request's own."""

from dataclasses import replace

import pytest

from hub import create_app
from hub.state import HubState

BASE = "https://hub.example.org"
SUBMISSIONS = "/api/v1/clusters/medicen/submissions"
BODY = {"period": "2025", "observations": [{"indicator": "EVENTS", "value": 3}]}


@pytest.fixture
def proxied(base_config, engine, sessions):
    """A client of a hub whose public URL (given with a trailing slash) is not the request's host."""
    state = HubState.build(replace(base_config, base_url=BASE + "/"), engine, sessions)
    return create_app(state=state).test_client()


def test_a_next_link_is_on_the_base_url_with_every_parameter_as_it_came(proxied, auth):
    medicen = auth("cluster", "medicen")
    for _ in range(2):
        proxied.post(SUBMISSIONS, json=BODY, headers=medicen)
    page = proxied.get(f"{SUBMISSIONS}?limit=1", headers=medicen).json
    assert page["next"].startswith(f"{BASE}{SUBMISSIONS}?limit=1&cursor=")
    assert len(proxied.get(page["next"], headers=medicen).json["items"]) == 1


def test_without_a_base_url_a_link_is_on_the_url_the_request_came_in_by(client, auth):
    response = client.post(
        SUBMISSIONS, json=BODY, headers=auth("cluster", "medicen"), base_url="http://hub.internal:8123"
    )
    assert response.headers["Location"] == f"http://hub.internal:8123{SUBMISSIONS}/{response.json['id']}"


def test_a_pushed_submission_is_located_on_the_base_url(proxied, auth):
    response = proxied.post(SUBMISSIONS, json=BODY, headers=auth("cluster", "medicen"))
    assert response.headers["Location"] == f"{BASE}{SUBMISSIONS}/{response.json['id']}"


def test_a_new_cluster_is_located_on_the_base_url(proxied, auth):
    new = {"code": "new-cluster", "name": "New", "region": "FR-IDF", "theme": "HEALTH"}
    response = proxied.post("/api/v1/clusters", json=new, headers=auth("admin"))
    assert response.status_code == 201
    assert response.headers["Location"] == f"{BASE}/api/v1/clusters/new-cluster"
