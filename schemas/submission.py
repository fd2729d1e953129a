"""The submission body of DESIGN.md: its marshmallow schemas and the check every push goes through.

``SubmissionSchema`` and its row schemas are the written contract (and the OpenAPI
document); ``check_submission`` applies the same rules row by row at the speed a
200,000-row push needs, and reports every problem with its path at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from schemas.member_rules import MemberRow, check_member
from schemas.observation_rules import ObservationRow, Problems, check_observation
from schemas.reference import PERIOD_RE, catalogue, is_period, period_periodicity


def _raise_problems(problems: Problems) -> None:
    if problems:
        messages: dict[str, list[str]] = {}
        for name, message in problems:
            messages.setdefault(name or "_schema", []).append(message)
        raise ValidationError(messages)


class ObservationSchema(Schema):
    indicator = fields.String(required=True, metadata={"description": "an indicator code of the catalogue"})
    value = fields.Raw(required=True, metadata={"description": "a number in the indicator's unit and range"})
    dimensions = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "omit for the total"}
    )

    @validates_schema(pass_original=True)
    def _rules(self, _data: Any, original: Any, **_kwargs: Any) -> None:
        _raise_problems(check_observation(original, None)[0])


class MemberSchema(Schema):
    siren = fields.String(metadata={"description": "9 digits, valid Luhn checksum; French members"})
    country = fields.String(metadata={"description": "ISO 3166-1 alpha-2; foreign members"})
    foreign_id = fields.String(metadata={"description": "national identifier; foreign members"})
    name = fields.String(required=True)
    category = fields.String(required=True)
    region = fields.String(metadata={"description": "ISO 3166-2:FR region code"})
    joined_on = fields.Date()

    @validates_schema(pass_original=True)
    def _rules(self, _data: Any, original: Any, **_kwargs: Any) -> None:
        _raise_problems(check_member(original)[0])


class WholePeriod(validate.Regexp):
    """The period pattern, which the OpenAPI document shows, matched whole (``is_period``)."""

    def __init__(self) -> None:
        super().__init__(PERIOD_RE, error="must be a period: 2025, 2025-Q1, 2025-S1 or 2025-01")

    def __call__(self, value: Any) -> Any:
        if not is_period(value):
            raise ValidationError(self._format_error(value))
        return value


def _period() -> fields.String:
    return fields.String(required=True, validate=WholePeriod())


class SubmissionSchema(Schema):
    """The body of ``POST /api/v1/clusters/{code}/submissions``."""

    class Meta:
        unknown = RAISE

    period = _period()
    observations = fields.List(fields.Nested(ObservationSchema))
    members = fields.List(fields.Nested(MemberSchema), metadata={"description": "the complete member list"})


class RowList(fields.Field):
    """A list taken as it is: its rows are for the fast rules, not for marshmallow one by one."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if not isinstance(value, list):
            raise ValidationError("Not a valid list.")
        return value


class EnvelopeSchema(Schema):
    """The submission without its rows, which ``check_submission`` checks with the fast rules."""

    class Meta:
        unknown = RAISE

    period = _period()
    observations = RowList()
    members = RowList(allow_none=True)


@cache
def _envelope() -> EnvelopeSchema:
    return EnvelopeSchema()


@dataclass
class CheckedSubmission:
    period: str
    observations: list[ObservationRow] = field(default_factory=list)
    members: list[MemberRow] | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)


def _envelope_problems(messages: dict[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in messages.items():
        path = "" if name == "_schema" else name
        for message in value if isinstance(value, list) else [str(value)]:
            yield path, "unknown field" if message == "Unknown field." else str(message)


def check_observations(
    rows: Iterable[Any], period: str | None, checked: CheckedSubmission, where: Any
) -> None:
    """Check rows and refuse the same indicator and dimensions twice; ``where(i, field)`` names a place.

    Once a problem is found the valid rows are no longer kept: they will not be stored,
    and a large refused file should not hold them all in memory.
    """
    seen: dict[tuple[str, str], int] = {}
    accepted = checked.observations
    problems_found = checked.problems
    for index, row in enumerate(rows):
        problems, observation = check_observation(row, period)
        if problems:
            problems_found.extend((where(index, name), message) for name, message in problems)
        elif observation is not None:
            first = seen.setdefault((observation.indicator, observation.dims_key), index)
            if first != index:
                message = f"{observation.indicator} with these dimensions is already at {where(first, '')}"
                problems_found.append((where(index, ""), message))
            elif not problems_found:
                accepted.append(observation)
    if problems_found:
        accepted.clear()


def _json_place(section: str) -> Any:
    def where(index: int, name: str) -> str:
        return f"{section}[{index}].{name}" if name else f"{section}[{index}]"

    return where


def check_members(rows: list[Any], period: str | None, checked: CheckedSubmission) -> None:
    """Check a member list and refuse the same organisation listed twice, or a list for a period
    its indicator is not computed for: it would be stored and never counted."""
    counted = catalogue().member_count()
    periodicity = period_periodicity(period) if period else None
    if periodicity is not None and periodicity != counted.periodicity:
        message = f"member lists make {counted.code}, which is {counted.periodicity}"
        checked.problems.append(("members", f"{message}; period {period} is {periodicity}"))
    seen: dict[str, int] = {}
    members: list[MemberRow] = []
    for index, row in enumerate(rows):
        problems, member = check_member(row)
        if problems:
            checked.problems.extend((f"members[{index}]" + (f".{n}" if n else ""), m) for n, m in problems)
        elif member is not None:
            first = seen.setdefault(member.key, index)
            if first != index:
                name = "siren" if member.siren else "foreign_id"
                checked.problems.append((f"members[{index}].{name}", f"already listed at members[{first}]"))
            members.append(member)
    checked.members = members


def check_submission(document: Any) -> CheckedSubmission:
    """Check a whole submission body; ``problems`` lists every rule it breaks, a malformed part
    of the envelope hiding none of the others'."""
    try:
        envelope, problems = _envelope().load(document), []
    except ValidationError as error:
        problems = list(_envelope_problems(error.messages_dict))
        envelope = document if isinstance(document, dict) else {}
    malformed = {path for path, _ in problems}
    period = None if "period" in malformed else envelope.get("period")
    checked = CheckedSubmission(period=period if isinstance(period, str) else "", problems=problems)
    if "" not in malformed and "observations" not in envelope and envelope.get("members") is None:
        checked.problems.append(("", "a submission needs observations, members or both"))
    if "observations" not in malformed:
        check_observations(
            envelope.get("observations") or [], checked.period or None, checked, _json_place("observations")
        )
    if "members" not in malformed and envelope.get("members") is not None:
        check_members(envelope["members"], checked.period or None, checked)
    return checked
