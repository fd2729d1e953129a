"""Every validation rule of a submission body, with the exact path of the problem it reports."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from marshmallow import ValidationError

from schemas.reference import Catalogue, catalogue
from schemas.siren import LA_POSTE_SIREN
from schemas.submission import MemberSchema, ObservationSchema, check_submission

MEMBER = {"siren": "732829320", "name": "Exemple SAS", "category": "SME", "region": "FR-IDF"}


def paths(document: Any) -> list[str]:
    return [path for path, _message in check_submission(document).problems]


def observation(**row: Any) -> list[str]:
    return paths({"period": "2025", "observations": [row]})


def member(**changes: Any) -> list[str]:
    row = {key: value for key, value in {**MEMBER, **changes}.items() if value is not None}
    return paths({"period": "2025", "members": [row]})


def test_a_valid_submission_has_no_problem():
    document = {
        "period": "2025",
        "observations": [{"indicator": "PROJECTS_FUNDED", "value": 12, "dimensions": {"funder": "ANR"}}],
        "members": [MEMBER],
    }
    assert paths(document) == []


def test_an_indicator_outside_the_catalogue_is_refused():
    assert observation(indicator="UNKNOWN", value=1) == ["observations[0].indicator"]


def test_the_derived_members_indicator_cannot_be_pushed():
    assert observation(indicator="MEMBERS", value=10) == ["observations[0].indicator"]


def test_a_dimension_the_indicator_does_not_have_is_refused():
    assert observation(indicator="BUDGET_EUR", value=1, dimensions={"funder": "ANR"}) == [
        "observations[0].dimensions.funder"
    ]


def test_a_dimension_code_outside_its_code_list_is_refused():
    assert observation(indicator="PROJECTS_FUNDED", value=1, dimensions={"funder": "BANK"}) == [
        "observations[0].dimensions.funder"
    ]


def test_dimensions_must_be_an_object():
    assert observation(indicator="PROJECTS_FUNDED", value=1, dimensions=["ANR"]) == [
        "observations[0].dimensions"
    ]


@pytest.mark.parametrize("value", [-1, 2.5])
def test_counts_are_non_negative_integers(value):
    assert observation(indicator="PROJECTS_LABELLED", value=value) == ["observations[0].value"]


def test_a_count_written_as_a_whole_float_is_accepted():
    assert observation(indicator="PROJECTS_LABELLED", value=4.0) == []


def test_money_is_non_negative():
    assert observation(indicator="BUDGET_EUR", value=-0.01) == ["observations[0].value"]


def test_money_may_have_cents():
    assert observation(indicator="BUDGET_EUR", value=1850000.55) == []


@pytest.mark.parametrize("value", [-0.1, 100.1])
def test_rates_are_within_0_and_100(value):
    assert observation(indicator="PRIVATE_FUNDING_RATE", value=value) == ["observations[0].value"]


@pytest.mark.parametrize("value", [-1, 10.5])
def test_scores_are_within_their_scale(value):
    assert observation(indicator="MEMBER_SATISFACTION", value=value) == ["observations[0].value"]


@pytest.mark.parametrize("value", ["12", True, None, float("nan"), float("inf")])
def test_a_value_must_be_a_finite_number(value):
    assert observation(indicator="EVENTS", value=value) == ["observations[0].value"]


@pytest.mark.parametrize("value", [1e12 + 1, 1e308, 10**400], ids=["above", "1e308", "10**400"])
def test_no_value_exceeds_the_ceiling_even_without_a_maximum_in_the_catalogue(value):
    assert observation(indicator="EVENTS", value=value) == ["observations[0].value"]


def test_the_ceiling_itself_is_a_value():
    assert observation(indicator="BUDGET_EUR", value=10**12) == []


def test_an_observation_needs_an_indicator_and_a_value():
    assert observation() == ["observations[0].indicator", "observations[0].value"]


@pytest.mark.parametrize("period", ["25", "2025-Q5", "2025-13", "2025-S3", "2025Q1", 2025])
def test_the_period_must_follow_the_period_syntax(period):
    assert paths({"period": period, "observations": []}) == ["period"]


def test_a_missing_period_is_refused():
    assert paths({"observations": [{"indicator": "EVENTS", "value": 1}]}) == ["period"]


def test_an_annual_indicator_refuses_a_quarterly_period():
    document = {"period": "2025-Q1", "observations": [{"indicator": "EVENTS", "value": 1}]}
    assert paths(document) == ["observations[0].indicator"]


@pytest.mark.parametrize("period", ["2025-Q4", "2025-S2", "2025-12"])
def test_a_member_list_for_a_period_shorter_than_its_indicator_s_is_refused(period):
    assert paths({"period": period, "members": [MEMBER]}) == ["members"]


def test_a_member_list_is_refused_for_the_periods_of_the_indicator_it_makes(monkeypatch):
    quarterly = replace(catalogue().member_count(), periodicity="quarterly")
    monkeypatch.setattr(Catalogue, "member_count", lambda _self: quarterly)
    assert paths({"period": "2025", "members": [MEMBER]}) == ["members"]
    assert paths({"period": "2025-Q4", "members": [MEMBER]}) == []


def test_the_same_indicator_and_dimensions_twice_is_refused_at_the_second():
    rows = [
        {"indicator": "PROJECTS_FUNDED", "value": 1, "dimensions": {"funder": "ANR"}},
        {"indicator": "PROJECTS_FUNDED", "value": 2},
        {"indicator": "PROJECTS_FUNDED", "value": 3, "dimensions": {"funder": "ANR"}},
    ]
    assert paths({"period": "2025", "observations": rows}) == ["observations[2]"]


@pytest.mark.parametrize("siren", ["73282932", "7328293200", "73282932A", 732829320])
def test_a_siren_has_nine_digits(siren):
    assert member(siren=siren) == ["members[0].siren"]


def test_a_siren_must_pass_the_luhn_checksum():
    assert member(siren="732829321") == ["members[0].siren"]


def test_la_poste_siren_is_accepted_despite_its_checksum():
    assert member(siren=LA_POSTE_SIREN) == []


def test_a_member_category_outside_the_code_list_is_refused():
    assert member(category="BIG") == ["members[0].category"]


def test_a_region_outside_the_code_list_is_refused():
    assert member(region="FR-XX") == ["members[0].region"]


def test_a_member_needs_a_name_and_a_category():
    assert member(name=None, category=None) == ["members[0].name", "members[0].category"]


def test_a_joined_on_date_must_be_a_date():
    assert member(joined_on="2021-02-30") == ["members[0].joined_on"]


def test_the_same_siren_twice_in_one_member_list_is_refused_at_the_second():
    document = {"period": "2025", "members": [MEMBER, {**MEMBER, "name": "Autre nom"}]}
    assert paths(document) == ["members[1].siren"]


def test_a_foreign_member_is_identified_by_country_and_foreign_id():
    row = {"country": "DE", "foreign_id": "HRB12345", "name": "Beispiel GmbH", "category": "SME"}
    assert paths({"period": "2025", "members": [row]}) == []


def test_a_foreign_member_needs_an_iso_country_code():
    row = {"country": "Germany", "foreign_id": "HRB12345", "name": "Beispiel GmbH", "category": "SME"}
    assert paths({"period": "2025", "members": [row]}) == ["members[0].country"]


def test_a_country_code_followed_by_a_newline_is_refused():
    row = {"country": "DE\n", "foreign_id": "HRB12345", "name": "Beispiel GmbH", "category": "SME"}
    assert paths({"period": "2025", "members": [row]}) == ["members[0].country"]


def test_a_member_s_name_and_foreign_id_are_kept_without_the_blanks_around_them():
    row = {"country": "DE", "foreign_id": " HRB12345\u00a0", "name": "\tBeispiel GmbH  ", "category": "SME"}
    [member] = check_submission({"period": "2025", "members": [row]}).members or []
    assert (member.key, member.foreign_id, member.name) == ("DE:HRB12345", "HRB12345", "Beispiel GmbH")


def test_a_foreign_id_listed_again_with_trailing_blanks_is_refused_at_the_second():
    row = {"country": "DE", "foreign_id": "HRB12345", "name": "Beispiel GmbH", "category": "SME"}
    document = {"period": "2025", "members": [row, {**row, "foreign_id": "HRB12345 "}]}
    assert paths(document) == ["members[1].foreign_id"]


def test_a_member_without_siren_or_foreign_id_is_refused():
    assert member(siren=None) == ["members[0].siren"]


@pytest.mark.parametrize(
    "document,path",
    [
        ({"period": "2025", "observations": [], "colour": "red"}, "colour"),
        (
            {"period": "2025", "observations": [{"indicator": "EVENTS", "value": 1, "colour": 2}]},
            "observations[0].colour",
        ),
        ({"period": "2025", "members": [{**MEMBER, "colour": 2}]}, "members[0].colour"),
    ],
)
def test_unknown_fields_are_refused_where_they_are(document, path):
    assert paths(document) == [path]


def test_a_submission_without_observations_or_members_is_refused():
    assert paths({"period": "2025"}) == [""]


def test_a_member_list_that_is_no_list_does_not_hide_the_observations_problems():
    document = {"period": "2025", "observations": [{"indicator": "NOPE", "value": 1}], "members": {}}
    assert paths(document) == ["members", "observations[0].indicator"]


def test_observations_that_are_no_list_do_not_hide_the_members_problems():
    document = {"period": "2025", "observations": "EVENTS", "members": [{**MEMBER, "category": "BIG"}]}
    assert paths(document) == ["observations", "members[0].category"]


def test_an_unknown_field_does_not_hide_that_the_submission_has_no_rows():
    assert paths({"period": "2025", "note": "x"}) == ["note", ""]


def test_every_problem_is_reported_at_once():
    document = {
        "period": "2025",
        "observations": [{"indicator": "EVENTS", "value": -1}, {"indicator": "NOPE", "value": 1}],
        "members": [{**MEMBER, "siren": "123"}, {**MEMBER, "category": "BIG"}],
    }
    assert paths(document) == [
        "observations[0].value",
        "observations[1].indicator",
        "members[0].siren",
        "members[1].category",
    ]


def test_the_row_schemas_apply_the_same_rules():
    with pytest.raises(ValidationError) as caught:
        ObservationSchema().load({"indicator": "EVENTS", "value": -1})
    assert "value" in caught.value.messages_dict
    with pytest.raises(ValidationError):
        MemberSchema().load({**MEMBER, "siren": "732829321"})
    assert MemberSchema().load(MEMBER)["siren"] == MEMBER["siren"]
