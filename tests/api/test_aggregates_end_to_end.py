"""From push to figure: clusters push over HTTP, the dirty periods are aggregated, the board reads."""

from hub.services.aggregation import aggregate_dirty

PUSHES = {
    "medicen": (10, ["732829320", "552100554"]),
    "systematic": (20, ["732829320", "542065479"]),
    "cap-digital": (30, ["542107651"]),
}


def test_pushed_figures_reach_the_board_through_the_aggregates(client, auth, db, base_config):
    for code, (funded, sirens) in PUSHES.items():
        body = {
            "period": "2025",
            "observations": [{"indicator": "PROJECTS_FUNDED", "value": funded}],
            "members": [{"siren": siren, "name": f"Org {siren}", "category": "SME"} for siren in sirens],
        }
        response = client.post(
            f"/api/v1/clusters/{code}/submissions", json=body, headers=auth("cluster", code)
        )
        assert response.status_code == 201, response.json

    (result,) = aggregate_dirty(db, config=base_config)
    assert result.period == "2025"

    body = client.get("/api/v1/aggregates?period=2025&by=region", headers=auth("board")).json
    national = {c["indicator"]: c for c in body["items"] if c["level"] == "national" and not c["dimensions"]}
    assert (national["PROJECTS_FUNDED"]["value"], national["PROJECTS_FUNDED"]["contributors"]) == (60.0, 3)
    assert national["MEMBERS"]["value"] == 4.0  # 732829320 is a member of two clusters, counted once
    idf = next(c for c in body["items"] if c["level"] == "region" and c["indicator"] == "PROJECTS_FUNDED")
    assert (idf["area"], idf["value"], idf["status"]) == ("FR-IDF", 60.0, "A")
    members = next(item for item in body["completeness"] if item["indicator"] == "MEMBERS")
    assert members["reported"] == 3 and members["details"]["co_members"] == 1
