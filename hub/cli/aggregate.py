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
@click.option("--period", help="recompute what changed in this period (2025, 2025-Q1, ...)")
@click.option("--full", is_flag=True, help="with --period: recompute every figure of the period")
@click.option("--dirty", is_flag=True, help="recompute what changed in every period")
def aggregate_command(period: str | None, full: bool, dirty: bool) -> None:
    """Compute national, regional, thematic and per-cluster aggregates.

    A run recomputes only the cells that pushes and pulls changed since the last one (all of
    them when the period was never aggregated or the registry moved a cluster); ``--full``
    recomputes a whole period, to repair it by hand."""
    if (period is None) == (not dirty):
        raise click.UsageError("give either --period P or --dirty")
    if full and period is None:
        raise click.UsageError("--full goes with --period P")
    config = hub_state().config
    with unit_of_work() as session:
        if period is not None and full:
            results = [aggregate_period(session, period, config=config, trigger="cli")]
        else:
            try:
                results = aggregate_dirty(session, config=config, trigger="cli", period=period)
            except AggregationFailed as failed:  # the periods that did run are committed: say so
                for result in failed.results:
                    click.echo(_describe(result))
                raise
    for result in results:
        click.echo(_describe(result))
    if not results:
        click.echo("nothing to aggregate: " + (f"{period} is not dirty" if period else "no period is dirty"))


COMMANDS = (aggregate_command,)
