"""A period is provisional up to and including its last day."""

from datetime import date

import pytest

from hub.services.warnings import submission_warnings
from schemas.submission import CheckedSubmission


@pytest.mark.parametrize(
    ("period", "today", "warned"),
    [
        ("2025-Q2", date(2025, 6, 30), True),
        ("2025-Q2", date(2025, 7, 1), False),
        ("2025", date(2025, 12, 31), True),
        ("2025", date(2026, 1, 1), False),
    ],
)
def test_a_period_is_not_over_until_its_last_day_has_passed(period: str, today: date, warned: bool) -> None:
    warnings = submission_warnings(CheckedSubmission(period=period), None, today=today)
    assert [warning["code"] for warning in warnings] == (["period_not_over"] if warned else [])
