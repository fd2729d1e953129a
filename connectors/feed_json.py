"""``feed_json``: the standard cluster feed, pages of the submission shape linked by ``next``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from connectors import http
from connectors.base import Page, Source
from connectors.mapping import Renamer


def document(page: Page) -> dict[str, Any]:
    """The page's JSON object; anything else is a fault named by its page."""
    try:
        body = json.loads(page.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise http.page_error(page, f"malformed JSON: {error}") from None
    if not isinstance(body, dict):
        raise http.page_error(page, "expected a JSON object")
    return body


def _next_link(page: Page) -> str | None:
    link = document(page).get("next")
    if link is not None and not isinstance(link, str):
        raise http.page_error(page, "next must be a URL or null")
    return link or None


def _rows(body: dict[str, Any], key: str, page: Page) -> list[Any]:
    rows = body.get(key) or []
    if not isinstance(rows, list):
        raise http.page_error(page, f"{key} must be a list")
    return rows


class FeedJson(http.HttpConnector):
    name = "feed_json"

    def next_of(self, page: Page) -> str | None:
        return _next_link(page)

    def to_submission(self, pages: Sequence[Page], source: Source, period: str) -> dict[str, Any]:
        renamer = Renamer(source.mapping)
        observations: list[Any] = []
        members: list[Any] = []
        has_members = False
        for page in pages:
            body = document(page)
            if str(body.get("period")) != period:
                raise http.page_error(
                    page, f"period {body.get('period')!r} is not the run's period {period!r}"
                )
            for row in _rows(body, "observations", page):
                if not isinstance(row, dict):
                    raise http.page_error(page, "an observation must be an object")
                observations.append(
                    renamer.observation(row.get("indicator"), row.get("value"), row.get("dimensions") or {})
                )
            # As in a push, "members": null is no list sent, not an empty one.
            has_members = has_members or body.get("members") is not None
            members.extend(_rows(body, "members", page))
        submission: dict[str, Any] = {"period": period, "observations": observations}
        if has_members:
            submission["members"] = members
        return submission
