import pytest

from schemas.reference import catalogue, period_periodicity, registry

DESIGN_CODES = {
    "MEMBERS",
    "MEMBERS_NEW",
    "PROJECTS_LABELLED",
    "PROJECTS_FUNDED",
    "PUBLIC_FUNDING_EUR",
    "PROJECTS_RD_BUDGET_EUR",
    "SME_SUPPORTED",
    "EVENTS",
    "INTERNATIONAL_ACTIONS",
    "STAFF_FTE",
    "BUDGET_EUR",
    "PRIVATE_FUNDING_RATE",
    "MEMBER_SATISFACTION",
}


def test_catalogue_holds_every_code_of_the_design():
    assert set(catalogue().indicators) >= DESIGN_CODES


def test_every_indicator_dimension_has_a_code_list():
    for indicator in catalogue().indicators.values():
        for dimension in indicator.dimensions:
            assert catalogue().allowed_codes(dimension), (indicator.code, dimension)


def test_weighted_mean_names_an_indicator_of_the_catalogue():
    rate = catalogue().indicators["PRIVATE_FUNDING_RATE"]
    assert rate.aggregation == "weighted_mean"
    assert rate.weight == "BUDGET_EUR"


def test_registry_regions_and_themes_are_in_the_code_lists():
    lists = catalogue().code_lists
    for cluster in registry():
        assert cluster.region in lists["region"], cluster.code
        assert cluster.theme in lists["theme"], cluster.code
        assert set(cluster.themes) <= set(lists["theme"]), cluster.code


def test_registry_codes_are_unique_lowercase():
    codes = [cluster.code for cluster in registry()]
    assert len(codes) == len(set(codes)) == 53
    assert all(code == code.lower() for code in codes)


def test_period_syntax_gives_its_periodicity():
    assert period_periodicity("2025") == "annual"
    assert period_periodicity("2025-Q1") == "quarterly"
    assert period_periodicity("2025-S2") == "half-yearly"
    assert period_periodicity("2025-01") == "monthly"
    assert period_periodicity("2025-13") is None
    assert period_periodicity("25") is None


@pytest.mark.parametrize(
    "text", ["0000", "0999-Q1", "2025\n", "2025-01\n", "\uff12\uff10\uff12\uff15", "2025-\u0661\u0662"]
)
def test_a_period_is_a_year_from_1000_in_ascii_digits_and_nothing_after(text):
    assert period_periodicity(text) is None
