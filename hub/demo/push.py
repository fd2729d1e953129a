"""The pushing half of the demo federation, sent the way a cluster's CRM would send it:
a token from ``/oauth/token``, then one ``POST …/submissions`` per cluster and period over
real HTTP, with an idempotency key so that an interrupted demo can simply be run again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import requests

from hub import create_app
from hub.loopback import serving
from hub.state import HubState
from hub.synthetic import Federation

TIMEOUT = (5, 120)


class DemoError(RuntimeError):
    """A step of the demo failed; the message says which and why."""


def push_clusters(
    state: HubState,
    federation: Federation,
    codes: Sequence[str],
    client: dict[str, Any],
    advance: Callable[[int], None],
    members_only: Sequence[str] = (),
) -> int:
    """Push every period of ``codes`` as ``client``, and only the member lists of
    ``members_only``; returns the number of submissions."""
    pushed = 0
    with serving(create_app(state=state)) as server, requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {_token(http, server.url, client)}"
        for code in [*codes, *members_only]:
            for period in federation.periods:
                body = federation.submission(code, period)
                if code in members_only:
                    body = {"period": period, "members": body["members"]}
                response = http.post(
                    f"{server.url}/api/v1/clusters/{code}/submissions",
                    json=body,
                    headers={"Idempotency-Key": f"demo:{code}:{period}:{len(body)}"},
                    timeout=TIMEOUT,
                )
                if response.status_code not in (200, 201):
                    raise DemoError(
                        f"push of {code} {period} refused ({response.status_code}): {response.text}"
                    )
                pushed += 1
            advance(1)
    return pushed


def _token(http: requests.Session, base_url: str, client: dict[str, Any]) -> str:
    response = http.post(
        f"{base_url}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client["client_id"],
            "client_secret": client["client_secret"],
        },
        timeout=TIMEOUT,
    )
    if response.status_code != 200:
        raise DemoError(f"the demo client got no token ({response.status_code}): {response.text}")
    return str(response.json()["access_token"])
