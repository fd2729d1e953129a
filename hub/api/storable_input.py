"""Only what the database can store gets in (``schemas.text_rules``): text with no NUL
character or lone surrogate, and, in JSON, finite numbers (Python's parser takes ``NaN`` and
``Infinity``, which no JSON column holds). Refused up front, as the input problems they are,
wherever they can come in: the URL (path and query) here, the JSON bodies the endpoints parse
in ``hub.api.blueprint``, the token request (form or JSON) in ``hub.api.oauth``. Submissions
parse their own bodies: their rules check their free text (a member's name and foreign id)
and numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from hub.errors import FieldProblem, InvalidInput
from schemas.text_rules import TEXT_PROBLEM, storable


def json_problems(value: Any, path: str = "") -> Iterator[FieldProblem]:
    """Where a parsed JSON value holds what cannot be stored (``members[0].name``), and why."""
    if isinstance(value, str):
        if not storable(value):
            yield FieldProblem(path, TEXT_PROBLEM)
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield FieldProblem(path, "must be a finite number")
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if not storable(str(key)):
                yield FieldProblem(inner, f"its name {TEXT_PROBLEM}")
            yield from json_problems(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_problems(item, f"{path}[{index}]")


def refuse_in_json(document: Any) -> None:
    problems = list(json_problems(document))
    if problems:
        raise InvalidInput(problems)


def _refuse_in_url() -> None:
    problems = [] if storable(request.path) else [FieldProblem("", f"the URL path {TEXT_PROBLEM}")]
    fields = request.args.items(multi=True)
    problems += [FieldProblem(name, TEXT_PROBLEM) for name, value in fields if not storable(name + value)]
    if problems:
        raise InvalidInput(problems)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_in_url)
