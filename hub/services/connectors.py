"""Connector configuration per cluster: checked whole, stored with its credentials encrypted.

Credentials are write-only: they are kept as one Fernet token and only ``source_of`` (the
sync service's way in) ever decrypts them; what is shown or audited says which fields are
set, never their values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.fernet import MultiFernet
from sqlalchemy import String
from sqlalchemy.orm import Session

from connectors import TYPES
from connectors.base import Source
from connectors.mapping import mapping_problems
from hub.crypto import decrypted
from hub.errors import FieldProblem, InvalidInput, NotFound
from hub.models import ConnectorConfig
from hub.services import audit, cron, locks
from hub.services.registry import get_cluster

# The fields each auth type needs; every one of them is a secret except ``header``.
AUTH_FIELDS: dict[str, tuple[str, ...]] = {
    "none": (),
    "bearer": ("token",),
    "api_key": ("header", "key"),
    "basic": ("username", "password"),
}


def _length(column: str) -> int:
    """The length of a text column: PostgreSQL refuses longer text with an error, not with a
    problem the answer could name."""
    kind = ConnectorConfig.__table__.c[column].type
    assert isinstance(kind, String) and kind.length is not None, column
    return kind.length


URL_LENGTH = _length("url")
SCHEDULE_LENGTH = _length("schedule")

# What RFC 9110 lets a header name be made of: requests refuses any other name at every pull.
HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


@dataclass(frozen=True)
class Settings:
    """A connector configuration as an admin sends it. Credentials are write-only, so an admin
    changing anything else cannot send them back: ``auth`` left out (None) keeps the stored
    ones, and so do the fields an auth of the stored type leaves out."""

    type: str
    url: str
    enabled: bool = True
    schedule: str | None = None
    auth: Mapping[str, str] | None = None
    mapping: Mapping[str, Any] = field(default_factory=dict)


def check_schedule(schedule: str) -> str | None:
    """The reason a cron expression is refused, or None: the scheduler must be able to run it."""
    if len(schedule) > SCHEDULE_LENGTH:
        return f"must be at most {SCHEDULE_LENGTH} characters"
    try:
        cron.trigger(schedule)
    except ValueError as error:
        return str(error)
    return None


def settings_problems(
    session: Session, fernet: MultiFernet, cluster_code: str, values: Mapping[str, Any]
) -> list[FieldProblem]:
    """Every problem of a configuration, of as much of it as was read: a field missing from
    ``values`` was refused on its own. Left-out credentials count as the stored ones."""
    problems = []
    if "type" in values and values["type"] not in TYPES:
        problems.append(FieldProblem("type", f"must be one of {', '.join(TYPES)}"))
    if "url" in values and (reason := _url_problem(values["url"])):
        problems.append(FieldProblem("url", reason))
    if values.get("schedule") is not None:
        reason = check_schedule(values["schedule"])
        if reason:
            problems.append(FieldProblem("schedule", reason))
    if values.get("auth") is not None:
        row = session.get(ConnectorConfig, cluster_code)
        problems.extend(_auth_problems(_merged_auth(values["auth"], row, fernet)))
    if "mapping" in values:
        found = mapping_problems(values["mapping"], values.get("type"))
        problems.extend(FieldProblem(path, message) for path, message in found)
    return problems


def _url_problem(url: str) -> str | None:
    """Why no pull could fetch ``url``, or None; requests' own reading of it has the last word."""
    if len(url) > URL_LENGTH:
        return f"must be at most {URL_LENGTH} characters"
    try:
        parts = urlsplit(url)
    except ValueError:  # brackets of an IPv6 host left open
        return "must be an absolute http or https URL"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "must be an absolute http or https URL"
    if "@" in parts.netloc:  # the URL is shown to the cluster and audited: no place for a password
        return "must not hold a user name or password: give them in auth, as basic"
    try:
        if parts.port == 0:
            raise ValueError("port 0")
    except ValueError:
        return "its port must be a number from 1 to 65535"
    try:
        requests.PreparedRequest().prepare_url(url, None)
    except requests.RequestException:
        return "is not a URL an HTTP request can be sent to (a host name holding a space, say)"
    return None


def _auth_problems(auth: Mapping[str, str]) -> list[FieldProblem]:
    kind = auth.get("type", "")
    if kind not in AUTH_FIELDS:
        return [FieldProblem("auth.type", f"must be one of {', '.join(AUTH_FIELDS)}")]
    needed = AUTH_FIELDS[kind]
    missing = [FieldProblem(f"auth.{name}", "is required") for name in needed if not auth.get(name)]
    foreign = [
        FieldProblem(f"auth.{name}", f"is not a field of {kind!r} auth")
        for name in auth
        if name != "type" and name not in AUTH_FIELDS[kind]
    ]
    unsendable = [
        FieldProblem(f"auth.{name}", reason)
        for name in needed
        if auth.get(name) and (reason := _unsendable(name, auth[name]))
    ]
    return missing + foreign + unsendable


def _unsendable(name: str, value: str) -> str | None:
    """Why no request could carry ``value`` in its headers (a credential pasted with its line's
    end, say), or None. requests would refuse it at every pull, with the value in its message;
    so the reason never quotes it."""
    if name == "header":
        if HEADER_NAME.fullmatch(value):
            return None
        return "must be an HTTP header name: letters, digits and !#$%&'*+-.^_`|~ only"
    if value != value.strip():
        return "must not begin or end with a space or a line break"
    if not value.isprintable():
        return "must not contain a line break, a tab or another invisible character"
    if any(ord(character) > 0xFF for character in value):
        return "must be Latin-1 text, as HTTP headers carry it"
    if name == "username" and ":" in value:
        return "must not contain ':', which ends the user name in Basic auth"
    return None


def _stored_auth(row: ConnectorConfig | None, fernet: MultiFernet) -> dict[str, str]:
    if row is None or row.auth_secret is None:
        return {"type": "none" if row is None else row.auth_type}
    secret = decrypted(fernet, row.auth_secret, f"the credentials of {row.cluster_code}'s connector")
    stored: dict[str, str] = json.loads(secret)
    return {"type": row.auth_type, **stored}


def _merged_auth(
    sent: Mapping[str, str] | None, row: ConnectorConfig | None, fernet: MultiFernet
) -> dict[str, str]:
    """The new auth object, completed with the stored fields when the auth type is unchanged."""
    stored = _stored_auth(row, fernet)
    if sent is None:
        return stored
    auth = {name: value for name, value in sent.items() if value != ""}
    if stored["type"] == auth.get("type"):
        return {**stored, **auth}
    return auth


def configure(
    session: Session, *, fernet: MultiFernet, cluster_code: str, settings: Settings, actor: str | None
) -> dict[str, Any]:
    """Create or replace the cluster's connector; every problem is reported at once."""
    get_cluster(session, cluster_code)
    locks.claim_connector(session, cluster_code)
    row = session.get(ConnectorConfig, cluster_code, populate_existing=True)
    problems = settings_problems(session, fernet, cluster_code, vars(settings))
    if problems:
        raise InvalidInput(problems)
    auth = _merged_auth(settings.auth, row, fernet)
    created = row is None
    if row is None:
        row = ConnectorConfig(cluster_code=cluster_code)
        session.add(row)
    elif (row.type, row.url, _stored_auth(row, fernet), row.mapping) != (
        settings.type,
        settings.url,
        auth,
        dict(settings.mapping),
    ):
        # A validator says the feed is as it was, not that the hub would store what it stored:
        # after a change of feed, account or mapping, the next pull reads the feed anew.
        row.etag, row.last_modified, row.validators_url = None, None, None
    secrets = {name: value for name, value in auth.items() if name != "type"}
    row.type, row.url, row.enabled = settings.type, settings.url, settings.enabled
    row.schedule, row.mapping, row.auth_type = settings.schedule, dict(settings.mapping), auth["type"]
    row.auth_secret = fernet.encrypt(json.dumps(secrets).encode()) if secrets else None
    session.flush()
    shown = describe(row, fernet)
    audit.record(
        session,
        actor=actor,
        action="connector.configure",
        outcome="created" if created else "updated",
        cluster=cluster_code,
        type=row.type,
        url=row.url,
        enabled=row.enabled,
        schedule=row.schedule,
        auth=shown["auth"],
    )
    return shown


def get_config(session: Session, cluster_code: str) -> ConnectorConfig:
    get_cluster(session, cluster_code)
    row = session.get(ConnectorConfig, cluster_code)
    if row is None:
        raise NotFound(f"cluster {cluster_code!r} has no connector")
    return row


def describe(row: ConnectorConfig, fernet: MultiFernet) -> dict[str, Any]:
    """The configuration as shown to people: the auth type and which fields are set, no value."""
    auth = _stored_auth(row, fernet)
    return {
        "cluster": row.cluster_code,
        "type": row.type,
        "url": row.url,
        "enabled": row.enabled,
        "schedule": row.schedule,
        "mapping": row.mapping,
        "auth": {name: (value if name == "type" else "set") for name, value in auth.items()},
        "updated_at": row.updated_at,
    }


def source_of(row: ConnectorConfig, fernet: MultiFernet) -> Source:
    """The decrypted ``Source`` a connector fetches; it lives only for the pull."""
    return Source(
        cluster_code=row.cluster_code,
        url=row.url,
        auth=_stored_auth(row, fernet),
        mapping=dict(row.mapping),
        etag=row.etag,
        last_modified=row.last_modified,
        validators_url=row.validators_url,
    )
