"""Text the hub can store. PostgreSQL text holds no NUL character, and no encoding holds a lone
surrogate (what a JSON ``"\\ud800"`` escape decodes to): either would fail at the database as a
server error, so every way in refuses them as the input problem they are."""

from __future__ import annotations

import re

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
TEXT_PROBLEM = "must not contain a NUL character or a lone surrogate"


def storable(text: str) -> bool:
    return UNSTORABLE.search(text) is None
