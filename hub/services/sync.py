"""Pulling a cluster's feed: fetch, archive the raw pages, map, ingest through the push path.

Entry points for the scheduler, the CLI and the demo:

- ``execute(state, run_id)`` runs one queued run to its end and returns it; whatever the feed
  or the mapping does, it does not raise (an unexpected error becomes a failed run with a
  generic message, and is logged); only a run id that does not exist is a ``NotFound``.
- ``replay(state, run_id)`` re-ingests the pages archived by an earlier run, as a new run.
- ``sync_many(state, codes, period)`` queues and runs several clusters at once, at most
  ``config.sync_concurrency`` at a time.
- ``pull_clusters(state, settings, period)`` configures connectors, then pulls them all; for
  the demo: ``{code: Settings(**hub.demo_feeds.connector_config(code, url, secret))}``.

Each step has its own session, and none is open while the feed is fetched: a slow feed
must not hold a database connection or (on SQLite) a lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

import connectors
from connectors.base import Connector, ConnectorError, Limits, Page, Pull, Source
from hub.config import Config
from hub.errors import HubError, InvalidInput, UnreadableSecret
from hub.models import ConnectorConfig, JobRun, PullArchive, utcnow
from hub.models.operations import VALIDATOR_LENGTHS
from hub.services import connectors as connector_configs
from hub.services import ingestion, runs
from hub.state import HubState

log = logging.getLogger(__name__)

Lookup = Callable[[str], Connector]
SHOWN_PROBLEMS = 5  # the first refusal paths in a run's error; the rest are counted
UNEXPECTED = "the pull stopped on an unexpected error; the hub's log has the details"


@dataclass(frozen=True)
class Puller:
    """How runs reach the feeds: the connector registry and the bounds of one pull (by
    default, ``limits_for`` the hub's configuration)."""

    lookup: Lookup = connectors.get
    limits: Limits | None = None


def limits_for(config: Config) -> Limits:
    """A pull ends, fetched or failed, within half the run timeout: the scheduler then never
    takes a live pull for a dead runner, and ingesting what it fetched has the other half."""
    return Limits(max_seconds=config.run_timeout_seconds / 2)


class RunFailed(Exception):
    """A run that ends as failed; the message is the run's error, shown to its cluster."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.fields = fields


def _runner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def execute(state: HubState, run_id: int, *, puller: Puller = Puller()) -> JobRun:
    """Run one queued run; a run another runner claimed first is returned as it is."""
    with state.sessions() as session:
        claimed = runs.claim(session, run_id, _runner())
        session.commit()
        if not claimed:
            return runs.get_run(session, run_id)
    return _run(state, run_id, puller)


def _run(state: HubState, run_id: int, puller: Puller) -> JobRun:
    """Run a run this runner holds to its end."""
    job: _Job | None = None
    try:
        job = _job(state, run_id)
        return _pull(state, job, puller)
    except RunFailed as error:
        return _close(state, run_id, "failed", error=str(error), **error.fields)
    except Exception as error:
        # Not log.exception: the exception's text may quote a credential (requests quotes a
        # header it refuses), so the traceback is masked like a run's error before it is logged.
        trace = "".join(traceback.format_exception(error))
        shown = trace if job is None else _masked(trace, job.source)
        log.error("sync run %s stopped on an unexpected error\n%s", run_id, shown)
        return _close(state, run_id, "failed", error=UNEXPECTED)


def _close(state: HubState, run_id: int, status: str, **fields: Any) -> JobRun:
    with state.sessions() as session:
        run = runs.finish(session, run_id, status, **fields)
        session.commit()
    log.info("sync run %s of %s: %s", run_id, run.cluster_code, status)
    return run


@dataclass(frozen=True)
class _Job:
    run_id: int
    period: str
    requested_by: str | None
    type: str
    source: Source
    replay_of: int | None


def _job(state: HubState, run_id: int) -> _Job:
    with state.sessions() as session:
        run = runs.get_run(session, run_id)
        config = session.get(ConnectorConfig, run.cluster_code)
        if config is None:
            raise RunFailed(f"cluster {run.cluster_code!r} has no connector")
        try:
            source = connector_configs.source_of(config, state.fernet)
        except UnreadableSecret as error:
            raise RunFailed(error.detail) from error
        return _Job(
            run.id, run.period or runs.default_period(), run.requested_by, config.type, source, run.replay_of
        )


def _pull(state: HubState, job: _Job, puller: Puller) -> JobRun:
    run_id = job.run_id
    try:
        connector = puller.lookup(job.type)
    except ConnectorError as error:
        raise RunFailed(str(error)) from error
    validators: dict[str, str | None] = {}
    if job.replay_of is not None:
        pages = _archived(state, job.replay_of)
    else:
        try:
            pull = connector.fetch(job.source, job.period, puller.limits or limits_for(state.config))
        except ConnectorError as error:
            _archive(state, run_id, error.pages, complete=False)
            raise RunFailed(_redacted(error, job.source), **_size(error.pages)) from error
        if pull.not_modified:
            return _close(state, run_id, "unchanged")
        pages = pull.pages
        _archive(state, run_id, pages, complete=True)
        validators = _kept(pull)
    size = _size(pages)
    try:
        document = connector.to_submission(pages, job.source, job.period)
    except ConnectorError as error:
        raise RunFailed(_redacted(error, job.source), **size) from error
    return _ingest(state, job, document, validators, size)


def _kept(pull: Pull) -> dict[str, str | None]:
    """The validators to store: one longer than its column is left out, not a failed run."""
    kept = {
        name: value
        for name, value in (("etag", pull.etag), ("last_modified", pull.last_modified))
        if value is not None and len(value) <= VALIDATOR_LENGTHS[name]
    }
    return {
        "etag": kept.get("etag"),
        "last_modified": kept.get("last_modified"),
        "validators_url": pull.validators_url if kept else None,
    }


def _size(pages: Sequence[Page]) -> dict[str, int]:
    return {"pages": len(pages), "bytes": sum(len(page.body) for page in pages)}


def _redacted(error: ConnectorError, source: Source) -> str:
    """The error as the run shows it; a credential a connector let slip is masked all the same."""
    return _masked(str(error), source)


def _masked(text: str, source: Source) -> str:
    """``text`` without the source's credentials, as they are, trimmed, or escaped by a repr
    (a token pasted with its newline shows as ``token\\n``)."""
    for name, value in source.auth.items():
        if name not in ("type", "header"):
            for form in sorted({value, value.strip(), repr(value)[1:-1]}, key=len, reverse=True):
                if form:
                    text = text.replace(form, "***")
    return text


def _ingest(
    state: HubState, job: _Job, document: Mapping[str, Any], validators: Mapping[str, str | None], size: Any
) -> JobRun:
    with state.sessions() as session:
        try:
            result = ingestion.submit(
                session,
                cluster_code=job.source.cluster_code,
                document=document,
                source=f"connector:{job.type}",
                actor=job.requested_by,
                run_id=job.run_id,
            )
        except HubError as error:
            refusal = error
        else:
            if validators:
                # Only now: a validator saved before a refused ingest would make the next pull a 304.
                config = session.get(ConnectorConfig, job.source.cluster_code)
                if config is not None:
                    for name, value in validators.items():
                        setattr(config, name, value)
            status = "succeeded" if _changed(result.counts) else "unchanged"
            run = runs.finish(
                session,
                job.run_id,
                status,
                counts=result.counts,
                warnings=result.warnings,
                submission_id=result.submission_id,
                **size,
            )
            session.commit()
            log.info("sync run %s of %s: %s", job.run_id, run.cluster_code, status)
            return run
    return _close(state, job.run_id, "failed", error=_refusal(refusal), **size)


def _changed(counts: Mapping[str, Mapping[str, int]]) -> bool:
    return any(number for part in counts.values() for name, number in part.items() if name != "unchanged")


def _refusal(error: HubError) -> str:
    if not isinstance(error, InvalidInput):
        return f"the hub refused the feed's data: {error.detail}"
    shown = "; ".join(
        f"{problem.path}: {problem.message}" if problem.path else problem.message
        for problem in error.errors[:SHOWN_PROBLEMS]
    )
    more = len(error.errors) - SHOWN_PROBLEMS
    return f"the hub refused the feed's data ({len(error.errors)} problem(s)): {shown}" + (
        f"; and {more} more" if more > 0 else ""
    )


def _archive(state: HubState, run_id: int, pages: Sequence[Page], *, complete: bool) -> None:
    """Keep the raw pages in a transaction of their own, so a mapping failure keeps them, with
    whether they are the whole feed: the pages of a failed fetch are kept for diagnosis only."""
    with state.sessions() as session:
        runs.get_run(session, run_id).fetch_complete = complete
        session.add_all(
            PullArchive(
                run_id=run_id,
                page=page.number,
                url=page.url,
                content_type=page.content_type,
                body=page.body,
                sha256=hashlib.sha256(page.body).hexdigest(),
                fetched_at=utcnow(),
            )
            for page in pages
        )
        session.commit()


def _archived(state: HubState, run_id: int) -> tuple[Page, ...]:
    """The pages run ``run_id`` archived, if they are the whole feed: a replay stores them as a
    complete submission, and a member list cut short would replace the complete one."""
    with state.sessions() as session:
        rows = session.scalars(
            select(PullArchive).where(PullArchive.run_id == run_id).order_by(PullArchive.page)
        )
        pages = tuple(Page(row.page, row.url, row.content_type, row.body) for row in rows)
        original = runs.get_run(session, run_id)
        if not pages:
            raise RunFailed(f"run {run_id} archived no pages to replay")
        if original.fetch_complete is False:
            raise RunFailed(
                f"run {run_id}'s pull stopped at {original.error}; the pages it archived are not the"
                " whole feed and cannot be replayed: pull again"
            )
    return pages


def replay(
    state: HubState,
    run_id: int,
    *,
    cluster: str | None = None,
    requested_by: str | None = None,
    puller: Puller = Puller(),
) -> JobRun:
    """Re-ingest the pages an earlier run (of ``cluster``, when given) archived, as a new run."""
    with state.sessions() as session:
        original = runs.get_run(session, run_id, cluster=cluster)
        if original.kind != "sync" or original.cluster_code is None:
            raise HubError(f"run {run_id} is not a connector run")
        own = runs.queue_sync(
            session,
            original.cluster_code,
            period=original.period,
            trigger="replay",
            requested_by=requested_by,
            replay_of=original.id,
            runner=_runner(),
        )
        session.commit()
    return _run(state, own.id, puller)


def sync_many(
    state: HubState,
    codes: Iterable[str],
    period: str | None = None,
    *,
    trigger: str = "cli",
    requested_by: str | None = None,
    puller: Puller = Puller(),
) -> list[JobRun]:
    """Run a pull per cluster, ``config.sync_concurrency`` at a time, each one this process's
    own from the start (never queued, so no scheduler takes it); every cluster is checked first,
    so that one that cannot be pulled stops them all before any starts."""
    codes = list(codes)
    with state.sessions() as session:
        for code in codes:
            runs.check_sync(session, code, period=period)

    def own(code: str) -> JobRun:
        with state.sessions() as session:
            run_id = runs.queue_sync(
                session, code, period=period, trigger=trigger, requested_by=requested_by, runner=_runner()
            ).id
            session.commit()
        return _run(state, run_id, puller)

    with ThreadPoolExecutor(max_workers=max(1, state.config.sync_concurrency)) as pool:
        return list(pool.map(own, codes))


def pull_clusters(
    state: HubState,
    settings: Mapping[str, connector_configs.Settings],
    period: str | None = None,
    *,
    actor: str | None = None,
    puller: Puller = Puller(),
) -> list[JobRun]:
    """Configure each cluster's connector (``{code: Settings}``), then pull them all."""
    with state.sessions() as session:
        for code, wanted in settings.items():
            connector_configs.configure(
                session, fernet=state.fernet, cluster_code=code, settings=wanted, actor=actor
            )
        session.commit()
    return sync_many(state, settings, period, trigger="cli", requested_by=actor, puller=puller)
