"""Fields of JSON bodies that take JSON's own types only."""

from __future__ import annotations

from typing import Any

from marshmallow import fields


class JsonBoolean(fields.Boolean):
    """``true`` or ``false``, as the OpenAPI document says. marshmallow's Boolean also takes
    ``1``, ``"yes"``, ``"off"`` and the like, which no other reader of the document would; query
    strings, which are text, keep that leniency."""

    default_error_messages = {"invalid": "must be true or false"}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value
