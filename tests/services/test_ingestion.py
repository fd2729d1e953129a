"""The ingestion service: atomic, revisioned, idempotent submissions."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from datetime import date
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hub.errors import Conflict, InvalidInput, NotFound
from hub.models import (
    AuditEvent,
    DirtyPeriod,
    JobRun,
    MemberCategoryCount,
    MemberList,
    Membership,
    Observation,
    Organisation,
    Submission,
)
from hub.services.ingestion import submit, submit_csv
from schemas.siren import make_siren

CLUSTER = "medicen"
MEMBER = {"siren": "732829320", "name": "Exemple SAS", "category": "SME", "region": "FR-IDF"}


def body(**values: Any) -> dict[str, Any]:
    observations = [
        {"indicator": "PROJECTS_FUNDED", "value": values.get("funded", 12), "dimensions": {"funder": "ANR"}},
        {"indicator": "BUDGET_EUR", "value": values.get("budget", 1850000)},
    ]
    return {"period": "2025", "observations": observations, "members": values.get("members", [MEMBER])}


def push(db: Session, document: dict[str, Any], **options: Any) -> Any:
    return submit(db, cluster_code=CLUSTER, document=document, source="push", actor="tester", **options)


def count(db: Session, model: Any) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_new_submission_creates_every_value_and_member(db: Session) -> None:
    result = push(db, body())
    assert result.counts["observations"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert result.counts["members"]["created"] == 1
    assert result.submission_id is not None and not result.replayed


def test_an_identical_resend_counts_everything_unchanged(db: Session) -> None:
    push(db, body())
    again = push(db, body())
    assert again.counts["observations"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert again.counts["members"] == {"created": 0, "updated": 0, "unchanged": 1, "removed": 0}
    assert count(db, Submission) == 2


def test_a_changed_value_becomes_a_new_revision(db: Session) -> None:
    push(db, body())
    result = push(db, body(funded=13))
    assert result.counts["observations"] == {"created": 0, "updated": 1, "unchanged": 1}
    rows = db.execute(
        select(Observation.revision, Observation.value, Observation.is_current)
        .where(Observation.indicator_code == "PROJECTS_FUNDED")
        .order_by(Observation.revision)
    ).all()
    assert [tuple(row) for row in rows] == [(1, 12.0, False), (2, 13.0, True)]


def test_a_value_changed_by_a_ten_millionth_is_a_new_revision(db: Session) -> None:
    push(db, body(budget=1850000.25))
    result = push(db, body(budget=1850000.2500001))
    assert result.counts["observations"] == {"created": 0, "updated": 1, "unchanged": 1}


def test_a_submission_marks_its_period_dirty(db: Session) -> None:
    push(db, body())
    assert db.get(DirtyPeriod, ("2025", CLUSTER)) is not None


def test_a_changed_member_list_alone_marks_its_period_dirty(db: Session) -> None:
    push(db, body())
    db.execute(delete(DirtyPeriod))  # as the aggregation that consumed the mark
    db.commit()
    push(db, body(members=[MEMBER, {**MEMBER, "siren": make_siren(1), "name": "Autre SA"}]))
    assert db.get(DirtyPeriod, ("2025", CLUSTER)) is not None


def test_a_first_member_list_becomes_the_current_snapshot_even_empty(db: Session) -> None:
    push(db, body(members=[]))
    listed = db.get(MemberList, (CLUSTER, "2025"))
    assert listed is not None and listed.member_count == 0


def test_a_bad_row_stores_nothing_and_lists_its_path(db: Session) -> None:
    document = body(budget=-1)
    with pytest.raises(InvalidInput) as caught:
        push(db, document)
    assert [problem.path for problem in caught.value.errors] == ["observations[1].value"]
    assert count(db, Submission) == 0 and count(db, Observation) == 0 and count(db, MemberList) == 0
    assert db.scalars(select(AuditEvent.outcome).where(AuditEvent.action == "submission")).all() == [
        "rejected"
    ]


def test_an_unknown_cluster_is_not_found(db: Session) -> None:
    with pytest.raises(NotFound):
        submit(db, cluster_code="nope", document=body(), source="push", actor="tester")


def test_the_same_idempotency_key_replays_the_first_answer(db: Session) -> None:
    first = push(db, body(), idempotency_key="k1")
    second = push(db, body(), idempotency_key="k1")
    assert second.replayed and second.submission_id == first.submission_id
    assert second.counts == first.counts
    assert count(db, Submission) == 1


def test_the_same_idempotency_key_with_another_body_is_a_conflict(db: Session) -> None:
    push(db, body(), idempotency_key="k1")
    with pytest.raises(Conflict):
        push(db, body(funded=99), idempotency_key="k1")


def test_a_dry_run_under_an_idempotency_key_used_for_another_body_is_a_conflict(db: Session) -> None:
    push(db, body(), idempotency_key="k1")
    with pytest.raises(Conflict):
        push(db, body(funded=13), idempotency_key="k1", dry_run=True)


def test_a_dry_run_under_an_idempotency_key_used_for_the_same_body_answers_its_summary(db: Session) -> None:
    push(db, body(), idempotency_key="k1")
    result = push(db, body(), idempotency_key="k1", dry_run=True)
    assert result.dry_run and result.counts["observations"]["unchanged"] == 2


def test_the_same_idempotency_key_for_another_cluster_is_a_conflict(db: Session) -> None:
    push(db, body(), idempotency_key="k1")
    with pytest.raises(Conflict):
        submit(
            db,
            cluster_code="aerospace-valley",
            document=body(),
            source="push",
            actor="tester",
            idempotency_key="k1",
        )


def test_the_same_idempotency_key_for_the_same_csv_in_another_period_is_a_conflict(db: Session) -> None:
    raw = b"indicator,value\nBUDGET_EUR,1850000\n"
    options = {"cluster_code": CLUSTER, "source": "push", "actor": "tester", "idempotency_key": "k1"}
    submit_csv(db, period="2025", stream=io.BytesIO(raw), **options)
    with pytest.raises(Conflict):
        submit_csv(db, period="2024", stream=io.BytesIO(raw), **options)


def test_idempotency_keys_are_each_clients_own(db: Session) -> None:
    first = push(db, body(), idempotency_key="k1")
    other = submit(
        db,
        cluster_code=CLUSTER,
        document=body(funded=99),
        source="push",
        actor="another",
        idempotency_key="k1",
    )
    assert not other.replayed and other.submission_id != first.submission_id


def test_a_dry_run_stores_nothing(db: Session) -> None:
    result = push(db, body(), dry_run=True)
    assert result.submission_id is None and result.dry_run
    assert result.counts["observations"]["created"] == 2
    assert count(db, Submission) == 0 and count(db, Observation) == 0


def test_one_bad_member_in_ten_thousand_stores_nothing(db: Session) -> None:
    members = [{"siren": make_siren(n), "name": f"Org {n}", "category": "SME"} for n in range(10_000)]
    members[7_321]["siren"] = "123456789"
    with pytest.raises(InvalidInput) as caught:
        push(db, {**body(), "members": members})
    assert [problem.path for problem in caught.value.errors] == ["members[7321].siren"]
    for model in (Submission, Observation, Organisation, Membership, MemberList, DirtyPeriod):
        assert count(db, model) == 0, model.__name__


def test_three_corrections_leave_four_revisions_with_one_current(db: Session) -> None:
    ids = [push(db, body(funded=value)).submission_id for value in (10, 11, 12, 13)]
    rows = db.execute(
        select(Observation.revision, Observation.value, Observation.is_current, Observation.submission_id)
        .where(Observation.indicator_code == "PROJECTS_FUNDED")
        .order_by(Observation.revision)
    ).all()
    assert [tuple(row) for row in rows] == [
        (1, 10.0, False, ids[0]),
        (2, 11.0, False, ids[1]),
        (3, 12.0, False, ids[2]),
        (4, 13.0, True, ids[3]),
    ]


def test_a_changed_member_list_becomes_the_current_snapshot(db: Session) -> None:
    first = push(db, body()).submission_id
    other = {"siren": make_siren(42), "name": "Nouvelle SAS", "category": "STARTUP"}
    second = push(db, body(members=[{**MEMBER, "category": "MIDCAP"}, other]))
    assert second.counts["members"] == {"created": 1, "updated": 1, "unchanged": 0, "removed": 0}
    current = db.get(MemberList, (CLUSTER, "2025"))
    assert current is not None and current.submission_id == second.submission_id and current.member_count == 2
    kept = db.scalars(select(Membership.category).where(Membership.submission_id == first)).all()
    assert kept == ["SME"]


@pytest.mark.parametrize(
    ("member", "where"),
    [
        ({**MEMBER, "name": "Exemple\u0000SAS"}, "members[0].name"),
        ({**MEMBER, "name": "Exemple\ud800SAS"}, "members[0].name"),
        (
            {"country": "DE", "foreign_id": "HRB\u00001", "name": "GmbH", "category": "SME"},
            "members[0].foreign_id",
        ),
        ({**MEMBER, "category": ["SME"]}, "members[0].category"),
        ({**MEMBER, "region": {"code": "FR-IDF"}}, "members[0].region"),
    ],
)
def test_a_member_field_the_database_cannot_store_is_a_problem_of_its_row(
    db: Session, member: dict[str, Any], where: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        push(db, body(members=[member]))
    assert [problem.path for problem in refused.value.errors] == [where]
    assert count(db, Submission) == 0


def test_a_name_and_foreign_id_padded_past_their_columns_are_stored_without_the_padding(
    db: Session,
) -> None:
    foreign = {"country": "DE", "foreign_id": "HRB12345" + " " * 100, "name": "GmbH", "category": "SME"}
    push(db, body(members=[{**MEMBER, "name": "Exemple SAS" + "\u00a0" * 400}, foreign]))
    stored = db.execute(select(Organisation.key, Organisation.foreign_id, Organisation.name)).all()
    assert sorted(tuple(row) for row in stored) == [
        ("DE:HRB12345", "HRB12345", "GmbH"),
        ("siren:732829320", None, "Exemple SAS"),
    ]
    assert sorted(db.scalars(select(Membership.name))) == ["Exemple SAS", "GmbH"]


def test_a_foreign_id_sent_with_and_without_blanks_is_one_organisation(db: Session) -> None:
    foreign = {"country": "DE", "foreign_id": "HRB12345", "name": "GmbH", "category": "SME"}
    push(db, body(members=[foreign]))
    push(db, {**body(members=[{**foreign, "foreign_id": "HRB12345 "}]), "period": "2024"})
    assert count(db, Organisation) == 1


def test_a_dimension_code_that_is_not_text_is_a_problem_of_its_row(db: Session) -> None:
    observation = {"indicator": "PROJECTS_FUNDED", "value": 1, "dimensions": {"funder": ["ANR"]}}
    with pytest.raises(InvalidInput) as refused:
        push(db, {**body(), "observations": [observation]})
    assert [problem.path for problem in refused.value.errors] == ["observations[0].dimensions.funder"]


@pytest.mark.parametrize(
    "change", [{"name": "Exemple SA"}, {"region": "FR-ARA"}, {"joined_on": "2020-05-04"}]
)
def test_a_member_whose_name_region_or_joining_date_changed_counts_as_updated(
    db: Session, change: dict[str, str]
) -> None:
    push(db, body())
    result = push(db, body(members=[{**MEMBER, **change}]))
    assert result.counts["members"] == {"created": 0, "updated": 1, "unchanged": 0, "removed": 0}


def test_a_member_left_out_counts_as_removed(db: Session) -> None:
    other = {"siren": make_siren(42), "name": "Nouvelle SAS", "category": "STARTUP"}
    push(db, body(members=[MEMBER, other]))
    result = push(db, body(members=[MEMBER]))
    assert result.counts["members"] == {"created": 0, "updated": 0, "unchanged": 1, "removed": 1}


def members(count: int) -> list[dict[str, Any]]:
    return [{"siren": make_siren(n), "name": f"Membre {n}", "category": "SME"} for n in range(count)]


def test_a_list_removing_most_of_the_current_one_is_stored_with_a_warning(db: Session) -> None:
    push(db, body(members=members(10)))
    result = push(db, body(members=members(4)))
    assert result.counts["members"]["removed"] == 6
    assert [warning["code"] for warning in result.warnings] == ["members_mostly_removed"]
    assert "removes 6 of the 10 members" in result.warnings[0]["message"]
    current = db.get(MemberList, (CLUSTER, "2025"))
    assert current is not None and current.submission_id == result.submission_id


def test_an_empty_list_replacing_a_current_one_is_warned_of_even_in_a_dry_run(db: Session) -> None:
    push(db, body(members=members(3)))
    result = push(db, body(members=[]), dry_run=True)
    assert [warning["code"] for warning in result.warnings] == ["members_mostly_removed"]


def test_a_list_removing_half_of_the_current_one_or_less_gets_no_warning(db: Session) -> None:
    push(db, body(members=members(10)))
    assert push(db, body(members=members(5))).warnings == []


def test_an_unchanged_member_list_keeps_its_snapshot(db: Session) -> None:
    first = push(db, body()).submission_id
    push(db, body())
    current = db.get(MemberList, (CLUSTER, "2025"))
    assert current is not None and current.submission_id == first
    assert count(db, Membership) == 1


def test_the_same_siren_in_two_clusters_is_one_organisation(db: Session) -> None:
    push(db, body())
    submit(db, cluster_code="systematic", document=body(), source="push", actor="tester")
    assert count(db, Organisation) == 1
    assert count(db, Membership) == 2


def test_a_list_longer_than_sqlite_takes_parameters_finds_every_organisation(db: Session) -> None:
    """Some of them new, the others listed by another cluster already (SQLite takes 32,766
    parameters in one statement)."""
    submit(db, cluster_code="systematic", document=body(members=members(20_000)), source="push", actor="t")
    result = push(db, body(members=members(40_000)))
    assert result.counts["members"]["created"] == 40_000
    assert count(db, Organisation) == 40_000
    shared = select(func.count(func.distinct(Membership.organisation_id))).where(
        Membership.cluster_code == CLUSTER
    )
    assert db.scalar(shared) == 40_000


def test_a_member_list_is_counted_by_the_category_its_cluster_gives_each_member(db: Session) -> None:
    push(db, body())
    relabelled = {**MEMBER, "category": "LARGE"}
    other = {"siren": make_siren(4_242), "name": "Autre SA", "category": "LARGE", "region": "FR-IDF"}
    result = submit(
        db, cluster_code="systematic", document=body(members=[relabelled, other]), source="push", actor="t"
    )
    counts = db.execute(
        select(MemberCategoryCount.category, MemberCategoryCount.members)
        .where(MemberCategoryCount.submission_id == result.submission_id)
        .order_by(MemberCategoryCount.category)
    ).all()
    assert [tuple(row) for row in counts] == [("LARGE", 2)]


def test_a_member_listed_in_another_category_than_first_seen_is_flagged_relabelled(db: Session) -> None:
    push(db, body())
    other = {"siren": make_siren(4_242), "name": "Autre SA", "category": "LARGE", "region": "FR-IDF"}
    result = submit(
        db,
        cluster_code="systematic",
        document=body(members=[{**MEMBER, "category": "LARGE"}, other]),
        source="push",
        actor="t",
    )
    flagged = db.scalars(
        select(Membership.name).where(Membership.submission_id == result.submission_id, Membership.relabelled)
    ).all()
    assert flagged == [MEMBER["name"]]


def test_an_unchanged_resend_does_not_mark_the_period_dirty(db: Session) -> None:
    push(db, body())
    db.execute(delete(DirtyPeriod))
    db.commit()
    push(db, body())
    assert count(db, DirtyPeriod) == 0


def test_an_accepted_submission_is_audited_with_client_cluster_and_counts(db: Session) -> None:
    result = push(db, body())
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission")).one()
    assert (event.actor, event.cluster_code, event.outcome) == ("tester", CLUSTER, "accepted")
    assert event.details["counts"] == result.counts and event.details["submission"] == result.submission_id
    assert "Exemple SAS" not in json.dumps(event.details)


def test_a_rejection_is_audited_with_its_problem_paths_only(db: Session) -> None:
    with pytest.raises(InvalidInput):
        push(db, body(members=[{**MEMBER, "siren": "123456789"}]))
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission")).one()
    assert event.outcome == "rejected" and event.details["paths"] == ["members[0].siren"]
    assert "123456789" not in json.dumps(event.details)


def test_a_rejection_audits_the_first_twenty_problem_paths(db: Session) -> None:
    members = [{**MEMBER, "siren": "123456789", "name": f"Org {n}"} for n in range(25)]
    with pytest.raises(InvalidInput):
        push(db, body(members=members))
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "submission")).one()
    assert event.details["problems"] == 25
    assert event.details["paths"] == [f"members[{n}].siren" for n in range(20)]


def test_a_pull_records_its_source_and_run(db: Session) -> None:
    run = JobRun(kind="sync", cluster_code=CLUSTER, status="running")
    db.add(run)
    db.flush()
    result = submit(
        db,
        cluster_code=CLUSTER,
        document=body(),
        source="connector:feed_json",
        actor="scheduler",
        run_id=run.id,
    )
    stored = db.get(Submission, result.submission_id)
    assert stored is not None and (stored.source, stored.run_id) == ("connector:feed_json", run.id)


def test_without_raw_bytes_the_canonical_json_is_kept(db: Session) -> None:
    result = push(db, body())
    stored = db.get(Submission, result.submission_id)
    assert stored is not None and json.loads(gzip.decompress(stored.payload)) == body()


def test_a_csv_stream_is_ingested_and_kept_as_received(db: Session) -> None:
    raw = b"indicator,value,funder\nPROJECTS_FUNDED,12,ANR\nBUDGET_EUR,1850000,\n"
    result = submit_csv(
        db, cluster_code=CLUSTER, period="2025", stream=io.BytesIO(raw), source="push", actor="tester"
    )
    assert result.counts["observations"]["created"] == 2
    stored = db.get(Submission, result.submission_id)
    assert stored is not None and gzip.decompress(stored.payload) == raw
    assert stored.payload_sha256 == hashlib.sha256(raw).hexdigest()


def test_a_csv_that_is_not_utf8_is_refused(db: Session) -> None:
    with pytest.raises(InvalidInput):
        submit_csv(
            db,
            cluster_code=CLUSTER,
            period="2025",
            stream=io.BytesIO(b"indicator,value\n\xff\xfe,1\n"),
            source="push",
            actor="t",
        )
    assert count(db, Submission) == 0


def test_a_period_not_over_is_accepted_with_a_warning(db: Session) -> None:
    result = push(db, {**body(), "period": str(date.today().year)})
    assert [warning["code"] for warning in result.warnings] == ["period_not_over"]


class ChunkedOnly(io.RawIOBase):
    """A request body that refuses to be read whole, as a streamed upload should never be."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.largest_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size > 0, "the whole body was read at once"
        self.largest_read = max(self.largest_read, size)
        return self._data.read(size)


def test_a_csv_body_is_read_in_chunks(db: Session) -> None:
    lines = [b"indicator,value,funder"] + [
        b"PROJECTS_FUNDED,%d,%s" % (n, f.encode()) for n, f in enumerate(["ANR", "EU"])
    ]
    raw = b"\n".join(lines + [b"EVENTS,1,"] * 20_000) + b"\n"
    stream = ChunkedOnly(raw)
    with pytest.raises(InvalidInput):  # the repeated EVENTS lines are duplicates
        submit_csv(db, cluster_code=CLUSTER, period="2025", stream=stream, source="push", actor="tester")
    assert 0 < stream.largest_read < len(raw)
