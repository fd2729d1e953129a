"""The hub's blueprints: flask-smorest's, with query strings checked as strictly as bodies,
and bodies checked for what the database cannot store.

webargs ignores a query parameter the endpoint does not know. Here that turns a typo into a
wrong answer given as a right one: ``?dryrun=true`` would push for real, a lineage asked with
``theme=`` would answer for the national cell, a client paging with ``offset=`` would get the
first page forever. So an unknown parameter is a 422 that names it, like an unknown field in
a body; and so is any parameter of a request to an endpoint that takes none, and a parameter
of one value given twice (webargs would take the first: ``?period=2025&period=2024``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
import flask_smorest
from marshmallow import Schema, ValidationError
from webargs.flaskparser import FlaskParser, is_json_request

from hub.api import storable_input
from hub.errors import FieldProblem, InvalidInput, UnsupportedContentType
from hub.web import view_handler

TAKES_QUERY = "_hub_takes_query"  # set on the views that read a query string
QUERY_LOCATIONS = ("query", "querystring")
REPEATED = "given more than once: it takes one value"


class StrictParser(FlaskParser):
    """Leaves ``unknown`` to each schema (marshmallow's default: refuse) for query strings too,
    refuses a JSON body holding what the database cannot store (``storable_input``), and a
    body of another type where JSON is read."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def load_querystring(self, req: flask.Request, schema: Schema) -> Any:
        """The query, refused with every problem it has if it repeats a parameter of one value."""
        query = super().load_querystring(req, schema)
        known = {field.data_key or name for name, field in schema.fields.items()}
        repeated = [
            name
            for name in req.args
            if name in known and name not in query.multiple_keys and len(req.args.getlist(name)) > 1
        ]
        if repeated:
            problems = schema.validate(query)
            for name in repeated:
                problems[name] = [*problems.get(name, []), REPEATED]
            raise ValidationError(problems)
        return query

    def load_json(self, req: flask.Request, schema: Schema) -> Any:
        """webargs reads a body of another type as no body at all: a form sent to change a
        cluster would change nothing, one asking a sync for a period would pull the default
        one, and both would be answered as done."""
        if not is_json_request(req) and (req.content_length or req.headers.get("Transfer-Encoding")):
            raise UnsupportedContentType("send application/json")
        return super().load_json(req, schema)

    def _raw_load_json(self, req: flask.Request) -> Any:
        document = super()._raw_load_json(req)
        storable_input.refuse_in_json(document)
        return document


class QuerySchema(Schema):
    """The parameters of a query string, which refuses any other in these words."""

    error_messages = {"unknown": "not a parameter of this endpoint"}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A blueprint's hooks run after the application's: access is checked first.
        self.before_request(_refuse_query_string)

    def arguments(self, schema: Any, *, location: str = "json", **kwargs: Any) -> Callable[..., Any]:
        """flask-smorest's, marking the views that read a query string."""
        decorate = super().arguments(schema, location=location, **kwargs)
        if location not in QUERY_LOCATIONS:
            return decorate

        def marked(view: Callable[..., Any]) -> Callable[..., Any]:
            decorated = decorate(view)
            setattr(decorated, TAKES_QUERY, True)
            return decorated

        return marked


def _refuse_query_string() -> None:
    """Every parameter of a query string sent to an endpoint that reads none is a problem.
    OPTIONS is Flask's own answer, and a CORS preflight carries the query of the request it
    precedes: it is let through, as the access check lets it through."""
    request = flask.request
    if not request.args or request.url_rule is None or request.method == "OPTIONS":
        return
    if getattr(view_handler(request.endpoint, request.method), TAKES_QUERY, False):
        return
    unknown = QuerySchema.error_messages["unknown"]
    raise InvalidInput([FieldProblem(name, unknown) for name in request.args])
