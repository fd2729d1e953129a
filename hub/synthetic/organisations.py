"""The national pool of organisations: organisation ``org_id``'s identity is a pure function
of (seed, org_id, its home region), so two clusters listing it agree on every attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import accumulate
from typing import Any

from hub.synthetic.hashing import draw, pick, pick_weighted, unit
from hub.synthetic.names import foreign_name, french_name
from schemas.siren import LA_POSTE_SIREN, make_siren

CATEGORY_WEIGHTS = {
    "STARTUP": 0.30, "SME": 0.40, "MIDCAP": 0.08, "LARGE": 0.06,
    "RESEARCH": 0.07, "TRAINING": 0.04, "PUBLIC": 0.03, "OTHER": 0.02,
}  # fmt: skip
# Where members outside the cluster's own region are: big economic regions more often, Corsica
# and overseas (codes with a digit after "FR-") rarely.
OTHER_REGION_WEIGHTS = {"FR-IDF": 5.0, "FR-ARA": 3.0}
OVERSEAS_WEIGHT = 0.2
HOME_SHARE = 0.8
FOREIGN_SHARE = 0.004
FOREIGN_IDS = {
    "DE": lambda n: f"HRB{n % 10**6:06d}",
    "BE": lambda n: f"0{n % 10**9:09d}",
    "IT": lambda n: f"{n % 10**11:011d}",
    "ES": lambda n: f"B{n % 10**8:08d}",
    "CH": lambda n: f"CHE{n % 10**9:09d}",
    "NL": lambda n: f"{n % 10**8:08d}",
    "GB": lambda n: f"{n % 10**8:08d}",
    "US": lambda n: f"{n % 10**9:09d}",
    "LU": lambda n: f"B{n % 10**6:06d}",
    "CA": lambda n: f"{n % 10**9:09d}",
}
COUNTRIES = tuple(FOREIGN_IDS)
LA_POSTE_ID = -1
LA_POSTE = {"siren": LA_POSTE_SIREN, "name": "La Poste SA", "category": "LARGE", "region": "FR-IDF"}

# SIREN prefixes 10,000,000..99,999,999 except La Poste's, visited by an affine bijection.
_PREFIX_BASE = 10_000_000
_PREFIX_SPAN = 90_000_000 - 1
_LA_POSTE_PREFIX = int(LA_POSTE_SIREN[:8])
_PREFIX_STEP = 2_654_435_761  # coprime to _PREFIX_SPAN, so the map is one-to-one
# Draw indices, one per attribute.
_FOREIGN, _CATEGORY, _REGION, _AWAY, _COUNTRY, _NAME = range(1, 7)


class OrganisationPool:
    """Organisation attributes for one seed; ``regions`` is the catalogue's region code list."""

    def __init__(self, seed_key: int, regions: Sequence[str]) -> None:
        self.seed_key = seed_key
        self.regions = tuple(regions)
        self._categories = tuple(CATEGORY_WEIGHTS)
        self._category_bounds = _bounds(CATEGORY_WEIGHTS.values())
        self._offset = draw(seed_key, 0) % _PREFIX_SPAN
        self._away: dict[str | None, tuple[tuple[str, ...], tuple[float, ...]]] = {}

    def siren(self, org_id: int) -> str:
        """A distinct valid SIREN per organisation id, never La Poste's."""
        prefix = _PREFIX_BASE + (org_id * _PREFIX_STEP + self._offset) % _PREFIX_SPAN
        return make_siren(prefix + 1 if prefix >= _LA_POSTE_PREFIX else prefix)

    def is_foreign(self, org_id: int) -> bool:
        return unit(draw(self.seed_key, org_id, _FOREIGN)) < FOREIGN_SHARE

    def attributes(self, org_id: int, home_region: str | None) -> dict[str, Any]:
        """The member fields except ``joined_on``; a foreign organisation has no French region."""
        if org_id == LA_POSTE_ID:
            return dict(LA_POSTE)
        h = draw(self.seed_key, org_id)
        category = pick_weighted(draw(h, _CATEGORY), self._categories, self._category_bounds)
        if self.is_foreign(org_id):
            country = pick(draw(h, _COUNTRY), COUNTRIES)
            return {
                "country": country,
                "foreign_id": FOREIGN_IDS[country](draw(h, _COUNTRY, 1)),
                "name": foreign_name(draw(h, _NAME), country),
                "category": category,
            }
        region = self._region(h, home_region)
        return {
            "siren": self.siren(org_id),
            "name": french_name(draw(h, _NAME), category, region),
            "category": category,
            "region": region,
        }

    def _region(self, h: int, home_region: str | None) -> str:
        if home_region is not None and home_region in self.regions and unit(draw(h, _REGION)) < HOME_SHARE:
            return home_region
        if home_region not in self._away:
            away = [r for r in self.regions if r != home_region]
            weights = [OTHER_REGION_WEIGHTS.get(r, OVERSEAS_WEIGHT if r[3].isdigit() else 1.0) for r in away]
            total = sum(weights)
            self._away[home_region] = (tuple(away), _bounds(w / total for w in weights))
        return pick_weighted(draw(h, _AWAY), *self._away[home_region])


def _bounds(weights: Any) -> tuple[float, ...]:
    return tuple(accumulate(weights))
