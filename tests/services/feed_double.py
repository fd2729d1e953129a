"""A connector that answers from a script instead of a feed: the sync service's own behaviour
(claiming, archiving, ingesting, recording) tested apart from any connector type."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from connectors.base import ConnectorError, Limits, Page, Pull, Source

PERIOD = "2025"
DOCUMENT = {
    "period": PERIOD,
    "observations": [
        {"indicator": "PROJECTS_FUNDED", "value": 12, "dimensions": {"funder": "ANR"}},
        {"indicator": "BUDGET_EUR", "value": 1850000},
    ],
}


def pull_of(document: Any = DOCUMENT, *, etag: str | None = None) -> Pull:
    body = document if isinstance(document, bytes) else json.dumps(document).encode()
    return Pull((Page(1, "http://127.0.0.1/feed", "application/json", body),), etag=etag)


class ScriptedConnector:
    name = "feed_json"

    def __init__(self, *outcomes: Pull | Exception) -> None:
        self.outcomes = list(outcomes)
        self.sources: list[Source] = []

    def fetch(self, source: Source, period: str, limits: Limits) -> Pull:
        self.sources.append(source)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def to_submission(self, pages: Sequence[Page], source: Source, period: str) -> dict[str, Any]:
        try:
            document: dict[str, Any] = json.loads(pages[0].body)
        except ValueError as error:
            raise ConnectorError(f"page 1 ({pages[0].url}): not JSON: {error}") from error
        return document
