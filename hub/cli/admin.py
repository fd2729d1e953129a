"""Operator commands: API clients, board users, the cluster registry, token signing keys, the
encryption of stored secrets."""

from __future__ import annotations

import json
import sys

import click

from hub.cli.context import hub_state, unit_of_work
from hub.services import clients, encryption, registry, signing_keys, users


@click.group("clients")
def clients_group() -> None:
    """API clients (machine access)."""


@clients_group.command("create")
@click.option("--role", required=True, type=click.Choice(clients.ROLES))
@click.option("--cluster", default=None, help="cluster code, for a cluster client")
@click.option("--name", required=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
def clients_create(role: str, cluster: str | None, name: str, as_json: bool) -> None:
    """Create a client; its secret is printed once and never stored in clear."""
    with unit_of_work() as session:
        client, secret = clients.create_client(session, role=role, cluster=cluster, name=name, actor="cli")
    record = {
        "client_id": client.id,
        "client_secret": secret,
        "role": client.role,
        "cluster": client.cluster_code,
    }
    if as_json:
        click.echo(json.dumps(record))
    else:
        click.echo(f"client_id:     {client.id}\nclient_secret: {secret}   (shown once)")


@clients_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def clients_list(as_json: bool) -> None:
    """List clients (never their secrets)."""
    with unit_of_work() as session:
        rows = [
            {
                "client_id": c.id,
                "name": c.name,
                "role": c.role,
                "cluster": c.cluster_code,
                "created_at": c.created_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in clients.list_clients(session)
        ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "revoked" if row["revoked_at"] else "active"
        click.echo(
            f"{row['client_id']:<28} {row['role']:<9} {row['cluster'] or '-':<28} {state:<8} {row['name']}"
        )


@clients_group.command("revoke")
@click.argument("client_id")
def clients_revoke(client_id: str) -> None:
    """Revoke a client: its tokens stop working at once."""
    with unit_of_work() as session:
        clients.revoke_client(session, client_id, actor="cli")
    click.echo(f"revoked {client_id}")


@click.group("users")
def users_group() -> None:
    """Board members and operators who sign in to the web pages."""


@users_group.command("create")
@click.option("--role", required=True, type=click.Choice(users.ROLES))
@click.option("--email", required=True)
def users_create(role: str, email: str) -> None:
    """Create a user; the password is read from standard input."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True)
    else:  # only the line's end goes: spaces around a password are part of it
        password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    with unit_of_work() as session:
        user = users.create_user(session, email=email, role=role, password=password, actor="cli")
    click.echo(f"created {user.role} user {user.email}")


@click.group("clusters")
def clusters_group() -> None:
    """The cluster registry."""


@clusters_group.command("list")
@click.option("--all", "include_inactive", is_flag=True, help="include inactive clusters")
def clusters_list(include_inactive: bool) -> None:
    with unit_of_work() as session:
        for c in registry.list_clusters(session, include_inactive=include_inactive):
            click.echo(f"{c.code:<32} {c.region:<7} {c.theme:<14} {'' if c.active else 'inactive '}{c.name}")


@clusters_group.command("add")
@click.argument("code")
@click.option("--name", required=True)
@click.option("--region", required=True, help="ISO 3166-2:FR code, e.g. FR-IDF")
@click.option("--theme", required=True, help="theme code, e.g. HEALTH")
def clusters_add(code: str, name: str, region: str, theme: str) -> None:
    with unit_of_work() as session:
        registry.add_cluster(session, code=code, name=name, region=region, theme=theme, actor="cli")
    click.echo(f"added {code}")


@clusters_group.command("edit")
@click.argument("code")
@click.option("--name")
@click.option("--region")
@click.option("--theme")
def clusters_edit(code: str, name: str | None, region: str | None, theme: str | None) -> None:
    values = {k: v for k, v in {"name": name, "region": region, "theme": theme}.items() if v is not None}
    with unit_of_work() as session:
        registry.update_cluster(session, code, actor="cli", **values)
    click.echo(f"updated {code}")


@clusters_group.command("deactivate")
@click.argument("code")
def clusters_deactivate(code: str) -> None:
    with unit_of_work() as session:
        registry.update_cluster(session, code, actor="cli", active=False)
    click.echo(f"deactivated {code}")


@click.group("keys")
def keys_group() -> None:
    """The keys that sign the API's tokens (published at /.well-known/jwks.json)."""


@keys_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def keys_list(as_json: bool) -> None:
    """Every key, newest first: the one that signs, those that still verify, the retired."""
    with unit_of_work() as session:
        keys = signing_keys.list_keys(session)
        signing = next((key.kid for key in keys if key.retired_at is None), None)
        rows = [
            {
                "kid": key.kid,
                "state": "retired" if key.retired_at else "signs" if key.kid == signing else "verifies",
                "created_at": key.created_at.isoformat(),
                "retired_at": key.retired_at.isoformat() if key.retired_at else None,
            }
            for key in keys
        ]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        click.echo(f"{row['kid']:<18} {row['state']:<9} {row['created_at']}")


@keys_group.command("rotate")
def keys_rotate() -> None:
    """Publish a new key, which signs every token from now on; the others still verify theirs."""
    with unit_of_work() as session:
        kid = signing_keys.rotate(session, hub_state().fernet, actor="cli")
    click.echo(
        f"new signing key {kid}: it signs every token from now on. The tokens signed before stay"
        " valid until they expire or their key is retired (hub keys retire KID)."
    )


@keys_group.command("retire")
@click.argument("kid")
def keys_retire(kid: str) -> None:
    """Retire a key: no longer published, and its tokens refused at once."""
    with unit_of_work() as session:
        signing_keys.retire(session, kid, actor="cli")
    click.echo(f"retired {kid}: its tokens are refused from now on")


@click.group("secrets")
def secrets_group() -> None:
    """The secrets stored encrypted with HUB_ENCRYPTION_KEY (signing keys, connector credentials)."""


@secrets_group.command("reencrypt")
def secrets_reencrypt() -> None:
    """Encrypt every stored secret again under the first key of HUB_ENCRYPTION_KEY."""
    with unit_of_work() as session:
        counts = encryption.reencrypt(session, hub_state().fernet, actor="cli")
    click.echo(
        "re-encrypted under the first key of HUB_ENCRYPTION_KEY (the others can go now):"
        f" signing keys {counts['signing_keys']}, connector credentials {counts['connector_credentials']}"
    )


COMMANDS = (clients_group, users_group, clusters_group, keys_group, secrets_group)
