"""``hub aggregate``: the aggregation engine for operators."""

from __future__ import annotations

import click

from hub.cli.context import hub_state, unit_of_work
from hub.services.aggregation import AggregationFailed, AggregationResult, aggregate_dirty, aggregate_period


def _describe(result: AggregationResult) -> str:
    return (
        f"{result.period}: {result.mode} run {result.run_id}, {result.cells} cell(s) written, "
        f"{result.primary} suppressed (C), {result.secondary} secondary (D), {result.seconds:.2f} s"
    )


@click.command("aggregate")
@click.option("--period", help="recompute every figure of this period (2025, 2025-Q1, ...)")
@click.option("--dirty", is_flag=True, help="recompute only what changed since the last run")
def aggregate_command(period: str | None, dirty: bool) -> None:
    """Compute national, regional, thematic and per-cluster aggregates."""
    if (period is None) == (not dirty):
        raise click.UsageError("give either --period P or --dirty")
    config = hub_state().config
    with unit_of_work() as session:
        if period is not None:
            results = [aggregate_period(session, period, config=config, trigger="cli")]
        else:
            try:
                results = aggregate_dirty(session, config=config, trigger="cli")
            except AggregationFailed as failed:  # the periods that did run are committed: say so
                for result in failed.results:
                    click.echo(_describe(result))
                raise
    for result in results:
        click.echo(_describe(result))
    if not results:
        click.echo("nothing to aggregate: no period is dirty")


COMMANDS = (aggregate_command,)
