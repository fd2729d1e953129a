"""``hub sync``: pull cluster feeds in the foreground, as the scheduler would."""

from __future__ import annotations

import click
from sqlalchemy import select

from hub.cli.context import hub_state, unit_of_work
from hub.models import ConnectorConfig, JobRun
from hub.services import sync


def _describe(run: JobRun) -> str:
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else 0
    line = f"{run.cluster_code} {run.period}: run {run.id} {run.status}, {run.pages} page(s), {seconds:.2f} s"
    for part, counts in (run.counts or {}).items():
        if part == "observations" or any(counts.values()):  # a feed without members says nothing of them
            line += f", {part} " + " ".join(f"{name} {number}" for name, number in counts.items())
    line += f" — {run.error}" if run.error else ""
    return line + "".join(f"\n  warning: {warning['message']}" for warning in run.warnings)


def _enabled() -> list[str]:
    with unit_of_work() as session:
        query = select(ConnectorConfig.cluster_code).where(ConnectorConfig.enabled.is_(True))
        return list(session.scalars(query.order_by(ConnectorConfig.cluster_code)))


@click.command("sync")
@click.argument("code", required=False)
@click.option("--all", "every", is_flag=True, help="every cluster with an enabled connector")
@click.option("--period", help="the period to pull (default: the previous calendar year)")
@click.option("--replay", type=int, metavar="RUN_ID", help="re-ingest the pages a run archived")
def sync_command(code: str | None, every: bool, period: str | None, replay: int | None) -> None:
    """Pull cluster feeds now; exit code 1 if any run failed."""
    if (code is None) == (not every):
        raise click.UsageError("give either a cluster CODE or --all")
    if replay is not None and (every or period):
        raise click.UsageError("--replay RUN_ID goes with a cluster CODE alone")
    state = hub_state()
    with unit_of_work():
        if replay is not None:
            done = [sync.replay(state, replay, cluster=code, requested_by="cli")]
        else:
            codes = _enabled() if every else [code or ""]
            done = sync.sync_many(state, codes, period, trigger="cli", requested_by="cli")
    for run in done:
        click.echo(_describe(run))
    failed = sum(run.status == "failed" for run in done)
    if every or failed:
        click.echo(f"{len(done)} run(s): {len(done) - failed} ok, {failed} failed")
    if failed:
        raise SystemExit(1)


COMMANDS = (sync_command,)
