"""Pulling every cluster's feed at once with ``sync_many``, against the sum of the runs' durations.

    python bench/sync.py [--scale N] [--database-url URL] [--latency S]

The registry's clusters (×``--scale``) each get the connector the demo feeds assign them
(``feed_json``, ``csv``, French ``csv`` or ``sdmx``, behind every auth kind), served over
loopback HTTP with ``--latency`` seconds (default 0.2) of delay per answer, as a distant
cluster CRM would have. Then one ``sync_many`` of all of them, ``HUB_SYNC_CONCURRENCY``
(default 8) at a time, is timed from the first run queued to the last run finished.

Floor: the sequential sum of the runs' own durations (started → finished), which is what
pulling them one after the other would cost; ratio = floor / wall time, so it measures how
much of the concurrency the hub turns into speed (ideal: the concurrency itself).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support import build, emit, register_clusters, say, scratch_database  # noqa: E402
from hub.demo_feeds import DemoFeeds, connector_config  # noqa: E402
from hub.loopback import serving  # noqa: E402
from hub.services import sync  # noqa: E402
from hub.services.connectors import Settings  # noqa: E402
from hub.synthetic import generate  # noqa: E402

TARGET_RATIO = 4.0  # half the default concurrency of 8
SECRET = "bench-sync-feeds"


def figure(metric: str, value: float, floor: float, args: Any) -> None:
    emit(
        "sync",
        metric,
        value,
        floor=floor,
        ratio=floor / value,
        target=TARGET_RATIO,
        database=args.dialect,
        scale=args.scale,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access line per pull drowns the figures
    instance = Path(tempfile.mkdtemp(prefix="hub-bench-sync-"))
    url = args.database_url or f"sqlite:///{instance / 'hub.db'}"
    args.dialect = url.split(":", 1)[0].split("+", 1)[0]
    try:
        with scratch_database(url) as scratch:
            run(args, scratch, instance)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def run(args: Any, url: str, instance: Path) -> None:
    state = build(url, instance)
    federation = generate(scale=args.scale)
    register_clusters(state, federation)
    period = federation.periods[-1]
    with serving(DemoFeeds(federation, SECRET, latency=args.latency)) as server:
        settings = {
            cluster.code: Settings(**connector_config(cluster.code, server.url, SECRET))
            for cluster in federation.clusters
        }
        say(
            f"database {args.dialect}: {len(settings)} clusters pull {period} from {server.url}, "
            f"{args.latency}s latency, {state.config.sync_concurrency} at a time"
        )
        with state.sessions() as session:
            for code, wanted in settings.items():
                sync.connector_configs.configure(
                    session, fernet=state.fernet, cluster_code=code, settings=wanted, actor="bench"
                )
            session.commit()
        started = time.perf_counter()
        done = sync.sync_many(state, list(settings), period, requested_by="bench")
        wall = time.perf_counter() - started
    statuses = {run.status for run in done}
    floor = sum((run.finished_at - run.started_at).total_seconds() for run in done if run.finished_at)
    say(f"  {len(done)} runs ({', '.join(sorted(statuses))}) in {wall:.2f}s; in turn {floor:.2f}s")
    failed = [run for run in done if run.status == "failed"]
    for run in failed[:5]:
        say(f"  failed: {run.cluster_code}: {run.error}")
    figure("sync_all_seconds", wall, floor, args)
    state.engine.dispose()


if __name__ == "__main__":
    main()
