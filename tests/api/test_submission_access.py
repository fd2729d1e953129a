"""Who may push and read a cluster's submissions, observations and members."""

from __future__ import annotations

import pytest

BODY = {"period": "2025", "observations": [{"indicator": "EVENTS", "value": 3}]}
BASE = "/api/v1/clusters/medicen"
READS = ["/submissions", "/observations", "/members?period=2025"]


@pytest.fixture
def pushed(client, auth):
    return client.post(BASE + "/submissions", json=BODY, headers=auth("cluster", "medicen")).json["id"]


def test_a_push_without_a_token_is_a_401(client):
    assert client.post(BASE + "/submissions", json=BODY).status_code == 401


@pytest.mark.parametrize("role,cluster", [("cluster", "systematic"), ("board", None), ("ministry", None)])
def test_a_push_by_another_cluster_the_board_or_a_ministry_is_a_403(client, auth, role, cluster):
    response = client.post(BASE + "/submissions", json=BODY, headers=auth(role, cluster))
    assert response.status_code == 403


@pytest.mark.parametrize("role,cluster", [("cluster", "medicen"), ("admin", None)])
def test_the_cluster_itself_and_an_admin_may_push(client, auth, role, cluster):
    assert client.post(BASE + "/submissions", json=BODY, headers=auth(role, cluster)).status_code == 201


@pytest.mark.parametrize("path", [*READS, "/submissions/1", "/submissions/1/payload"])
def test_reads_without_a_token_are_a_401(client, path):
    assert client.get(BASE + path).status_code == 401


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role,cluster", [("cluster", "systematic"), ("ministry", None)])
def test_another_cluster_and_a_ministry_may_not_read(client, auth, path, role, cluster):
    assert client.get(BASE + path, headers=auth(role, cluster)).status_code == 403


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("role,cluster", [("cluster", "medicen"), ("admin", None)])
def test_the_cluster_itself_and_an_admin_read_everything(client, auth, path, role, cluster):
    assert client.get(BASE + path, headers=auth(role, cluster)).status_code == 200


@pytest.mark.parametrize("path", ["/submissions", "/observations"])
def test_the_board_reads_submissions_and_observations(client, auth, path):
    assert client.get(BASE + path, headers=auth("board")).status_code == 200


def test_the_board_may_not_read_member_lists(client, auth):
    assert client.get(BASE + "/members?period=2025", headers=auth("board")).status_code == 403


def test_the_board_reads_one_submission(client, auth, pushed):
    assert client.get(f"{BASE}/submissions/{pushed}", headers=auth("board")).status_code == 200


@pytest.mark.parametrize("role,cluster", [("cluster", "medicen"), ("board", None), ("ministry", None)])
def test_only_admins_download_raw_payloads(client, auth, pushed, role, cluster):
    response = client.get(f"{BASE}/submissions/{pushed}/payload", headers=auth(role, cluster))
    assert response.status_code == 403
