"""The synthetic federation: the registry's clusters (times ``scale``) with member lists and
indicator values for a few annual periods, each submission computed on demand."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from hub.synthetic.hashing import key_of
from hub.synthetic.indicators import Profile, Roll, compute_values, observations
from hub.synthetic.members import BLOCK, ClusterPlan, Membership, Rosters
from hub.synthetic.organisations import OrganisationPool
from schemas.reference import ClusterEntry, catalogue, registry

MIN_SIZE, MAX_FIRST_SIZE = 80, 880  # first-period sizes; growth keeps the biggest under about 1,000
SIZE_SKEW = 1.65  # >1: few big clusters, many small ones
MAX_YEARS = 12  # keeps every cluster's recruits inside its block of organisation ids
LA_POSTE_CLUSTERS = ("systematic", "i-trans")  # La Poste's real SIREN appears once, as a co-member


@dataclass(frozen=True)
class SyntheticCluster:
    code: str
    name: str
    region: str
    theme: str
    themes: tuple[str, ...]
    size: int  # members at the end of the first period


class Federation:
    """A seeded federation; every list and value is a pure function of (seed, cluster, period)."""

    def __init__(self, seed: int, scale: int, years: Sequence[int]) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        if not years or list(years) != sorted(set(years)) or len(years) > MAX_YEARS:
            raise ValueError(f"years must be 1 to {MAX_YEARS} distinct years in increasing order")
        self.seed = seed
        self.scale = scale
        self.years = tuple(years)
        self.periods = [str(y) for y in self.years]
        self._registry = registry()
        self.clusters = [cluster for copy in range(1, scale + 1) for cluster in self._copy(copy)]
        self._index = {c.code: i for i, c in enumerate(self.clusters)}
        self._plans: dict[int, ClusterPlan] = {}
        self._catalogue = catalogue()
        self._pool = OrganisationPool(
            key_of(f"{seed}:organisations"), list(self._catalogue.code_lists["region"])
        )
        self._rosters = Rosters(self.years, self._plan)
        self._funders = list(self._catalogue.code_lists["funder"])

    def _copy(self, copy: int) -> list[SyntheticCluster]:
        """Copy ``copy`` of the registry, with sizes from a skewed curve in a seeded order."""
        entries = self._registry
        order = sorted(entries, key=lambda e: key_of(f"{self.seed}:{copy}:{e.code}"))
        sizes = {
            e.code: round(
                MIN_SIZE + (MAX_FIRST_SIZE - MIN_SIZE) * (1 - (rank + 0.5) / len(entries)) ** SIZE_SKEW
            )
            for rank, e in enumerate(order)
        }
        suffix = "" if copy == 1 else f"-s{copy}"
        label = "" if copy == 1 else f" (copy {copy})"
        return [
            SyntheticCluster(e.code + suffix, e.name + label, e.region, e.theme, e.themes, sizes[e.code])
            for e in entries
        ]

    def extra_clusters(self) -> list[SyntheticCluster]:
        """The clusters that are not in the shipped registry (copies made by ``scale``)."""
        shipped = {e.code for e in self._registry}
        return [c for c in self.clusters if c.code not in shipped]

    def submission(self, code: str, period: str) -> dict[str, Any]:
        """The submission body of DESIGN.md for one cluster and period, computed alone."""
        index, year_index = self._locate(code, period)
        memberships = self._rosters.members(self._plan(index), year_index)
        members = [self._member(m) for m in memberships]
        year = self.years[year_index]
        roll = Roll(
            year=year,
            year_index=year_index,
            categories=Counter(m["category"] for m in members),
            new_categories=Counter(m["category"] for m in members if m["joined_on"].startswith(str(year))),
        )
        profile = Profile.draw(random.Random(f"{self.seed}:{code}:profile"))
        values = compute_values(profile, roll, random.Random(f"{self.seed}:{code}:{period}"), self._funders)
        return {"period": period, "observations": observations(self._catalogue, values), "members": members}

    def submissions(self, period: str | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(code, period, body) for every cluster, period by period (or for one period), lazily."""
        for p in self.periods if period is None else [period]:
            for cluster in self.clusters:
                yield cluster.code, p, self.submission(cluster.code, p)

    def stats(self, period: str | None = None) -> dict[str, Any]:
        """Counts for one period (default: the latest): clusters, distinct organisations,
        memberships (rows of all member lists), organisations listed by two or more clusters
        and their share of all organisations, and observation rows pushed for the period."""
        period = self.periods[-1] if period is None else period
        year_index = self.periods.index(period)
        listings: Counter[int] = Counter()
        for index in range(len(self.clusters)):
            listings.update(m.org_id for m in self._rosters.members(self._plan(index), year_index))
        co_members = sum(1 for n in listings.values() if n > 1)
        return {
            "period": period,
            "clusters": len(self.clusters),
            "organisations": len(listings),
            "memberships": listings.total(),
            "co_member_organisations": co_members,
            "co_member_share": round(co_members / len(listings), 4),
            "observations": len(self.clusters) * self._observations_per_submission,
        }

    @cached_property
    def _observations_per_submission(self) -> int:
        return sum(
            1 + sum(len(self._catalogue.code_lists[d]) for d in i.dimensions)
            for i in self._catalogue.indicators.values()
            if not i.derived
        )

    def _locate(self, code: str, period: str) -> tuple[int, int]:
        if code not in self._index:
            raise KeyError(f"no synthetic cluster {code!r}")
        if period not in self.periods:
            raise KeyError(f"period {period!r} is not one of {self.periods}")
        return self._index[code], self.periods.index(period)

    def _member(self, membership: Membership) -> dict[str, Any]:
        home = self.clusters[membership.owner].region if membership.owner >= 0 else None
        member = self._pool.attributes(membership.org_id, home)
        member["joined_on"] = membership.joined_on.isoformat()
        return member

    def _plan(self, index: int) -> ClusterPlan:
        """The plan of cluster ``index``, made on first use (only clusters touched are planned)."""
        if index not in self._plans:
            self._plans[index] = self._make_plan(index)
        return self._plans[index]

    def _make_plan(self, index: int) -> ClusterPlan:
        cluster = self.clusters[index]
        rng = random.Random(f"{self.seed}:{cluster.code}")
        per_copy = len(self._registry)
        copy_start = index - index % per_copy
        entry: ClusterEntry = self._registry[index % per_copy]
        neighbours = tuple(
            copy_start + i
            for i, other in enumerate(self._registry)
            if other.code != entry.code
            and (other.region == entry.region or set(other.themes) & set(entry.themes))
        ) or tuple(copy_start + i for i in range(per_copy) if i != index % per_copy)
        return ClusterPlan(
            index=index,
            code=cluster.code,
            key=key_of(f"{self.seed}:{cluster.code}"),
            size=cluster.size,
            region=cluster.region,
            founded=date(rng.randint(2005, 2012), rng.randint(1, 12), 1),
            join_rates=(0.0, *(rng.uniform(0.05, 0.09) for _ in self.years[1:])),
            neighbours=neighbours,
            la_poste=index < per_copy and entry.code in LA_POSTE_CLUSTERS,
        )


def generate(seed: int = 2025, scale: int = 1, years: tuple[int, ...] = (2023, 2024, 2025)) -> Federation:
    """The synthetic federation for ``seed``: the registry's clusters, ``scale`` times over."""
    return Federation(seed, scale, years)


assert BLOCK > MAX_FIRST_SIZE * 1.09**MAX_YEARS, "a cluster's recruits must fit in its block"
