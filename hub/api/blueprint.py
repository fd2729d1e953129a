"""The hub's blueprints: flask-smorest's, with query strings checked as strictly as bodies,
and bodies checked for what the database cannot store.

webargs ignores a query parameter the endpoint does not know. Here that turns a typo into a
wrong answer given as a right one: ``?dryrun=true`` would push for real, a lineage asked with
``theme=`` would answer for the national cell, a client paging with ``offset=`` would get the
first page forever. So an unknown parameter is a 422 that names it, like an unknown field in
a body.
"""

from __future__ import annotations

from typing import Any

import flask
import flask_smorest
from marshmallow import Schema
from webargs.flaskparser import FlaskParser

from hub.api import storable_input


class StrictParser(FlaskParser):
    """Leaves ``unknown`` to each schema (marshmallow's default: refuse) for query strings too,
    and refuses a JSON body holding what the database cannot store (``storable_input``)."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def _raw_load_json(self, req: flask.Request) -> Any:
        document = super()._raw_load_json(req)
        storable_input.refuse_in_json(document)
        return document


class QuerySchema(Schema):
    """The parameters of a query string, which refuses any other in these words."""

    error_messages = {"unknown": "not a parameter of this endpoint"}


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()
