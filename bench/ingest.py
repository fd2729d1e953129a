"""Push ingestion through the HTTP API (in-process WSGI), against a raw ``executemany`` floor.

    python bench/ingest.py [--scale N] [--database-url URL]

1. Observations: every cluster-period of the synthetic federation at ``--scale`` (default 20:
   1,060 clusters x 3 periods x 32 rows = 101,760 rows) is pushed as one JSON submission.
   Floor: the same rows inserted with one SQLAlchemy Core ``executemany`` and one commit per
   cluster-period (a submission is its own transaction), into the same table of the same
   database (and deleted again), measured in ten slices taken in turn with the pushes so
   that other load on the machine weighs on both. A second figure compares with one
   ``executemany`` of all rows in one transaction, which no per-submission API can match.
2. Members: member lists (at least 25,000 rows) pushed the same way, in ten slices taken in
   turn with their floor: the same membership rows with one ``executemany`` and commit per
   list.
3. Peak memory of a 200,000-row CSV push, measured in a child process (``ru_maxrss``).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import build, emit, register_clusters, say, scratch_database  # noqa: E402
from hub import create_app  # noqa: E402
from hub.models import Membership, Observation, Organisation, Submission, utcnow  # noqa: E402
from hub.services.clients import create_client, principal_of  # noqa: E402
from hub.state import HubState  # noqa: E402
from hub.synthetic import generate  # noqa: E402
from schemas.member_rules import check_member  # noqa: E402
from schemas.observation_rules import dims_key  # noqa: E402

TARGET_RATIO, TARGET_MB = 0.33, 300
MEMBER_ROWS = 25_000
CSV_ROWS = 200_000
SLICES = 10


def figure(
    metric: str, value: float, floor: float | None, ratio: float | None, target: float, args: Any
) -> None:
    emit(
        "ingest",
        metric,
        value,
        floor=floor,
        ratio=ratio,
        target=target,
        database=args.dialect,
        scale=args.scale,
        digits=1 if ratio is None else 3,
    )


def admin_headers(state: HubState) -> dict[str, str]:
    with state.sessions() as session:
        client, _ = create_client(session, role="admin", name="bench")
        session.commit()
        token, _ = state.tokens.issue(principal_of(client))
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def observation_bodies(federation: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (code, period, {"period": period, "observations": body["observations"]})
        for code, period, body in federation.submissions()
    ]


def floor_rows(
    code: str, period: str, body: dict[str, Any], submission_id: int, now: Any
) -> list[dict[str, Any]]:
    return [
        {
            "cluster_code": code,
            "period": period,
            "indicator_code": row["indicator"],
            "dims_key": dims_key(row.get("dimensions") or {}),
            "dimensions": row.get("dimensions") or {},
            "value": row["value"],
            "revision": 1,
            "is_current": True,
            "submission_id": submission_id,
            "created_at": now,
        }
        for row in body["observations"]
    ]


def placeholder_submission(session: Session, code: str) -> int:
    row = Submission(
        cluster_code=code,
        period="0000",
        content_type="bench",
        payload=b"",
        payload_sha256="",
        received_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row.id


def observation_floor(state: HubState, bodies: list[tuple[str, str, dict[str, Any]]]) -> float:
    """Seconds to insert the bodies' observation rows with one executemany and commit per body
    (the rows are deleted again, so the pushes that follow find the table as it was)."""
    table = cast(Table, Observation.__table__)
    with state.sessions() as session:
        holder = placeholder_submission(session, bodies[0][0])
        session.commit()
        now = utcnow()
        prepared = [floor_rows(code, period, body, holder, now) for code, period, body in bodies]
        started = time.perf_counter()
        for rows in prepared:
            session.execute(insert(table), rows)
            session.commit()
        seconds = time.perf_counter() - started
        session.execute(delete(table).where(table.c.submission_id == holder))
        session.execute(delete(Submission).where(Submission.id == holder))
        session.commit()
    return seconds


def bulk_floor(state: HubState, bodies: list[tuple[str, str, dict[str, Any]]]) -> float:
    """Seconds to insert every observation row with one executemany in one transaction."""
    table = cast(Table, Observation.__table__)
    with state.sessions() as session:
        holder = placeholder_submission(session, bodies[0][0])
        session.commit()
        now = utcnow()
        everything = [
            row for code, period, body in bodies for row in floor_rows(code, period, body, holder, now)
        ]
        started = time.perf_counter()
        session.execute(insert(table), everything)
        session.commit()
        seconds = time.perf_counter() - started
        session.execute(delete(table).where(table.c.submission_id == holder))
        session.execute(delete(Submission).where(Submission.id == holder))
        session.commit()
    return seconds


def interleaved(
    state: HubState,
    client: Any,
    headers: dict[str, str],
    bodies: list[tuple[str, str, dict[str, Any]]],
    floor: Callable[[HubState, list[tuple[str, str, dict[str, Any]]]], float],
    *,
    floor_first: bool,
) -> tuple[float, float]:
    """API and floor seconds, measured slice by slice in turn, so that a machine busy with
    something else for a while slows both alike rather than one of them. The observations'
    floor goes first (its rows would clash with the current values the pushes store), the
    members' after (its rows refer to the organisations the pushes create)."""
    api_seconds = floor_seconds = 0.0
    step = -(-len(bodies) // SLICES)
    for start in range(0, len(bodies), step):
        chunk = bodies[start : start + step]
        if floor_first:
            floor_seconds += floor(state, chunk)
        api_seconds += push_all(client, headers, [(c, p, json.dumps(b).encode()) for c, p, b in chunk])
        if not floor_first:
            floor_seconds += floor(state, chunk)
        done = f"{start + len(chunk)}/{len(bodies)}"
        say(f"  {done} submissions: API {api_seconds:.2f}s, floor {floor_seconds:.2f}s")
    return api_seconds, floor_seconds


def push_all(client: Any, headers: dict[str, str], bodies: list[tuple[str, str, bytes]]) -> float:
    started = time.perf_counter()
    for code, _period, payload in bodies:
        response = client.post(f"/api/v1/clusters/{code}/submissions", data=payload, headers=headers)
        if response.status_code != 201:
            raise SystemExit(f"push refused: {response.status_code} {response.get_data(as_text=True)[:500]}")
    return time.perf_counter() - started


def member_bodies(federation: Any) -> list[tuple[str, str, dict[str, Any]]]:
    chosen, total = [], 0
    for code, period, body in federation.submissions(federation.periods[0]):
        chosen.append((code, period, {"period": period, "members": body["members"]}))
        total += len(body["members"])
        if total >= MEMBER_ROWS:
            break
    return chosen


def member_floor(state: HubState, bodies: list[tuple[str, str, dict[str, Any]]]) -> float:
    """Seconds to insert the same membership rows, one executemany and commit per list.

    Run after the lists' pushes, which created the organisations the rows refer to.
    """
    table = cast(Table, Membership.__table__)
    with state.sessions() as session:
        holder = placeholder_submission(session, bodies[0][0])
        organisations = {
            key: row_id for key, row_id in session.execute(select(Organisation.key, Organisation.id))
        }
        session.commit()
        prepared = []
        for code, period, body in bodies:
            members = [check_member(row)[1] for row in body["members"]]
            prepared.append(
                [
                    {
                        "submission_id": holder,
                        "cluster_code": code,
                        "period": period,
                        "organisation_id": organisations[m.key],
                        "name": m.name,
                        "category": m.category,
                        "region": m.region,
                        "joined_on": m.joined_on,
                    }
                    for m in members
                    if m is not None
                ]
            )
        started = time.perf_counter()
        for rows in prepared:
            session.execute(insert(table), rows)
            session.commit()
        seconds = time.perf_counter() - started
        session.execute(delete(table).where(table.c.submission_id == holder))
        session.execute(delete(Submission).where(Submission.id == holder))
        session.commit()
    return seconds


def csv_body(rows: int) -> bytes:
    """A CSV body of ``rows`` observation lines, built without a list of lines in memory."""
    funders = ["ANR", "BPIFRANCE", "FRANCE_2030", "EU", "REGION", "OTHER"]
    buffer = io.BytesIO()
    buffer.write(b"indicator,value,funder\n")
    for i in range(rows):
        buffer.write(f"PROJECTS_FUNDED,{i % 97},{funders[i % len(funders)]}\n".encode())
    return buffer.getvalue()


def peak_mb() -> float:
    """The process's peak resident memory (VmHWM), in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak() -> None:
    """Forget the peak inherited from the parent at fork (Linux keeps it across exec)."""
    clear = Path("/proc/self/clear_refs")
    if clear.exists():
        clear.write_text("5")


def csv_child(url: str, instance: Path) -> None:
    """Child process: push one 200,000-row CSV and report the process's peak memory."""
    reset_peak()
    state = build(url, instance)
    headers = {**admin_headers(state), "Content-Type": "text/csv"}
    client = create_app(state=state).test_client()
    body = csv_body(CSV_ROWS)
    before = peak_mb()
    started = time.perf_counter()
    response = client.post("/api/v1/clusters/medicen/submissions?period=2025", data=body, headers=headers)
    seconds = time.perf_counter() - started
    peak = peak_mb()
    answer = response.get_json()
    print(
        json.dumps(
            {
                "status": response.status_code,
                "problems": len(answer.get("errors", [])),
                "peak_mb": peak,
                "before_mb": before,
                "body_mb": len(body) / 2**20,
                "seconds": seconds,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--csv-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    instance = args.csv_child or Path(tempfile.mkdtemp(prefix="hub-bench-ingest-"))
    url = args.database_url or f"sqlite:///{instance / 'hub.db'}"
    if args.csv_child:
        csv_child(url, instance)
        return
    args.dialect = url.split(":", 1)[0].split("+", 1)[0]
    say(f"database {args.dialect}, scale {args.scale}, instance {instance}")
    with scratch_database(url) as scratch:
        run(args, scratch, instance)


def run(args: Any, url: str, instance: Path) -> None:
    state = build(url, instance)
    federation = generate(scale=args.scale)
    register_clusters(state, federation)
    headers = admin_headers(state)
    client = create_app(state=state).test_client()

    bodies = observation_bodies(federation)
    rows = sum(len(body["observations"]) for _, _, body in bodies)
    bulk_seconds = bulk_floor(state, bodies)
    say(
        f"{rows} observation rows in {len(bodies)} cluster-periods;"
        f" one executemany of all: {bulk_seconds:.2f}s"
    )
    say("pushing them through the API, in turn with the per-submission floor")
    seconds, floor_seconds = interleaved(state, client, headers, bodies, observation_floor, floor_first=True)
    rate, floor, bulk = rows / seconds, rows / floor_seconds, rows / bulk_seconds
    say(f"  {rate:.0f} observations/s; floor {floor:.0f}/s")

    members = member_bodies(federation)
    member_rows = sum(len(body["members"]) for _, _, body in members)
    say(f"pushing {member_rows} members in {len(members)} lists through the API, in turn with the floor")
    member_seconds, member_floor_seconds = interleaved(
        state, client, headers, members, member_floor, floor_first=False
    )
    say(f"  {member_rows / member_seconds:.0f} members/s; floor {member_rows / member_floor_seconds:.0f}/s")

    say(f"CSV push of {CSV_ROWS} rows in a child process")
    child_url = url if args.database_url else f"sqlite:///{instance / 'csv.db'}"
    out = subprocess.run(
        [sys.executable, __file__, "--csv-child", str(instance), "--database-url", child_url],
        check=True,
        capture_output=True,
        text=True,
    )
    csv = json.loads(out.stdout.strip().splitlines()[-1])
    outcome = (
        "accepted" if csv["status"] == 201 else f"refused with {csv['status']} ({csv['problems']} problems)"
    )
    say(
        f"  {outcome} in {csv['seconds']:.1f}s; peak {csv['peak_mb']:.0f} MB"
        f" (before the push {csv['before_mb']:.0f} MB)"
    )

    figure("observations_per_s", rate, floor, rate / floor, TARGET_RATIO, args)
    figure("observations_per_s_vs_one_executemany", rate, bulk, rate / bulk, TARGET_RATIO, args)
    member_rate, member_floor_rate = member_rows / member_seconds, member_rows / member_floor_seconds
    figure(
        "members_per_s", member_rate, member_floor_rate, member_rate / member_floor_rate, TARGET_RATIO, args
    )
    figure("csv_200k_peak_rss_mb", csv["peak_mb"], None, None, TARGET_MB, args)


if __name__ == "__main__":
    main()
