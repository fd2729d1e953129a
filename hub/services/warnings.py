"""Warnings: things an accepted submission should know but that do not make it wrong."""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.services.aggregation.periods import bounds
from hub.services.snapshots import SnapshotPlan
from schemas.submission import CheckedSubmission

# A list is the cluster's complete membership, so one that drops most of the current list is
# taken at its word; but a CRM export cut short or a feed answering an empty page looks just
# like it, and the national count would fall with it. Above this share, the answer says so.
REMOVED_SHARE = 0.5


def submission_warnings(
    checked: CheckedSubmission, snapshot: SnapshotPlan | None, today: date | None = None
) -> list[dict[str, Any]]:
    today = today or date.today()
    warnings: list[dict[str, Any]] = []
    if bounds(checked.period)[1] >= today:
        warnings.append(
            {
                "code": "period_not_over",
                "path": "period",
                "message": f"period {checked.period} is not over: its values are provisional",
            }
        )
    if snapshot is not None and snapshot.removed > REMOVED_SHARE * len(snapshot.previous):
        warnings.append(
            {
                "code": "members_mostly_removed",
                "path": "members",
                "message": f"this list removes {snapshot.removed} of the {len(snapshot.previous)} members"
                " of the current one: if it is not complete, send the complete list",
            }
        )
    return warnings
