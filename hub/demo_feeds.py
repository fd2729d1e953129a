"""The demo clusters' own systems: a small WSGI app serving each synthetic cluster's submission
as the three connector types read it, behind the kind of auth a real cluster would use, so the
demo, the tests and the sync benchmark pull over real HTTP.

Every cluster's auth kind and secret are pure functions of its code and the app's secret, so
the hub side computes the connector configuration a client would PUT without asking the app.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
import io
import json
import time
from collections.abc import Iterable, Iterator
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound, Unauthorized
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from hub.synthetic import Federation
from schemas.reference import catalogue

AUTH_KINDS = ("none", "bearer", "api_key", "basic")
API_KEY_HEADER = "X-Api-Key"
# The path's last part: the feed's format, and the connector type that reads it.
FEEDS = {"json": "feed_json", "csv": "csv", "csv-fr": "csv", "sdmx": "sdmx"}
DATAFLOW = "AFPC:CLUSTER_IND(1.0)"
FRENCH_COLUMNS = {
    "indicator": "Indicateur",
    "value": "Valeur",
    "category": "Catégorie",
    "funder": "Financeur",
}


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256(":".join(parts).encode()).digest()[:4], "big")


def auth_for(code: str, secret: str) -> dict[str, str]:
    """The cluster's auth, as a client configures it: the kind is drawn from the code alone."""
    kind = AUTH_KINDS[_hash("auth", code) % len(AUTH_KINDS)]
    key = hmac.new(secret.encode(), f"{code}:{kind}".encode(), hashlib.sha256).hexdigest()[:32]
    if kind == "bearer":
        return {"type": "bearer", "token": key}
    if kind == "api_key":
        return {"type": "api_key", "header": API_KEY_HEADER, "key": key}
    if kind == "basic":
        return {"type": "basic", "username": code, "password": key}
    return {"type": "none"}


def _french(code: str) -> str:
    return code.lower()


def connector_config(code: str, base_url: str, secret: str, feed: str | None = None) -> dict[str, Any]:
    """The connector configuration (type, url, auth, mapping) for the cluster's feed; ``feed``
    (json, csv, csv-fr, sdmx) defaults to one drawn from the code."""
    feed = feed or list(FEEDS)[_hash("feed", code) % len(FEEDS)]
    url = f"{base_url}/feeds/{code}/{feed}"
    mapping: dict[str, Any] = {}
    if feed == "sdmx":
        url += "?period={period}"
    if feed == "csv-fr":
        reference = catalogue()
        dimensions = ("category", "funder")
        mapping = {
            "columns": {
                "indicator": FRENCH_COLUMNS["indicator"],
                "value": FRENCH_COLUMNS["value"],
                "dimensions": {name: FRENCH_COLUMNS[name] for name in dimensions},
            },
            "indicators": {_french(i): i for i in reference.indicators},
            "dimensions": {name: {_french(c): c for c in reference.code_lists[name]} for name in dimensions},
        }
    return {"type": FEEDS[feed], "url": url, "auth": auth_for(code, secret), "mapping": mapping}


def _csv(rows: Iterable[list[Any]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _cells(observations: list[dict[str, Any]], rename: bool) -> Iterator[list[Any]]:
    """indicator, value, category, funder for each observation; codes in French when asked."""
    name = _french if rename else str
    for row in observations:
        dimensions = row.get("dimensions", {})
        codes = [dimensions.get(d, "") for d in ("category", "funder")]
        yield [name(row["indicator"]), row["value"], *(name(c) if c else "" for c in codes)]


def _sdmx(submission: dict[str, Any]) -> bytes:
    period = submission["period"]
    header = ["DATAFLOW", "INDICATOR", "CATEGORY", "FUNDER", "TIME_PERIOD", "OBS_VALUE"]
    rows = ([DATAFLOW, i, c, f, period, v] for i, v, c, f in _cells(submission["observations"], False))
    return _csv([header, *rows])


def _hub_csv(submission: dict[str, Any], *, french: bool) -> bytes:
    """The hub's CSV columns, or the French-named variant a spreadsheet export would give."""
    names = ["indicator", "value", "category", "funder"]
    header = [FRENCH_COLUMNS[n] for n in names] if french else names
    body = _csv([header, *_cells(submission["observations"], french)])
    return b"\xef\xbb\xbf" + body if french else body  # spreadsheet exports start with a BOM


class DemoFeeds:
    """The WSGI app. ``page_size`` rows of each list per JSON page; ``latency`` seconds added to
    every request, for the sync benchmark."""

    def __init__(
        self, federation: Federation, secret: str, *, page_size: int = 100, latency: float = 0.0
    ) -> None:
        self.federation = federation
        self.secret = secret
        self.page_size = page_size
        self.latency = latency
        self.codes = {c.code for c in federation.clusters}
        # Paged JSON asks for the same submission once per page: compute it once per pull.
        self.submission = functools.lru_cache(maxsize=64)(federation.submission)
        self.urls = Map([Rule("/feeds/<code>/<feed>", endpoint="feed")])

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.serve(request)
        except HTTPException as error:
            response = error.get_response(environ)
        return response(environ, start_response)

    def serve(self, request: Request) -> Response:
        if self.latency:
            time.sleep(self.latency)
        _, args = self.urls.bind_to_environ(request.environ).match()
        code, feed = args["code"], args["feed"]
        period = request.args.get("period", "")
        if code not in self.codes or feed not in FEEDS or period not in self.federation.periods:
            raise NotFound()
        self._authenticate(request, code)
        submission = self.submission(code, period)
        if feed == "json":
            body, content_type = self._json_page(request, submission), "application/json"
        elif feed == "sdmx":
            body, content_type = _sdmx(submission), "application/vnd.sdmx.data+csv; version=1.0.0"
        else:
            body, content_type = _hub_csv(submission, french=feed == "csv-fr"), "text/csv; charset=utf-8"
        response = Response(body, content_type=content_type)
        response.set_etag(hashlib.sha256(body).hexdigest()[:32])
        return response.make_conditional(request)

    def _authenticate(self, request: Request, code: str) -> None:
        auth = auth_for(code, self.secret)
        if auth["type"] == "bearer":
            given, expected = request.headers.get("Authorization", ""), f"Bearer {auth['token']}"
        elif auth["type"] == "api_key":
            given, expected = request.headers.get(API_KEY_HEADER, ""), auth["key"]
        elif auth["type"] == "basic":
            sent = request.authorization
            given = f"{sent.username}:{sent.password}" if sent and sent.type == "basic" else ""
            expected = f"{auth['username']}:{auth['password']}"
        else:
            return
        if not hmac.compare_digest(given.encode(), expected.encode()):
            raise Unauthorized()

    def _json_page(self, request: Request, submission: dict[str, Any]) -> bytes:
        size = max(1, request.args.get("page_size", self.page_size, type=int))
        number = max(1, request.args.get("page", 1, type=int))
        lists = {key: submission[key] for key in ("observations", "members")}
        pages = max(1, *(-(-len(rows) // size) for rows in lists.values()))
        start = (number - 1) * size
        page: dict[str, Any] = {"period": submission["period"]}
        page.update({key: rows[start : start + size] for key, rows in lists.items()})
        period = submission["period"]
        page["next"] = f"json?period={period}&page={number + 1}&page_size={size}" if number < pages else None
        return json.dumps(page).encode()
