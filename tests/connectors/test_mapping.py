"""Mapping fetched pages to a submission: pure, so archived pages replay without the network."""

from __future__ import annotations

import json
from typing import Any

import pytest

import connectors
from connectors.base import ConnectorError, Page, Source

PERIOD = "2024"


def _page(body: str | bytes, number: int = 1) -> Page:
    data = body.encode() if isinstance(body, str) else body
    return Page(number, f"https://feed.example/p{number}", None, data)


def _map(kind: str, *bodies: str | bytes, mapping: dict[str, Any] | None = None) -> dict[str, Any]:
    pages = [_page(body, number) for number, body in enumerate(bodies, start=1)]
    return connectors.get(kind).to_submission(
        pages, Source("c", "https://feed.example", mapping=mapping or {}), PERIOD
    )


def test_the_registry_names_three_types() -> None:
    assert connectors.TYPES == ("feed_json", "csv", "sdmx")
    assert [connectors.get(name).name for name in connectors.TYPES] == list(connectors.TYPES)


def test_an_unknown_type_is_refused() -> None:
    with pytest.raises(ConnectorError, match="unknown connector type 'xml'"):
        connectors.get("xml")


def test_feed_json_pages_of_another_period_are_refused() -> None:
    body = json.dumps({"period": "2023", "observations": [], "next": None})

    with pytest.raises(
        ConnectorError, match=r"page 1 \(https://feed.example/p1\): period '2023' is not the run's"
    ):
        _map("feed_json", body)


def test_feed_json_without_members_maps_to_observations_only() -> None:
    body = json.dumps(
        {"period": PERIOD, "observations": [{"indicator": "EVENTS", "value": 4.0}], "next": None}
    )

    assert _map("feed_json", body) == {
        "period": PERIOD,
        "observations": [{"indicator": "EVENTS", "value": 4}],
    }


def test_the_common_mapping_renames_indicator_and_dimension_codes() -> None:
    body = "ind,val,fin\nprojets,3,anr\nprojets,2.5,autre\n"
    mapping = {
        "columns": {"indicator": "ind", "value": "val", "dimensions": {"funder": "fin"}},
        "indicators": {"projets": "PROJECTS_FUNDED"},
        "dimensions": {"funder": {"anr": "ANR"}},
    }

    assert _map("csv", body, mapping=mapping)["observations"] == [
        {"indicator": "PROJECTS_FUNDED", "value": 3, "dimensions": {"funder": "ANR"}},
        {"indicator": "PROJECTS_FUNDED", "value": 2.5, "dimensions": {"funder": "autre"}},
    ]


def test_feed_json_rows_of_another_shape_go_on_as_they_came_for_the_ingestion_to_name() -> None:
    rows = [
        {"indicator": ["projets"], "value": 1},
        {"indicator": "projets", "value": 1, "dimensions": ["anr"]},
        {"indicator": "projets", "value": 1, "dimensions": {"funder": {"code": "anr"}}},
    ]
    body = json.dumps({"period": PERIOD, "observations": rows, "next": None})
    mapping = {"indicators": {"projets": "PROJECTS_FUNDED"}, "dimensions": {"funder": {"anr": "ANR"}}}

    assert _map("feed_json", body, mapping=mapping)["observations"] == [
        {"indicator": ["projets"], "value": 1},
        {"indicator": "PROJECTS_FUNDED", "value": 1, "dimensions": ["anr"]},
        {"indicator": "PROJECTS_FUNDED", "value": 1, "dimensions": {"funder": {"code": "anr"}}},
    ]


def test_csv_reads_the_hubs_columns_after_a_byte_order_mark() -> None:
    body = b"\xef\xbb\xbfindicator,value,funder\nEVENTS,12.0,\nPROJECTS_FUNDED,n/a,ANR\n"

    assert _map("csv", body)["observations"] == [
        {"indicator": "EVENTS", "value": 12},
        {"indicator": "PROJECTS_FUNDED", "value": "n/a", "dimensions": {"funder": "ANR"}},
    ]


def test_csv_without_a_mapped_column_names_line_1() -> None:
    with pytest.raises(ConnectorError, match=r"page 1 \(.*\), line 1: no column 'Valeur' in the header"):
        _map(
            "csv",
            "Indicateur,Montant\nEVENTS,1\n",
            mapping={"columns": {"indicator": "Indicateur", "value": "Valeur"}},
        )


def test_sdmx_csv_2_keeps_the_runs_period_and_skips_missing_values() -> None:
    body = (
        "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,INDICATOR: Indicator,FUNDER,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,ANR,2024,3,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,_T,2024,5,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,EU,2024,NaN,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,REGION,2024,,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,ANR,2023,9,A\n"
    )

    assert _map("sdmx", body)["observations"] == [
        {"indicator": "PROJECTS_FUNDED", "value": 3, "dimensions": {"funder": "ANR"}},
        {"indicator": "PROJECTS_FUNDED", "value": 5},
    ]


def test_a_file_that_is_not_sdmx_csv_is_refused_at_line_1() -> None:
    with pytest.raises(ConnectorError, match=r"page 1 \(.*\), line 1: not SDMX-CSV"):
        _map("sdmx", "indicator,value\nEVENTS,1\n")


def test_sdmx_csv_without_obs_value_is_refused_at_line_1() -> None:
    with pytest.raises(ConnectorError, match=r"line 1: no column OBS_VALUE"):
        _map("sdmx", "DATAFLOW,INDICATOR,TIME_PERIOD\nAFPC:CLUSTER_IND(1.0),EVENTS,2024\n")
