"""``GET /api/v1/aggregates`` and its lineage: board and admin only, cells as DESIGN.md shapes them."""

import pytest

from hub.models import AggregateCell
from hub.services.aggregation import aggregate_period
from tests.aggregation.factory import Factory

CELL_FIELDS = {"indicator", "period", "level", "area", "dimensions", "value", "contributors", "status"}


@pytest.fixture
def federation(db, base_config):
    factory = Factory(db)
    factory.isolate()
    submissions = {}
    for index, region in enumerate(("FR-IDF", "FR-IDF", "FR-IDF", "FR-BRE")):
        code = factory.cluster(f"c{index}", region)
        submissions[code] = factory.push(
            code,
            "2025",
            [("PROJECTS_FUNDED", {}, 10.0), ("PROJECTS_FUNDED", {"funder": "ANR"}, 4.0)],
            [(f"siren:{index:09d}", "SME"), ("siren:999999999", "LARGE")],
        )
    aggregate_period(db, "2025", config=base_config)
    db.commit()
    return submissions


def test_national_cells_have_the_contract_shape(client, auth, federation):
    body = client.get("/api/v1/aggregates?period=2025", headers=auth("board")).json
    funded = next(c for c in body["items"] if c["indicator"] == "PROJECTS_FUNDED")
    assert set(funded) == CELL_FIELDS
    assert funded == {
        "indicator": "PROJECTS_FUNDED",
        "period": "2025",
        "level": "national",
        "area": "FR",
        "dimensions": {},
        "value": 40.0,
        "contributors": 4,
        "status": "A",
    }
    assert body["next"] is None


def test_national_cells_are_present_for_indicators_nobody_reported(client, auth, federation):
    items = client.get("/api/v1/aggregates?period=2025", headers=auth("admin")).json["items"]
    events = next(c for c in items if c["indicator"] == "EVENTS")
    assert (events["level"], events["value"], events["contributors"], events["status"]) == (
        "national",
        None,
        0,
        "C",
    )


def test_members_count_co_members_once(client, auth, federation):
    body = client.get(
        "/api/v1/aggregates?period=2025&indicator=MEMBERS&by=category", headers=auth("board")
    ).json
    national = {
        c["dimensions"].get("category", ""): c["value"] for c in body["items"] if c["level"] == "national"
    }
    assert national == {"": 5.0, "SME": 4.0, "LARGE": 1.0}
    (completeness,) = body["completeness"]
    assert completeness["details"]["co_members"] == 1
    assert (completeness["expected"], completeness["reported"], completeness["missing"]) == (4, 4, [])


def test_a_breakdown_by_one_dimension_leaves_out_cells_broken_down_by_two(client, auth, db, federation):
    db.add(
        AggregateCell(
            period="2025",
            indicator_code="MEMBERS",
            level="national",
            area="FR",
            dims_key="category=SME,funder=ANR",
            dimensions={"category": "SME", "funder": "ANR"},
            value=1.0,
        )
    )
    db.commit()
    items = client.get(
        "/api/v1/aggregates?period=2025&indicator=MEMBERS&by=category", headers=auth("board")
    ).json["items"]
    assert sorted(c["dimensions"].get("category", "") for c in items) == ["", "LARGE", "SME"]


def test_completeness_shows_figures_not_the_runs_bookkeeping(client, auth, federation):
    body = client.get("/api/v1/aggregates?period=2025&indicator=MEMBERS", headers=auth("board")).json
    (completeness,) = body["completeness"]
    assert set(completeness["details"]) == {"change", "co_members", "unexpected"}


def test_by_region_adds_region_cells_with_their_flags(client, auth, federation):
    items = client.get(
        "/api/v1/aggregates?period=2025&indicator=PROJECTS_FUNDED&by=region,funder", headers=auth("board")
    ).json["items"]
    regions = {(c["area"], c["dimensions"].get("funder")): c for c in items if c["level"] == "region"}
    assert regions[("FR-IDF", None)]["value"] == 30.0
    assert regions[("FR-BRE", None)]["status"] == "C"
    assert regions[("FR-BRE", None)]["value"] == 10.0  # the board sees suppressed values
    assert regions[("FR-IDF", "ANR")]["value"] == 12.0


def test_pages_link_to_the_next_one(client, auth, federation):
    body = client.get("/api/v1/aggregates?period=2025&by=cluster&limit=5", headers=auth("board")).json
    assert len(body["items"]) == 5
    assert body["next"].startswith(
        "http://localhost/api/v1/aggregates?period=2025&by=cluster&limit=5&cursor="
    )


@pytest.mark.parametrize("by", ["cluster", "cluster,funder", "region", "theme,category", "funder"])
def test_pages_hold_limit_cells_and_together_every_cell_once(client, auth, federation, by):
    everything = client.get(f"/api/v1/aggregates?period=2025&by={by}", headers=auth("board")).json["items"]
    paged, url = [], f"/api/v1/aggregates?period=2025&by={by}&limit=3"
    while url and len(paged) <= len(everything):  # a page that repeats itself must not loop for ever
        body = client.get(url, headers=auth("board")).json
        assert len(body["items"]) <= 3
        paged += body["items"]
        url = body["next"]
    assert paged == everything
    assert any(cell["contributors"] == 0 for cell in paged)  # the empty totals of unreported indicators


def test_a_next_link_keeps_a_repeated_parameter_whole(client, auth, federation):
    body = client.get(
        "/api/v1/aggregates?period=2025&by=region&by=funder&limit=2", headers=auth("board")
    ).json
    assert "by=region&by=funder&limit=2&cursor=" in body["next"]


def test_the_national_cells_of_an_indicator_come_before_its_breakdown(client, auth, federation):
    items = client.get("/api/v1/aggregates?period=2025&by=cluster", headers=auth("board")).json["items"]
    order = [(cell["indicator"], cell["level"] != "national") for cell in items]
    assert order == sorted(order)


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!",
        "WzEsIDJd",  # [1, 2]
        "WyJFVkVOVFMiLCAyLCAiRlIiLCAiIl0=",  # ["EVENTS", 2, "FR", ""]: no such rank
        "WyJFVkVOVFNcdTAwMDAiLCAwLCAiRlIiLCAiIl0=",  # a NUL, which PostgreSQL text cannot hold
        "WyJFVkVOVFMiLCAwLCAiRlIiLCAiXHVkODAwIl0=",  # a lone surrogate, which no encoding holds
    ],
)
def test_a_cursor_no_next_link_made_is_a_422_naming_it(client, auth, cursor):
    response = client.get(f"/api/v1/aggregates?period=2025&cursor={cursor}", headers=auth("board"))
    assert response.status_code == 422
    assert [problem["path"] for problem in response.json["errors"]] == ["cursor"]


@pytest.mark.parametrize("path", ["/api/v1/aggregates", "/api/v1/aggregates/lineage"])
def test_an_indicator_asked_for_a_period_it_is_not_reported_for_is_a_422(client, auth, path):
    response = client.get(f"{path}?period=2025-01&indicator=MEMBERS", headers=auth("board"))
    assert response.status_code == 422
    (problem,) = response.json["errors"]
    assert problem == {
        "path": "period",
        "message": "MEMBERS is reported for annual periods, '2025-01' is monthly",
    }


def test_two_levels_at_once_are_a_422(client, auth):
    response = client.get("/api/v1/aggregates?period=2025&by=region,theme", headers=auth("board"))
    assert response.status_code == 422
    assert [e["path"] for e in response.json["errors"]] == ["by"]


def test_one_indicator_asked_by_a_dimension_it_does_not_have_is_a_422(client, auth):
    response = client.get(
        "/api/v1/aggregates?period=2025&indicator=MEMBERS&by=region,funder", headers=auth("board")
    )
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "by[1]", "message": "MEMBERS has no dimension 'funder'"}]


def test_bad_parameters_are_all_listed(client, auth):
    response = client.get("/api/v1/aggregates?period=2025-Q9&indicator=NOPE&by=planet", headers=auth("board"))
    assert response.status_code == 422
    assert {e["path"] for e in response.json["errors"]} == {"period", "indicator", "by[0]"}


def test_the_fields_problems_and_the_querys_come_in_one_answer(client, auth):
    response = client.get("/api/v1/aggregates?period=20x&cursor=zz&limit=0&by=planet", headers=auth("board"))
    assert response.status_code == 422
    assert {e["path"] for e in response.json["errors"]} == {"period", "cursor", "limit", "by[0]"}


@pytest.mark.parametrize(
    ("path", "query", "paths"),
    [
        ("/api/v1/aggregates", "indicator=NOPE&by=planet", {"period", "indicator", "by[0]"}),
        ("/api/v1/aggregates/lineage", "indicator=NOPE&level=planet", {"period", "indicator", "level"}),
    ],
)
def test_a_missing_period_comes_with_the_other_problems(client, auth, path, query, paths):
    response = client.get(f"{path}?{query}", headers=auth("board"))
    assert response.status_code == 422
    assert {e["path"] for e in response.json["errors"]} == paths


def test_every_bad_lineage_parameter_is_listed_with_a_missing_one(client, auth):
    query = "period=2025-Q9&level=planet&funder=XX"
    response = client.get(f"/api/v1/aggregates/lineage?{query}", headers=auth("board"))
    assert response.status_code == 422
    assert {e["path"] for e in response.json["errors"]} == {"indicator", "period", "level", "funder"}


def test_a_lineage_asked_by_a_breakdown_it_does_not_take_is_a_422_not_another_cell(client, auth, federation):
    query = "period=2025&indicator=PROJECTS_FUNDED&theme=sante"
    response = client.get(f"/api/v1/aggregates/lineage?{query}", headers=auth("board"))
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["theme"]


@pytest.mark.parametrize("query", ["area=FR-IDF", "level=national&area=FR-IDF", "area="])
def test_a_lineage_area_without_its_level_is_a_422_not_the_national_cell(client, auth, federation, query):
    response = client.get(
        f"/api/v1/aggregates/lineage?period=2025&indicator=PROJECTS_FUNDED&{query}", headers=auth("board")
    )
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["area"]


def test_a_lineage_of_a_region_cell_without_its_area_is_a_422_naming_it(client, auth, federation):
    response = client.get(
        "/api/v1/aggregates/lineage?period=2025&indicator=PROJECTS_FUNDED&level=region", headers=auth("board")
    )
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == ["area"]


def test_the_national_lineage_may_name_its_area(client, auth, federation):
    response = client.get(
        "/api/v1/aggregates/lineage?period=2025&indicator=PROJECTS_FUNDED&area=FR", headers=auth("board")
    )
    assert response.status_code == 200
    assert response.json["cell"]["area"] == "FR"


def test_lineage_lists_the_exact_observations_and_submissions(client, auth, federation):
    response = client.get(
        "/api/v1/aggregates/lineage?period=2025&indicator=PROJECTS_FUNDED&level=region&area=FR-IDF&funder=ANR",
        headers=auth("admin"),
    )
    assert response.status_code == 200
    body = response.json
    assert body["cell"]["value"] == 12.0
    assert [entry["cluster"] for entry in body["clusters"]] == ["c0", "c1", "c2"]
    assert body["clusters"][0]["observation"]["submission_id"] == federation["c0"].id
    assert body["clusters"][0]["observation"]["revision"] == 1


def test_lineage_of_members_names_the_member_lists(client, auth, federation):
    body = client.get(
        "/api/v1/aggregates/lineage?period=2025&indicator=MEMBERS&category=LARGE", headers=auth("board")
    ).json
    assert {(e["cluster"], e["member_list"]["members"]) for e in body["clusters"]} == {
        (f"c{index}", 1) for index in range(4)
    }


def test_lineage_of_an_unreported_indicator_is_the_empty_total_the_listing_shows(client, auth, federation):
    response = client.get("/api/v1/aggregates/lineage?period=2025&indicator=EVENTS", headers=auth("board"))
    assert response.status_code == 200
    listed = client.get("/api/v1/aggregates?period=2025&indicator=EVENTS", headers=auth("board")).json[
        "items"
    ]
    assert [response.json["cell"]] == listed
    assert (response.json["clusters"], response.json["left_out"]) == ([], [])


def test_lineage_of_a_cell_the_listing_does_not_show_is_a_404(client, auth, federation):
    response = client.get(
        "/api/v1/aggregates/lineage?period=2025&indicator=EVENTS&level=region&area=FR-IDF",
        headers=auth("board"),
    )
    assert response.status_code == 404


def test_lineage_of_a_period_never_aggregated_is_a_404(client, auth, federation):
    response = client.get("/api/v1/aggregates/lineage?period=2019&indicator=EVENTS", headers=auth("board"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path", ["/api/v1/aggregates?period=2025", "/api/v1/aggregates/lineage?period=2025&indicator=EVENTS"]
)
def test_aggregates_need_a_token(client, path):
    assert client.get(path).status_code == 401


LIVE = ["/api/v1/aggregates?period=2025", "/api/v1/aggregates/lineage?period=2025&indicator=EVENTS"]


@pytest.mark.parametrize("path", LIVE)
@pytest.mark.parametrize("role,cluster", [("cluster", "medicen"), ("ministry", None)])
def test_clusters_and_ministries_may_not_read_live_aggregates(client, auth, path, role, cluster):
    assert client.get(path, headers=auth(role, cluster)).status_code == 403


@pytest.mark.parametrize("path", LIVE)
def test_live_aggregates_are_refused_without_a_token(client, path):
    assert client.get(path).status_code == 401
