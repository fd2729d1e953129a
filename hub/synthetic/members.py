"""One cluster's member list over the years, computed without generating any other cluster.

Each cluster owns a block of ``BLOCK`` organisation ids in the national pool; its k-th
recruit ("slot" k) is either its own organisation ``block + k`` or, for about one slot in
ten, a *core* member of a neighbouring cluster (one that joined it by the first period and
never leaves), which makes that organisation a co-member with the same attributes in both
lists. Whether a slot is borrowed, when it joined and when it leaves are pure functions of
(cluster key, slot), so any cluster's lists follow from its plan and its neighbours' plans.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from hub.synthetic.hashing import draw, pick, unit
from hub.synthetic.organisations import LA_POSTE_ID

BLOCK = 4096  # organisation ids per cluster: room for the largest cluster's recruits over many years
BORROW_SHARE = 0.10  # share of slots taken from neighbours: about 10% of organisations are co-members
LEAVE_RATE = 0.03  # yearly probability that a member leaves
NEW_IN_FIRST_YEAR = 0.07  # share of the first period's list that joined during that period
BORROW_ATTEMPTS = 24
# Draw indices, one per decision about a slot.
_KIND, _LEAVE, _DATE, _BORROW = range(1, 5)


@dataclass(frozen=True)
class ClusterPlan:
    """What fixes one cluster's member lists: its place in the pool and its growth."""

    index: int  # position in the federation's cluster list; owns ids index*BLOCK .. +BLOCK-1
    code: str
    key: int
    size: int  # members at the end of the first period
    region: str
    founded: date
    join_rates: tuple[float, ...]  # new members per year as a share of the previous list; [0] unused
    neighbours: tuple[int, ...]  # indexes of the clusters it may share members with
    la_poste: bool = False


@dataclass(frozen=True)
class Membership:
    org_id: int
    owner: int  # index of the cluster whose block holds org_id (-1 for La Poste)
    joined_on: date


class Rosters:
    """Member lists for the clusters of one federation; ``plan_of`` returns a cluster's plan by index."""

    def __init__(self, years: Sequence[int], plan_of: Callable[[int], ClusterPlan]) -> None:
        self.years = tuple(years)
        self.plan_of = plan_of
        self._first_day = [date(y, 1, 1).toordinal() for y in self.years]
        self._year_days = [date(y, 12, 31).toordinal() - date(y, 1, 1).toordinal() + 1 for y in self.years]
        self._log_stay = math.log(1.0 - LEAVE_RATE)

    def members(self, plan: ClusterPlan, year_index: int) -> list[Membership]:
        """The cluster's list at the end of ``years[year_index]``, in order of recruitment."""
        used: set[int] = set()
        active: list[tuple[Membership, int]] = []
        slot = 0
        for i in range(year_index + 1):
            if i == 0:
                recruits = plan.size
            else:
                recruits = round(len(active) * plan.join_rates[i])
                active = [(m, leave) for m, leave in active if leave > i]
            for _ in range(recruits):
                membership = self._recruit(plan, slot, i, used)
                active.append((membership, i + self._tenure(plan, slot)))
                slot += 1
        return [m for m, _ in active]

    def _recruit(self, plan: ClusterPlan, slot: int, join_index: int, used: set[int]) -> Membership:
        joined = date.fromordinal(self._join_day(plan, slot, join_index))
        if plan.la_poste and slot == 0:
            return Membership(LA_POSTE_ID, -1, joined)
        if unit(draw(plan.key, slot, _KIND)) < BORROW_SHARE:
            for attempt in range(BORROW_ATTEMPTS):
                h = draw(plan.key, slot, _BORROW, attempt)
                owner = self.plan_of(pick(h, plan.neighbours))
                owner_slot = draw(h, 1) % owner.size
                org_id = owner.index * BLOCK + owner_slot
                if org_id not in used and self._is_core(owner, owner_slot):
                    used.add(org_id)
                    return Membership(org_id, owner.index, joined)
        return Membership(plan.index * BLOCK + slot, plan.index, joined)

    def _is_core(self, plan: ClusterPlan, slot: int) -> bool:
        """A member of its own cluster in every period: safe to list in another cluster too."""
        return (
            not (plan.la_poste and slot == 0)
            and unit(draw(plan.key, slot, _KIND)) >= BORROW_SHARE
            and self._tenure(plan, slot) >= len(self.years)
        )

    def _tenure(self, plan: ClusterPlan, slot: int) -> int:
        """Years until the member leaves (at least 1), geometric with LEAVE_RATE; La Poste stays."""
        if plan.la_poste and slot == 0:
            return len(self.years)
        stay = 1.0 - unit(draw(plan.key, slot, _LEAVE))
        return 1 + int(math.log(stay) / self._log_stay)

    def _join_day(self, plan: ClusterPlan, slot: int, join_index: int) -> int:
        h = draw(plan.key, slot, _DATE)
        if join_index == 0 and unit(h) >= NEW_IN_FIRST_YEAR:
            start = plan.founded.toordinal()
            return start + draw(h, 1) % max(1, self._first_day[0] - start)
        return self._first_day[join_index] + draw(h, 2) % self._year_days[join_index]
