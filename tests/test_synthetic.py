import hashlib
import json
import subprocess
import sys
from collections import Counter, defaultdict
from statistics import correlation, mean

import pytest

from hub.synthetic import Federation, SyntheticCluster, generate
from schemas.reference import catalogue, registry
from schemas.siren import LA_POSTE_SIREN, is_valid_siren

CATALOGUE = catalogue()
PUSHED = [i for i in CATALOGUE.indicators.values() if not i.derived]


@pytest.fixture(scope="module")
def fed() -> Federation:
    return generate()


@pytest.fixture(scope="module")
def bodies(fed) -> dict[tuple[str, str], dict]:
    return {(code, period): body for code, period, body in fed.submissions()}


def key(member: dict) -> str:
    return member.get("siren") or f"{member['country']}:{member['foreign_id']}"


def digest(fed: Federation, period: str) -> str:
    data = json.dumps([body for _, _, body in fed.submissions(period)], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def totals(body: dict) -> dict[str, float]:
    return {o["indicator"]: o["value"] for o in body["observations"] if "dimensions" not in o}


def test_two_generations_give_identical_submissions(bodies):
    again = generate()
    assert all(again.submission(code, period) == body for (code, period), body in bodies.items())


def test_another_process_generates_the_same_bytes(fed):
    script = (
        "import hashlib, json; from hub.synthetic import generate; "
        "data = json.dumps([b for _, _, b in generate().submissions('2024')], sort_keys=True); "
        "print(hashlib.sha256(data.encode()).hexdigest())"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env={})
    assert out.stdout.strip() == digest(fed, "2024")


def test_another_seed_gives_other_members(fed):
    assert generate(seed=7).submission("medicen", "2025") != fed.submission("medicen", "2025")


def test_periods_are_the_years_as_strings(fed):
    assert fed.periods == ["2023", "2024", "2025"]


def test_clusters_are_the_registry(fed):
    assert [(c.code, c.region, c.themes) for c in fed.clusters] == [
        (e.code, e.region, e.themes) for e in registry()
    ]
    assert fed.extra_clusters() == []


def test_every_period_has_at_least_20000_memberships(fed, bodies):
    for period in fed.periods:
        assert sum(len(bodies[c.code, period]["members"]) for c in fed.clusters) >= 20_000


def test_about_a_tenth_of_organisations_are_in_two_or_more_clusters(fed, bodies):
    for period in fed.periods:
        listings = Counter(key(m) for c in fed.clusters for m in bodies[c.code, period]["members"])
        share = sum(1 for n in listings.values() if n > 1) / len(listings)
        assert 0.08 <= share <= 0.15


def test_co_members_have_the_same_attributes_in_every_list(fed, bodies):
    seen: dict[str, dict] = {}
    for c in fed.clusters:
        for m in bodies[c.code, "2025"]["members"]:
            identity = {k: v for k, v in m.items() if k != "joined_on"}
            assert seen.setdefault(key(m), identity) == identity


def test_every_siren_is_valid_and_la_poste_is_one_co_member(fed, bodies):
    la_poste = Counter()
    for (_, period), body in bodies.items():
        for m in body["members"]:
            if "siren" in m:
                assert is_valid_siren(m["siren"])
                la_poste[period] += m["siren"] == LA_POSTE_SIREN
    assert set(la_poste.values()) == {2}


def test_a_few_foreign_members_have_country_and_foreign_id_without_siren(bodies):
    foreign = [m for body in bodies.values() for m in body["members"] if "siren" not in m]
    assert 0 < len(foreign) < 0.01 * sum(len(b["members"]) for b in bodies.values())
    for m in foreign:
        assert len(m["country"]) == 2 and m["country"] != "FR" and m["foreign_id"]


def test_first_period_sizes_are_between_80_and_1000_with_few_big_clusters(fed, bodies):
    sizes = [len(bodies[c.code, p]["members"]) for c in fed.clusters for p in fed.periods]
    assert min(sizes) >= 80 and max(sizes) <= 1000
    first = [c.size for c in fed.clusters]
    assert first == [len(bodies[c.code, "2023"]["members"]) for c in fed.clusters]
    assert sum(s > 600 for s in first) < sum(s < 300 for s in first)


def test_categories_are_mostly_startups_and_smes(bodies):
    categories = Counter(m["category"] for body in bodies.values() for m in body["members"])
    assert set(categories) == set(CATALOGUE.code_lists["category"])
    assert (categories["STARTUP"] + categories["SME"]) / categories.total() > 0.6
    assert categories["MIDCAP"] > categories["OTHER"]


def test_member_regions_are_catalogue_codes_mostly_the_cluster_region(fed, bodies):
    regions = set(CATALOGUE.code_lists["region"])
    for c in fed.clusters:
        french = [m for m in bodies[c.code, "2025"]["members"] if "siren" in m]
        assert {m["region"] for m in french} <= regions
        if c.region in regions:
            assert sum(m["region"] == c.region for m in french) > 0.6 * len(french)


def test_members_joined_before_the_end_of_the_period(bodies):
    for (_, period), body in bodies.items():
        assert all(m["joined_on"] <= f"{period}-12-31" for m in body["members"])


def test_lists_evolve_with_joins_and_a_few_leaves(fed, bodies):
    joined = left = 0
    for c in fed.clusters:
        before = {key(m) for m in bodies[c.code, "2023"]["members"]}
        after = {key(m) for m in bodies[c.code, "2025"]["members"]}
        joined += len(after - before)
        left += len(before - after)
    assert 0 < left < joined


def test_members_new_by_category_counts_the_period_joins(bodies):
    for (_, period), body in bodies.items():
        joins = Counter(m["category"] for m in body["members"] if m["joined_on"].startswith(period))
        rows = [o for o in body["observations"] if o["indicator"] == "MEMBERS_NEW"]
        assert {o["dimensions"]["category"]: o["value"] for o in rows if "dimensions" in o} == {
            code: joins[code] for code in CATALOGUE.code_lists["category"]
        }


def test_every_pushed_indicator_has_a_total_and_one_row_per_dimension_code(bodies):
    expected = Counter()
    for indicator in PUSHED:
        expected[indicator.code, ()] = 1
        for dimension in indicator.dimensions:
            for code in CATALOGUE.code_lists[dimension]:
                expected[indicator.code, ((dimension, code),)] = 1
    for body in bodies.values():
        rows = Counter((o["indicator"], tuple(o.get("dimensions", {}).items())) for o in body["observations"])
        assert rows == expected


def test_breakdowns_sum_exactly_to_their_total(bodies):
    for body in bodies.values():
        parts: defaultdict[str, int] = defaultdict(int)
        for o in body["observations"]:
            if "dimensions" in o:
                parts[o["indicator"]] += o["value"]
        assert parts and all(totals(body)[code] == value for code, value in parts.items())


def test_values_are_within_catalogue_bounds_and_integers_where_required(bodies):
    for body in bodies.values():
        for o in body["observations"]:
            indicator = CATALOGUE.indicators[o["indicator"]]
            value = o["value"]
            assert isinstance(value, int if indicator.value_type == "integer" else (int, float))
            assert indicator.min is None or value >= indicator.min
            assert indicator.max is None or value <= indicator.max
            if indicator.unit == "EUR":
                assert isinstance(value, int)
            elif isinstance(value, float):
                assert round(value, 1) == value


def test_no_indicator_dimensions_or_member_twice_in_a_submission(bodies):
    for body in bodies.values():
        rows = [
            (o["indicator"], json.dumps(o.get("dimensions"), sort_keys=True)) for o in body["observations"]
        ]
        assert len(rows) == len(set(rows))
        assert len({key(m) for m in body["members"]}) == len(body["members"])


def test_values_are_plausible_and_grow_with_size(fed, bodies):
    rows = [(len(body["members"]), totals(body)) for body in bodies.values()]
    assert 9 <= mean(t["STAFF_FTE"] for _, t in rows) <= 13
    budget = sum(t["PROJECTS_RD_BUDGET_EUR"] for _, t in rows) / sum(t["PROJECTS_FUNDED"] for _, t in rows)
    assert 1.4e6 <= budget <= 2.0e6
    assert all(0 < t["MEMBER_SATISFACTION"] <= 10 and 0 < t["PRIVATE_FUNDING_RATE"] < 100 for _, t in rows)
    for code in ("PROJECTS_LABELLED", "STAFF_FTE", "EVENTS", "BUDGET_EUR"):
        assert correlation([float(n) for n, _ in rows], [float(t[code]) for _, t in rows]) > 0.7


def test_values_drift_from_year_to_year(fed, bodies):
    for c in fed.clusters:
        assert len({totals(bodies[c.code, p])["BUDGET_EUR"] for p in fed.periods}) == 3


def test_one_cluster_is_generated_alone_identically(fed, bodies):
    alone = generate().submission("xylofutur", "2025")
    assert alone == bodies["xylofutur", "2025"]


def test_stats_count_the_period_lists(fed, bodies):
    stats = fed.stats("2024")
    members = [m for c in fed.clusters for m in bodies[c.code, "2024"]["members"]]
    listings = Counter(key(m) for m in members)
    assert stats == {
        "period": "2024",
        "clusters": 53,
        "organisations": len(listings),
        "memberships": len(members),
        "co_member_organisations": sum(1 for n in listings.values() if n > 1),
        "co_member_share": round(sum(1 for n in listings.values() if n > 1) / len(listings), 4),
        "observations": sum(len(bodies[c.code, "2024"]["observations"]) for c in fed.clusters),
    }


def test_stats_default_to_the_latest_period(fed):
    assert fed.stats()["period"] == "2025"


def test_scale_two_adds_one_suffixed_copy_of_each_cluster(fed):
    double = generate(scale=2)
    extra = double.extra_clusters()
    assert len(double.clusters) == 2 * len(fed.clusters)
    assert double.clusters[: len(fed.clusters)] == fed.clusters
    assert [c.code for c in extra] == [f"{c.code}-s2" for c in fed.clusters]
    assert all(isinstance(c, SyntheticCluster) and c.region and c.themes for c in extra)
    assert double.stats("2023")["memberships"] == 2 * fed.stats("2023")["memberships"]


def test_scaled_copies_have_members_of_their_own(fed):
    double = generate(scale=2)
    original = {key(m) for m in double.submission("medicen", "2023")["members"]}
    copy = {key(m) for m in double.submission("medicen-s2", "2023")["members"]}
    assert original.isdisjoint(copy)


def test_a_large_scale_cluster_is_generated_without_the_others():
    big = generate(scale=50)
    assert len(big.clusters) == 50 * len(registry())
    body = big.submission("medicen-s50", "2025")
    assert body["period"] == "2025" and body["members"]


def test_unknown_cluster_or_period_is_refused(fed):
    with pytest.raises(KeyError):
        fed.submission("nope", "2025")
    with pytest.raises(KeyError):
        fed.submission("medicen", "2026")


@pytest.mark.parametrize("years", [(), (2025, 2024), (2024, 2024)])
def test_years_must_be_distinct_and_increasing(years):
    with pytest.raises(ValueError):
        generate(years=years)
