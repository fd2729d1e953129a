"""No NUL character gets in. PostgreSQL text cannot hold one, so a NUL in a URL, a form or a
JSON body failed at the database as a server error; it is refused up front, as the input
problem it is, wherever it can come in: the URL (path and query) and a form here, the JSON
bodies the endpoints parse in ``hub.api.blueprint``. Submissions parse their own bodies, whose
only free text (a member's name and foreign id) ``schemas.member_rules`` checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, request

from hub.errors import FieldProblem, InvalidInput

NUL = "\x00"
MESSAGE = "must not contain a NUL character"
FORM = "application/x-www-form-urlencoded"


def nul_paths(value: Any, path: str = "") -> Iterator[str]:
    """The paths (``members[0].name``) of the strings in a parsed JSON value holding a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield inner
            yield from nul_paths(item, inner)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from nul_paths(item, f"{path}[{index}]")


def refuse_in_json(document: Any) -> None:
    problems = [FieldProblem(path, MESSAGE) for path in nul_paths(document)]
    if problems:
        raise InvalidInput(problems)


def _refuse_in_url_and_form() -> None:
    problems = [FieldProblem("", f"the URL path {MESSAGE}")] if NUL in request.path else []
    fields = list(request.args.items(multi=True))
    if request.mimetype == FORM:
        fields += request.form.items(multi=True)
    problems += [FieldProblem(name, MESSAGE) for name, value in fields if NUL in name + value]
    if problems:
        raise InvalidInput(problems)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_in_url_and_form)
