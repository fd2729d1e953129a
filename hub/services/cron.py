"""A connector's 5-field cron schedule as the trigger the scheduler runs, read as cron reads it.

APScheduler's ``CronTrigger.from_crontab`` hands the weekday field over as it is, but counts
the weekdays from Monday (0) where cron counts them from Sunday (0, and 7 again): ``0 3 * * 0``
fired on Mondays and ``1-5`` from Tuesday to Saturday. The field is read here with cron's
numbering, and handed over as the days it names.
"""

from __future__ import annotations

import re

from apscheduler.triggers.cron import CronTrigger

# In cron's order: Sunday is 0 (and 7); APScheduler's names are the same words.
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# One element of a list: *, a day, or a range of days, then a step (cron's grammar, which also
# lets a lone day carry a step: from that day to the end of the week).
ELEMENT = re.compile(r"(?P<first>\*|\w+)(?:-(?P<last>\w+))?(?:/(?P<step>\d+))?", re.ASCII)


def trigger(schedule: str) -> CronTrigger:
    """The trigger of ``schedule`` in UTC; ValueError says why it cannot be one."""
    fields = schedule.split()
    if len(fields) != 5:
        raise ValueError("must be a 5-field cron expression (minute hour day month weekday)")
    minute, hour, day, month, weekday = fields
    try:
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=_weekdays(weekday), timezone="UTC"
        )
    except ValueError as error:
        raise ValueError(f"is not a valid cron expression: {error}") from None


def _weekdays(field: str) -> str:
    """Cron's weekday field as APScheduler's: ``*``, or the names of the days it lists."""
    if field == "*":
        return field
    days: set[int] = set()
    for element in field.split(","):
        days.update(_days(element))
    # APScheduler's week starts on Monday; its order keeps the field readable in the job's trigger.
    return ",".join(DAY_NAMES[day] for day in sorted(days, key=lambda day: (day - 1) % 7))


def _days(element: str) -> set[int]:
    match = ELEMENT.fullmatch(element)
    if match is None or (match["first"] == "*" and match["last"]):
        raise ValueError(f"unrecognised weekday {element!r}")
    star = match["first"] == "*"
    first = 0 if star else _day(match["first"])
    last = _day(match["last"]) if match["last"] else (7 if star or match["step"] else first)
    step = int(match["step"] or 1)
    if last < first:
        raise ValueError(f"the weekday range {element!r} ends before it starts")
    if step == 0:
        raise ValueError(f"the step of {element!r} must be 1 or more")
    return {day % 7 for day in range(first, last + 1, step)}


def _day(text: str) -> int:
    """A weekday as cron numbers it: 0 to 7, or its three-letter name."""
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text.lower() in DAY_NAMES:
        return DAY_NAMES.index(text.lower())
    raise ValueError(f"{text!r} is not a weekday (0-7, 0 and 7 are Sunday, or sun-sat)")
