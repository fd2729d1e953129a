"""Text the hub can store. PostgreSQL text holds no NUL character, and no encoding holds a lone
surrogate (what a JSON ``"\\ud800"`` escape decodes to): either would fail at the database as a
server error, so every way in refuses them as the input problem they are."""

from __future__ import annotations

import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
TEXT_PROBLEM = "must not contain a NUL character or a lone surrogate"


def storable(text: str) -> bool:
    # Printable text (nearly all of it) holds neither, and str.isprintable is four times as
    # fast as the search: it runs on every member of every list.
    return text.isprintable() or UNSTORABLE.search(text) is None
