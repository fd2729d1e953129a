"""Mapping fetched pages to a submission: pure, so archived pages replay without the network."""

from __future__ import annotations

import json
from typing import Any

import pytest

import connectors
from connectors.base import ConnectorError, Page, Source
from connectors.mapping import mapping_problems, number

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


def test_feed_json_members_null_is_no_member_list_as_in_a_push() -> None:
    body = json.dumps(
        {
            "period": PERIOD,
            "observations": [{"indicator": "EVENTS", "value": 4}],
            "members": None,
            "next": None,
        }
    )

    assert "members" not in _map("feed_json", body)


def test_a_null_dimension_renaming_stored_before_it_was_refused_renames_nothing() -> None:
    rows = [{"indicator": "PROJECTS_FUNDED", "value": 4, "dimensions": {"funder": "ANR"}}]
    body = json.dumps({"period": PERIOD, "observations": rows, "next": None})

    assert _map("feed_json", body, mapping={"dimensions": {"funder": None}})["observations"] == rows


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


SDMX_FILES = {
    "sdmx-csv 2 keeps the run's period and skips missing values": (
        "STRUCTURE,STRUCTURE_ID,ACTION,FREQ,INDICATOR: Indicator,FUNDER,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,ANR,2024,3,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,_T,2024,5,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,EU,2024,NaN,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,REGION,2024,,A\n"
        "dataflow,AFPC:CLUSTER_IND(1.0),I,A,PROJECTS_FUNDED,ANR,2023,9,A\n",
        5,
    ),
    "lower-case column ids, and columns that are no hub dimension left out": (
        "dataflow,freq,ref_area,indicator,funder,time_period,obs_value,unit_measure,obs_status\n"
        "AFPC:CLUSTER_IND(1.0),A,FR,PROJECTS_FUNDED,ANR,2024,3,NB,A\n"
        "AFPC:CLUSTER_IND(1.0),A,FR,PROJECTS_FUNDED,_Z,2024,4,NB,A\n",
        4,
    ),
}


@pytest.mark.parametrize(("body", "total"), SDMX_FILES.values(), ids=SDMX_FILES.keys())
def test_sdmx_rows_become_the_funders_breakdown_and_the_total(body, total) -> None:
    assert _map("sdmx", body)["observations"] == [
        {"indicator": "PROJECTS_FUNDED", "value": 3, "dimensions": {"funder": "ANR"}},
        {"indicator": "PROJECTS_FUNDED", "value": total},
    ]


def test_a_file_that_is_not_sdmx_csv_is_refused_at_line_1() -> None:
    with pytest.raises(ConnectorError, match=r"page 1 \(.*\), line 1: not SDMX-CSV"):
        _map("sdmx", "indicator,value\nEVENTS,1\n")


def test_sdmx_csv_without_obs_value_is_refused_at_line_1() -> None:
    with pytest.raises(ConnectorError, match=r"line 1: no column OBS_VALUE"):
        _map("sdmx", "DATAFLOW,INDICATOR,TIME_PERIOD\nAFPC:CLUSTER_IND(1.0),EVENTS,2024\n")


@pytest.mark.parametrize(
    ("text", "read"),
    [("3", 3), (" 3 ", 3), ("+7", 7), ("-2.5", -2.5), ("1e3", 1000.0), (".5", 0.5), ("12.0", 12.0)],
)
def test_a_number_written_in_a_file_is_read_as_one(text, read) -> None:
    assert number(text) == read and type(number(text)) is type(read)


@pytest.mark.parametrize("text", ["1_000", "nan", "Infinity", "\u0661\u0662", "0x10", "1e", " n/a ", ""])
def test_text_that_a_file_does_not_mean_as_a_number_goes_on_as_it_came(text) -> None:
    assert number(text) == text


def test_a_value_that_is_not_text_goes_on_as_it_came() -> None:
    assert [number(value) for value in (True, 4.0, None)] == [True, 4.0, None]


def test_a_mapping_that_is_not_an_object_is_one_problem() -> None:
    assert list(mapping_problems(5, "csv")) == [("mapping", "must be an object")]


@pytest.mark.parametrize(
    ("mapping", "paths"),
    [
        ({"dimensions": "funder"}, ["mapping.dimensions"]),
        ({"dimensions": {"funder": {"anr": 1}}}, ["mapping.dimensions.funder.anr"]),
        ({"indicators": ["EVENTS"]}, ["mapping.indicators"]),
        ({"columns": "ind,val"}, ["mapping.columns"]),
        ({"columns": {"dimensions": {"funder": 3}}}, ["mapping.columns.dimensions.funder"]),
        ({"columns": {"value": ["val"], "unit": "u"}}, ["mapping.columns.value", "mapping.columns.unit"]),
    ],
)
def test_each_stray_from_a_csv_mappings_shape_is_named(mapping, paths) -> None:
    assert [path for path, _message in mapping_problems(mapping, "csv")] == paths


def test_columns_in_a_feed_mapping_are_one_problem_whatever_they_hold() -> None:
    problems = list(mapping_problems({"columns": {"value": 3}}, "feed_json"))
    assert [path for path, _message in problems] == ["mapping.columns"]


def test_csv_reads_past_blank_lines_and_spaces_around_names_and_codes() -> None:
    body = " indicator , value ,funder\n\n EVENTS ,4,\n\nPROJECTS_FUNDED,2, ANR \n\n"

    assert _map("csv", body)["observations"] == [
        {"indicator": "EVENTS", "value": 4},
        {"indicator": "PROJECTS_FUNDED", "value": 2, "dimensions": {"funder": "ANR"}},
    ]


def test_a_csv_row_with_more_fields_than_the_header_names_its_line() -> None:
    with pytest.raises(ConnectorError, match=r"line 3: expected 2 fields, found 3"):
        _map("csv", "indicator,value\nEVENTS,1\nEVENTS,2,3\n")


def test_a_csv_field_past_the_readers_limit_names_its_line() -> None:
    body = "indicator,value\nEVENTS,1\nEVENTS," + "9" * 200_000 + "\n"
    with pytest.raises(ConnectorError, match=r"line 3: unreadable CSV"):
        _map("csv", body)


def test_a_mapped_dimension_column_missing_from_the_header_names_line_1() -> None:
    mapping = {"columns": {"dimensions": {"funder": "Financeur"}}}
    with pytest.raises(ConnectorError, match=r"line 1: no column 'Financeur' in the header"):
        _map("csv", "indicator,value\nEVENTS,1\n", mapping=mapping)


def test_a_feed_page_after_a_byte_order_mark_is_read() -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"period": PERIOD, "observations": []}).encode()
    assert _map("feed_json", body) == {"period": PERIOD, "observations": []}


@pytest.mark.parametrize(
    ("body", "fault"),
    [
        ([], "expected a JSON object"),
        ({"period": PERIOD, "observations": {"indicator": "EVENTS"}}, "observations must be a list"),
        ({"period": PERIOD, "observations": [], "members": "none"}, "members must be a list"),
        ({"period": PERIOD, "observations": ["EVENTS"]}, "an observation must be an object"),
    ],
)
def test_a_feed_page_of_another_shape_is_a_fault_naming_the_page(body, fault) -> None:
    with pytest.raises(ConnectorError, match=rf"page 1 \(.*\): {fault}"):
        _map("feed_json", json.dumps(body))


def test_a_next_link_that_is_not_text_is_a_fault_naming_the_page() -> None:
    page = _page(json.dumps({"period": PERIOD, "observations": [], "next": 3}))
    with pytest.raises(ConnectorError, match=r"page 1 \(.*\): next must be a URL or null"):
        connectors.get("feed_json").next_of(page)


def test_an_empty_next_link_ends_the_feed_like_null() -> None:
    page = _page(json.dumps({"period": PERIOD, "observations": [], "next": ""}))
    assert connectors.get("feed_json").next_of(page) is None


def test_a_member_list_on_the_first_page_only_is_kept_whole() -> None:
    member = {"siren": "732829320", "name": "Exemple SAS", "category": "SME"}
    first = json.dumps({"period": PERIOD, "observations": [], "members": [member], "next": "p2"})
    second = json.dumps({"period": PERIOD, "observations": [{"indicator": "EVENTS", "value": 1}]})

    assert _map("feed_json", first, second)["members"] == [member]


def test_an_empty_member_list_is_a_member_list() -> None:
    body = json.dumps({"period": PERIOD, "observations": [], "members": []})
    assert _map("feed_json", body) == {"period": PERIOD, "observations": [], "members": []}
