"""The rules one member row must follow, as plain Python for the same reason as observations.

A French member is identified by its SIREN; a foreign one by ``country`` (ISO 3166-1
alpha-2) and ``foreign_id``. Either way it gets one organisation key, the identity that
makes two clusters' rows one organisation nationally.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any, NamedTuple

from schemas.reference import catalogue
from schemas.siren import is_valid_siren
from schemas.text_rules import TEXT_PROBLEM, storable

MEMBER_FIELDS = frozenset({"siren", "country", "foreign_id", "name", "category", "region", "joined_on"})
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
NAME_MAX, FOREIGN_ID_MAX = 300, 64
Problems = list[tuple[str, str]]


class MemberRow(NamedTuple):
    key: str
    siren: str | None
    country: str
    foreign_id: str | None
    name: str
    category: str
    region: str | None
    joined_on: date | None


@cache
def _codes() -> tuple[frozenset[str], frozenset[str]]:
    cat = catalogue()
    return cat.allowed_codes("category"), cat.allowed_codes("region")


def organisation_key(siren: str | None, country: str, foreign_id: str | None) -> str:
    return f"siren:{siren}" if siren else f"{country}:{foreign_id}"


def _identity(row: dict[str, Any], problems: Problems) -> tuple[str | None, str, str | None]:
    siren, country, foreign_id = row.get("siren"), row.get("country"), row.get("foreign_id")
    if siren is not None:
        if not isinstance(siren, str) or not is_valid_siren(siren):
            problems.append(("siren", f"{siren!r} is not a valid SIREN (9 digits, Luhn checksum)"))
        if country not in (None, "FR"):
            problems.append(("country", "a member with a SIREN is French: omit country or give FR"))
        if foreign_id is not None:
            problems.append(("foreign_id", "give either a SIREN or a foreign id, not both"))
        return siren, "FR", None
    if country is None and foreign_id is None:
        problems.append(("siren", "missing required field (or country and foreign_id for a foreign member)"))
        return None, "FR", None
    if not isinstance(country, str) or not COUNTRY_RE.fullmatch(country):
        problems.append(("country", "must be an ISO 3166-1 alpha-2 country code"))
    elif country == "FR":
        problems.append(("siren", "a French member is identified by its SIREN"))
    if not _is_text(foreign_id, FOREIGN_ID_MAX):
        problems.append(("foreign_id", _text_problem(foreign_id, "identifier", FOREIGN_ID_MAX)))
        return None, str(country), None
    return None, str(country), str(foreign_id).strip()


def _is_text(value: Any, longest: int) -> bool:
    """Non-blank text that fits its column once stripped, as it is stored, and that the database
    can store (on every row of every list: one call, the message only when it is not)."""
    return isinstance(value, str) and 0 < len(value.strip()) <= longest and storable(value)


def _text_problem(value: Any, what: str, longest: int) -> str:
    if not isinstance(value, str) or not 0 < len(value.strip()) <= longest:
        return f"must be a non-empty {what} of at most {longest} characters"
    return TEXT_PROBLEM


def _joined_on(value: Any, problems: Problems) -> date | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(("joined_on", "must be a date (YYYY-MM-DD)"))
    return None


def check_member(row: Any) -> tuple[Problems, MemberRow | None]:
    """Check one member-list row; the row is returned normalised when it has no problem."""
    if not isinstance(row, dict):
        return [("", "must be an object")], None
    problems: Problems = []
    if not MEMBER_FIELDS.issuperset(row):
        problems.extend((name, "unknown field") for name in row if name not in MEMBER_FIELDS)
    siren, country, foreign_id = _identity(row, problems)
    name = row.get("name")
    if not _is_text(name, NAME_MAX):
        problems.append(("name", _text_problem(name, "name", NAME_MAX)))
    categories, regions = _codes()
    category = row.get("category")
    if not isinstance(category, str) or category not in categories:
        problems.append(("category", f"unknown member category {category!r}"))
    region = row.get("region")
    if region is not None and (not isinstance(region, str) or region not in regions):
        problems.append(("region", f"unknown region code {region!r}"))
    joined_on = _joined_on(row.get("joined_on"), problems)
    if problems:
        return problems, None
    # The name and foreign id (``_identity``) are kept stripped, as their length was checked:
    # stored padded, they could exceed their columns (PostgreSQL's casts cut them, the key
    # too), and "HRB1" and "HRB1 " would be two organisations.
    key = organisation_key(siren, country, foreign_id)
    return problems, MemberRow(
        key, siren, country, foreign_id, str(name).strip(), str(category), region, joined_on
    )
