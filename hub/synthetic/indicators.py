"""Plausible indicator values for one cluster and period, derived from its member list.

Levels come from a per-cluster profile (so a cluster is consistently active, well staffed
or well funded from year to year) and drift with a per-cluster trend; a per-period random
stream adds noise. Breakdowns are split from their total in integers, so they sum exactly.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from schemas.reference import Catalogue

FUNDER_WEIGHTS = {"ANR": 0.15, "BPIFRANCE": 0.27, "FRANCE_2030": 0.2, "EU": 0.1, "REGION": 0.2, "OTHER": 0.08}
# Share of a funded project's budget that each funder pays.
FUNDER_SHARES = {"ANR": 0.45, "BPIFRANCE": 0.35, "FRANCE_2030": 0.4, "EU": 0.55, "REGION": 0.3, "OTHER": 0.25}


@dataclass(frozen=True)
class Profile:
    """A cluster's lasting character, drawn once from its own seed."""

    activity: float
    trend: float
    funded_rate: float
    project_budget: float
    funder_mix: dict[str, float]
    staff_factor: float
    cost_per_fte: float
    private_rate: float
    satisfaction: float

    @classmethod
    def draw(cls, rng: random.Random) -> Profile:
        return cls(
            activity=min(1.5, max(0.6, rng.lognormvariate(0.0, 0.2))),
            trend=rng.uniform(-0.03, 0.08),
            funded_rate=rng.uniform(0.45, 0.7),
            project_budget=rng.uniform(1.4e6, 2.0e6),
            funder_mix={f: w * rng.uniform(0.6, 1.4) for f, w in FUNDER_WEIGHTS.items()},
            staff_factor=rng.uniform(0.85, 1.15),
            cost_per_fte=rng.uniform(85_000, 105_000),
            private_rate=rng.uniform(30.0, 65.0),
            satisfaction=rng.uniform(6.5, 8.6),
        )


@dataclass(frozen=True)
class Roll:
    """What a period's values are computed from: the list at the end of the period."""

    year: int
    year_index: int
    categories: Counter[str]  # members by category
    new_categories: Counter[str]  # members by category who joined during the period


Values = dict[str, Any]  # indicator code -> total, or {dimension code: value} for a breakdown


def _split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Integers proportional to ``weights`` summing exactly to ``total`` (largest remainder)."""
    whole = sum(weights.values())
    exact = {k: total * w / whole for k, w in weights.items()}
    parts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: (parts[k] - exact[k], k))[: total - sum(parts.values())]:
        parts[k] += 1
    return parts


def compute_values(profile: Profile, roll: Roll, rng: random.Random, funders: Sequence[str]) -> Values:
    """Every pushed indicator's value for the period (breakdowns as dicts by code)."""
    size = sum(roll.categories.values())
    drift = (1.0 + profile.trend) ** roll.year_index

    def noisy(level: float, spread: float = 0.1) -> float:
        return level * drift * rng.uniform(1.0 - spread, 1.0 + spread)

    labelled = max(2, round(noisy(size * 0.09 * profile.activity, 0.15)))
    funded = _split(
        max(1, round(labelled * profile.funded_rate)), {f: profile.funder_mix[f] for f in funders}
    )
    funding = {
        f: round(count * profile.project_budget * FUNDER_SHARES.get(f, 0.3) * rng.uniform(0.85, 1.15))
        for f, count in funded.items()
    }
    staff = round(noisy((3.5 + size * 0.0195) * profile.staff_factor, 0.04), 1)
    events = round(noisy((12 + size / 30) * profile.activity))
    return {
        "MEMBERS_NEW": dict(roll.new_categories),
        "PROJECTS_LABELLED": labelled,
        "PROJECTS_FUNDED": funded,
        "PUBLIC_FUNDING_EUR": funding,
        "PROJECTS_RD_BUDGET_EUR": round(
            sum(funded.values()) * profile.project_budget * rng.uniform(0.8, 1.2)
        ),
        "SME_SUPPORTED": round(noisy((roll.categories["STARTUP"] + roll.categories["SME"]) * 0.35)),
        "EVENTS": events,
        "INTERNATIONAL_ACTIONS": round(noisy((3 + size / 90) * profile.activity, 0.2)),
        "STAFF_FTE": staff,
        "BUDGET_EUR": round(staff * profile.cost_per_fte + events * rng.uniform(2_000, 4_000)),
        "PRIVATE_FUNDING_RATE": round(
            min(95.0, max(5.0, profile.private_rate + roll.year_index + rng.uniform(-3.0, 3.0))), 1
        ),
        "MEMBER_SATISFACTION": round(min(10.0, max(0.0, profile.satisfaction + rng.uniform(-0.3, 0.3))), 1),
    }


def observations(catalogue: Catalogue, values: Values) -> list[dict[str, Any]]:
    """The observation rows in catalogue order: each total, then one row per dimension code."""
    rows: list[dict[str, Any]] = []
    for indicator in catalogue.indicators.values():
        if indicator.derived:
            continue
        if indicator.code not in values:
            raise ValueError(f"the synthetic generator has no recipe for indicator {indicator.code}")
        value = values[indicator.code]
        if not indicator.dimensions:
            rows.append({"indicator": indicator.code, "value": value})
            continue
        (dimension,) = indicator.dimensions
        codes = catalogue.code_lists[dimension]
        rows.append({"indicator": indicator.code, "value": sum(value.get(c, 0) for c in codes)})
        rows.extend(
            {"indicator": indicator.code, "value": value.get(c, 0), "dimensions": {dimension: c}}
            for c in codes
        )
    return rows
