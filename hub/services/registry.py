"""The cluster registry and the indicator catalogue in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.errors import Conflict, FieldProblem, InvalidInput, NotFound
from hub.models import Cluster, Completeness, Indicator, utcnow
from hub.services import audit, dirty, locks
from schemas.reference import catalogue, registry

CLUSTER_FIELDS = ("name", "region", "theme", "themes", "description", "active", "active_from", "active_to")
# Fields the figures depend on: the areas a cluster counts in, and whether it is expected.
AGGREGATED_FIELDS = ("region", "theme", "active", "active_from", "active_to")


def load_reference_data(session: Session) -> dict[str, int]:
    """Insert the shipped catalogue and registry entries that are missing.

    Existing clusters are left alone: admins may have edited or deactivated them,
    and a re-run of ``hub init`` must not undo that. A cluster added to an aggregated
    federation (a newer registry shipped) is expected from then on: the aggregated periods
    are marked dirty for it, as ``add_cluster`` does.
    """
    added = {"indicators": 0, "clusters": 0}
    for item in catalogue().indicators.values():
        row = session.get(Indicator, item.code)
        if row is None:
            row = Indicator(code=item.code)
            session.add(row)
            added["indicators"] += 1
        row.name_fr, row.name_en, row.unit = item.name_fr, item.name_en, item.unit
        row.periodicity, row.aggregation, row.weight = item.periodicity, item.aggregation, item.weight
        row.dimensions, row.value_type, row.derived = list(item.dimensions), item.value_type, item.derived
        row.min_value, row.max_value = item.min, item.max
    for entry in registry():
        if session.get(Cluster, entry.code) is None:
            session.add(
                Cluster(
                    code=entry.code,
                    name=entry.name,
                    region=entry.region,
                    theme=entry.theme,
                    themes=list(entry.themes),
                    description=entry.description,
                    active=entry.active_to is None or entry.active_to >= date.today(),
                    active_from=entry.active_from,
                    active_to=entry.active_to,
                )
            )
            session.flush()
            _mark_aggregated_periods(session, entry.code)
            added["clusters"] += 1
    return added


def list_clusters(session: Session, *, include_inactive: bool = True) -> Sequence[Cluster]:
    query = select(Cluster).order_by(Cluster.code)
    if not include_inactive:
        query = query.where(Cluster.active.is_(True))
    return session.scalars(query).all()


def get_cluster(session: Session, code: str) -> Cluster:
    cluster = session.get(Cluster, code)
    if cluster is None:
        raise NotFound(f"no cluster {code!r}")
    return cluster


def _check(values: dict[str, Any], current: Cluster | None = None) -> None:
    """Every problem of ``values``, given to a new cluster or changing ``current``: unknown
    codes, a list of themes without the main one, and an activity window that ends before it
    starts, in which the cluster would never be expected."""
    lists = catalogue().code_lists
    problems = []
    if "region" in values and values["region"] not in lists["region"]:
        problems.append(FieldProblem("region", f"unknown region code {values['region']!r}"))
    if "theme" in values and values["theme"] not in lists["theme"]:
        problems.append(FieldProblem("theme", f"unknown theme code {values['theme']!r}"))
    for index, theme in enumerate(values.get("themes") or []):
        if theme not in lists["theme"]:
            problems.append(FieldProblem(f"themes[{index}]", f"unknown theme code {theme!r}"))
    theme = values.get("theme", current.theme if current else None)
    if "themes" in values and theme not in values["themes"]:
        problems.append(FieldProblem("themes", f"must include the main theme ({theme})"))
    starts = values.get("active_from", current.active_from if current else None)
    ends = values.get("active_to", current.active_to if current else None)
    if starts is not None and ends is not None and ends < starts:
        problems.append(FieldProblem("active_to", f"{ends} is before the activity starts ({starts})"))
    if problems:
        raise InvalidInput(problems)


def add_cluster(session: Session, *, code: str, actor: str | None = None, **values: Any) -> Cluster:
    _check(values)
    if session.get(Cluster, code) is not None:
        raise Conflict(f"cluster {code!r} already exists")
    values.setdefault("themes", [values.get("theme")])
    cluster = Cluster(code=code, **{k: v for k, v in values.items() if k in CLUSTER_FIELDS})
    try:
        with session.begin_nested():  # the same code, added since the look above, by another request
            session.add(cluster)
    except IntegrityError:
        raise Conflict(f"cluster {code!r} already exists") from None
    _mark_aggregated_periods(session, code)
    audit.record(session, actor=actor, action="cluster.add", outcome="ok", cluster=code)
    return cluster


def update_cluster(session: Session, code: str, *, actor: str | None = None, **values: Any) -> Cluster:
    """Change a cluster's registry entry. A change to where it counts or whether it is expected
    leaves the aggregated periods' figures stale: they are marked dirty for it."""
    cluster = get_cluster(session, code)
    _check(values, cluster)
    if "theme" in values and "themes" not in values and values["theme"] not in cluster.themes:
        # A new main theme joins the cluster's themes; the former one stays among them.
        values = {**values, "themes": [values["theme"], *cluster.themes]}
    changed = {}
    for key, value in values.items():
        if key in CLUSTER_FIELDS and getattr(cluster, key) != value:
            setattr(cluster, key, value)
            changed[key] = str(value)
    if any(key in changed for key in AGGREGATED_FIELDS):
        _mark_aggregated_periods(session, code)
    audit.record(session, actor=actor, action="cluster.update", outcome="ok", cluster=code, changed=changed)
    return cluster


def _mark_aggregated_periods(session: Session, code: str) -> None:
    """Every period aggregated so far is dirty for ``code``: the next run recomputes it (in full,
    as it finds the registry's areas changed, or with the cluster newly expected)."""
    periods = session.scalars(select(Completeness.period).distinct()).all()
    locks.hold_periods(session, periods)
    dirty.mark(session, code, periods, utcnow())


def list_indicators(session: Session) -> Sequence[Indicator]:
    return session.scalars(select(Indicator).order_by(Indicator.code)).all()
