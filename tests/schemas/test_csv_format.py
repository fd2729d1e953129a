"""CSV bodies: the header names the columns, problems are placed by line and column."""

from __future__ import annotations

import io

from schemas.csv_format import check_csv


def check(text: str, period: str = "2025"):
    return check_csv(io.StringIO(text), period)


def paths(text: str, period: str = "2025") -> list[str]:
    return [path for path, _message in check(text, period).problems]


def test_a_valid_file_gives_one_observation_per_line():
    checked = check("indicator,value,funder\nPROJECTS_FUNDED,12,ANR\nPROJECTS_FUNDED,30,\nEVENTS,4,\n")
    assert checked.problems == []
    assert [(row.indicator, row.dims_key, row.value) for row in checked.observations] == [
        ("PROJECTS_FUNDED", "funder=ANR", 12),
        ("PROJECTS_FUNDED", "", 30),
        ("EVENTS", "", 4),
    ]


def test_a_bad_value_is_placed_at_its_line_and_column():
    assert paths("indicator,value\nEVENTS,4\nEVENTS_X,1\nBUDGET_EUR,abc\n") == [
        "line 3, column indicator",
        "line 4, column value",
    ]


def test_a_bad_dimension_code_is_placed_in_the_dimension_column():
    assert paths("indicator,value,funder\nPROJECTS_FUNDED,1,BANK\n") == ["line 2, column funder"]


def test_an_empty_value_cell_is_a_missing_value():
    assert paths("indicator,value\nEVENTS,\n") == ["line 2, column value"]


def test_a_duplicate_line_is_placed_at_its_line():
    assert paths("indicator,value\nEVENTS,1\nEVENTS,2\n") == ["line 3"]


def test_an_unknown_dimension_column_is_placed_in_the_header():
    assert paths("indicator,value,colour\nEVENTS,1,\n") == ["line 1, column 3"]


def test_a_header_that_does_not_start_with_indicator_value_is_refused():
    assert paths("code,amount\nEVENTS,1\n") == ["line 1"]


def test_an_extra_cell_is_placed_in_its_column():
    assert paths("indicator,value\nEVENTS,1,surplus\n") == ["line 2, column 3"]


def test_a_bad_period_is_reported_on_the_period_parameter():
    assert paths("indicator,value\nEVENTS,1\n", period="2025-Q9") == ["period"]


def test_an_empty_body_is_refused():
    assert paths("") == ["line 1"]


def test_a_header_alone_is_refused():
    assert paths("indicator,value\n") == ["line 2"]


def test_blank_lines_are_skipped_and_line_numbers_stay_true():
    assert paths("indicator,value\n\nEVENTS,-1\n") == ["line 3, column value"]


LONG_CELL = '"' + "1" * 200_000 + '"'  # over csv.field_size_limit()


def test_a_cell_too_long_to_read_is_placed_at_its_line_after_the_problems_before_it():
    assert paths(f"indicator,value\nEVENTS,-4\nEVENTS,{LONG_CELL}\nBUDGET_EUR,1\n") == [
        "line 2, column value",
        "line 3",
    ]


def test_a_header_cell_too_long_to_read_is_placed_at_line_1():
    assert paths(f"indicator,value,{LONG_CELL}\nEVENTS,4\n") == ["line 1"]
