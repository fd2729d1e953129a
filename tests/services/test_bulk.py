"""Bulk inserts store exactly what an ORM-level ``insert()`` of the same rows stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hub.models import Membership, Observation, Organisation, Submission
from hub.services.bulk import insert_rows

OBSERVATIONS = cast(Table, Observation.__table__)
MEMBERSHIPS = cast(Table, Membership.__table__)
ORGANISATIONS = cast(Table, Organisation.__table__)
PARIS = timezone(timedelta(hours=2))


def submission(db: Session) -> int:
    row = Submission(
        cluster_code="medicen",
        period="2025",
        content_type="application/json",
        payload=b"",
        payload_sha256="",
        received_at=datetime.now(UTC),
    )
    db.add(row)
    db.flush()
    return row.id


def stored(db: Session, table: str, columns: str, submission_id: int) -> list[tuple[Any, ...]]:
    """The values as the database holds them, with no SQLAlchemy type processing on the way out."""
    sql = text(f"SELECT {columns} FROM {table} WHERE submission_id = :id ORDER BY id")
    return [tuple(row) for row in db.execute(sql, {"id": submission_id})]


def observation_rows(when: datetime) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    constants = {"cluster_code": "medicen", "period": "2025", "is_current": True, "created_at": when}
    columns: dict[str, list[Any]] = {
        "indicator_code": ["PROJECTS_FUNDED", "BUDGET_EUR"],
        "dims_key": ["funder=ANR", ""],
        "dimensions": [{"funder": "ANR"}, {}],
        "value": [12.0, 1850000.5],
        "revision": [1, 2],
    }
    return constants, columns


def test_inserted_observations_match_a_core_insert_of_the_same_rows(db: Session) -> None:
    when = datetime(2025, 3, 1, 14, 30, 5, 123456, tzinfo=PARIS)  # stored as 12:30:05 UTC
    constants, columns = observation_rows(when)
    bulk, core = submission(db), submission(db)  # another period: same series, no unique clash
    insert_rows(db, OBSERVATIONS, {**constants, "submission_id": bulk}, columns)
    names = list(columns)
    db.execute(
        insert(OBSERVATIONS),
        [
            {**constants, "period": "2024", "submission_id": core, **dict(zip(names, row, strict=True))}
            for row in zip(*columns.values(), strict=True)
        ],
    )
    raw = "cluster_code, indicator_code, dims_key, dimensions, value, revision, is_current, created_at"
    assert stored(db, "observations", raw, bulk) == stored(db, "observations", raw, core)
    loaded = db.execute(
        select(Observation.created_at, Observation.dimensions, Observation.is_current, Observation.value)
        .where(Observation.submission_id == bulk)
        .order_by(Observation.id)
    ).all()
    assert [tuple(row) for row in loaded] == [
        (when, {"funder": "ANR"}, True, 12.0),
        (when, {}, True, 1850000.5),
    ]
    assert loaded[0].created_at.utcoffset() == timedelta(0)


def test_a_document_given_once_for_every_row_is_stored_in_each(db: Session) -> None:
    constants, columns = observation_rows(datetime(2025, 3, 1, tzinfo=UTC))
    dimensions = columns.pop("dimensions")[0]
    columns["dims_key"] = ["funder=ANR", "funder=ANR"]
    bulk = submission(db)
    insert_rows(db, OBSERVATIONS, {**constants, "dimensions": dimensions, "submission_id": bulk}, columns)
    loaded = db.scalars(select(Observation.dimensions).where(Observation.submission_id == bulk)).all()
    assert loaded == [{"funder": "ANR"}, {"funder": "ANR"}]


def test_inserted_memberships_keep_dates_and_missing_values(db: Session) -> None:
    organisation = Organisation(key="siren:732829320", siren="732829320", name="Exemple", category="SME")
    db.add(organisation)
    snapshot = submission(db)
    insert_rows(
        db,
        MEMBERSHIPS,
        {"submission_id": snapshot, "cluster_code": "medicen", "period": "2025"},
        {
            "organisation_id": [organisation.id, organisation.id],
            "name": ["Exemple SAS", "Exemple"],
            "category": ["SME", "SME"],
            "region": ["FR-IDF", None],
            "joined_on": [date(2019, 5, 2), None],
        },
    )
    loaded = db.execute(
        select(Membership.name, Membership.region, Membership.joined_on)
        .where(Membership.submission_id == snapshot)
        .order_by(Membership.id)
    ).all()
    assert [tuple(row) for row in loaded] == [
        ("Exemple SAS", "FR-IDF", date(2019, 5, 2)),
        ("Exemple", None, None),
    ]


def test_no_rows_inserts_nothing(db: Session) -> None:
    bulk = submission(db)
    constants, columns = observation_rows(datetime.now(UTC))
    insert_rows(db, OBSERVATIONS, {**constants, "submission_id": bulk}, {name: [] for name in columns})
    assert stored(db, "observations", "id", bulk) == []


def test_a_repeated_document_is_stored_whole_and_equal_looking_ones_apart(db: Session) -> None:
    bulk = submission(db)
    documents: list[Any] = [{"funder": "ANR"}, {"funder": "ANR"}, {"x": 1}, {"x": True}, {"x": 1.0}, {}]
    constants, _ = observation_rows(datetime.now(UTC))
    insert_rows(
        db,
        OBSERVATIONS,
        {**constants, "submission_id": bulk},
        {
            "indicator_code": ["PROJECTS_FUNDED"] * len(documents),
            "dims_key": [str(position) for position in range(len(documents))],
            "dimensions": documents,
            "value": [1.0] * len(documents),
            "revision": [1] * len(documents),
        },
    )
    loaded = db.scalars(
        select(Observation.dimensions).where(Observation.submission_id == bulk).order_by(Observation.id)
    ).all()
    assert [(document, type(next(iter(document.values()), None))) for document in loaded] == [
        (document, type(next(iter(document.values()), None))) for document in documents
    ]


def test_rows_already_stored_under_a_unique_key_are_skipped(db: Session) -> None:
    db.add(Organisation(key="siren:732829320", siren="732829320", name="Kept", category="SME"))
    db.flush()
    insert_rows(
        db,
        ORGANISATIONS,
        {},
        {
            "key": ["siren:356000000", "siren:732829320"],
            "siren": ["356000000", "732829320"],
            "country": ["FR", "FR"],
            "foreign_id": [None, None],
            "name": ["La Poste", "Replaced?"],
            "category": ["LARGE", "LARGE"],
            "region": ["FR-IDF", None],
        },
        skip_existing=("key",),
    )
    stored_rows = db.execute(
        select(Organisation.key, Organisation.name, Organisation.category)
        .where(Organisation.key.in_(["siren:356000000", "siren:732829320"]))
        .order_by(Organisation.key)
    ).all()
    assert [tuple(row) for row in stored_rows] == [
        ("siren:356000000", "La Poste", "LARGE"),
        ("siren:732829320", "Kept", "SME"),
    ]


def kept_length(db: Session, key: str, write: Callable[[], Any]) -> int | str:
    """How long the foreign id ``write`` stored under ``key`` is, or "refused"."""
    try:
        with db.begin_nested():
            write()
    except DBAPIError:
        return "refused"
    return db.scalar(select(func.length(Organisation.foreign_id)).where(Organisation.key == key)) or 0


def test_text_longer_than_its_column_is_refused_or_kept_whole_as_a_core_insert_does(db: Session) -> None:
    foreign_id = "x" * 70  # its column holds 64: PostgreSQL refuses the Core insert, SQLite keeps it
    row = {"siren": None, "country": "DE", "foreign_id": foreign_id, "name": "GmbH", "category": "SME"}
    core = kept_length(db, "DE:core", lambda: db.execute(insert(ORGANISATIONS), {**row, "key": "DE:core"}))
    bulk = kept_length(
        db,
        "DE:bulk",
        lambda: insert_rows(db, ORGANISATIONS, {}, {**{k: [v] for k, v in row.items()}, "key": ["DE:bulk"]}),
    )
    assert bulk == core and core in ("refused", len(foreign_id))
