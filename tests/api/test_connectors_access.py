"""Who may configure connectors, start pulls and read runs."""

from __future__ import annotations

import pytest

BASE = "/api/v1/clusters/medicen"
CONFIG = {"type": "csv", "url": "https://crm.example.org/afpc.csv", "auth": {"type": "none"}}
ENDPOINTS = [
    ("get", BASE + "/connector"),
    ("put", BASE + "/connector"),
    ("post", BASE + "/sync"),
    ("get", "/api/v1/runs"),
    ("get", "/api/v1/runs/1"),
]


@pytest.fixture
def run_id(client, auth):
    admin = auth("admin")
    client.put(BASE + "/connector", json=CONFIG, headers=admin)
    return client.post(BASE + "/sync", headers=admin).json["run_id"]


def call(client, method, path, headers=None):
    return getattr(client, method)(path, json=CONFIG if method == "put" else None, headers=headers or {})


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_no_token_is_a_401(client, method, path):
    assert call(client, method, path).status_code == 401


@pytest.mark.parametrize("method,path", ENDPOINTS)
def test_a_ministry_is_refused_everywhere(client, auth, method, path):
    assert call(client, method, path, auth("ministry")).status_code == 403


@pytest.mark.parametrize("method,path", ENDPOINTS[:3])
def test_another_cluster_is_refused_on_a_clusters_connector(client, auth, method, path):
    assert call(client, method, path, auth("cluster", "systematic")).status_code == 403


@pytest.mark.parametrize("method,path", ENDPOINTS[:3])
def test_the_board_is_refused_on_connectors(client, auth, method, path):
    assert call(client, method, path, auth("board")).status_code == 403


def test_a_cluster_may_not_configure_its_own_connector(client, auth):
    assert call(client, "put", BASE + "/connector", auth("cluster", "medicen")).status_code == 403


def test_a_cluster_may_start_its_own_pull(client, auth, run_id):
    assert call(client, "post", BASE + "/sync", auth("cluster", "medicen")).status_code == 202


def test_another_clusters_run_is_a_404_for_a_cluster(client, auth, run_id):
    assert client.get(f"/api/v1/runs/{run_id}", headers=auth("cluster", "systematic")).status_code == 404


@pytest.mark.parametrize("role,cluster", [("cluster", "medicen"), ("board", None), ("admin", None)])
def test_the_cluster_itself_the_board_and_an_admin_read_a_run(client, auth, run_id, role, cluster):
    assert client.get(f"/api/v1/runs/{run_id}", headers=auth(role, cluster)).status_code == 200
