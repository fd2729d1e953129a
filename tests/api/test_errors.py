"""Every error answer is problem+json."""

import io
import re

import pytest
from flask import Blueprint
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from hub import create_app, errors
from hub.api import BLUEPRINTS
from hub.api.blueprint import TAKES_QUERY
from hub.config import Config
from hub.db import make_session_factory
from hub.services.aggregation import AggregationFailed
from hub.state import HubState
from hub.web import view_handler
from schemas.text_rules import TEXT_PROBLEM
from tests.conftest import BACKEND


def assert_problem(response, status):
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = response.json
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()


def test_unknown_path_is_a_404_problem(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_a_405_problem(client):
    assert_problem(client.delete("/healthz"), 405)


def test_a_405_names_the_methods_the_url_allows(client):
    allowed = client.delete("/healthz").headers["Allow"]
    assert {method.strip() for method in allowed.split(",")} == {"GET", "HEAD", "OPTIONS"}


def test_malformed_json_is_a_400_problem(client, auth):
    response = client.post(
        "/api/v1/clusters", data="{not json", content_type="application/json", headers=auth("admin")
    )
    assert_problem(response, 400)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/clusters"),
        ("patch", "/api/v1/clusters/medicen"),
        ("put", "/api/v1/clusters/medicen/connector"),
        ("post", "/api/v1/clusters/medicen/sync"),
    ],
)
def test_a_form_sent_where_json_is_read_is_a_415_problem(client, auth, method, path):
    form = {"name": "Renamed", "period": "2019", "type": "csv", "url": "https://feed.example/x.csv"}
    assert_problem(getattr(client, method)(path, data=form, headers=auth("admin")), 415)


def test_a_chunked_form_sent_where_json_is_read_is_a_415_problem(client, auth):
    response = client.patch(
        "/api/v1/clusters/medicen",
        input_stream=io.BytesIO(b"name=Renamed"),
        headers={**auth("admin"), "Content-Type": FORM, "Transfer-Encoding": "chunked"},
    )
    assert_problem(response, 415)


def test_a_json_body_that_is_not_an_object_is_a_422_on_the_whole_body(client, auth):
    response = client.patch("/api/v1/clusters/medicen", json=["name", "Renamed"], headers=auth("admin"))
    assert_problem(response, 422)
    assert [error["path"] for error in response.json["errors"]] == [""]


def test_a_refused_item_of_a_list_is_named_by_its_index(client, auth):
    response = client.patch(
        "/api/v1/clusters/medicen", json={"themes": ["HEALTH", "NOPE"]}, headers=auth("admin")
    )
    assert_problem(response, 422)
    assert [error["path"] for error in response.json["errors"]] == ["themes[1]"]


def test_too_large_body_is_a_413_problem(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = client.post("/oauth/token", data={"grant_type": "client_credentials", "client_id": "x" * 50})
    assert_problem(response, 413)


@pytest.fixture
def failing_app(app):
    from hub.auth.policy import public

    blueprint = Blueprint("boom", __name__)

    @blueprint.route("/boom")
    @public
    def boom():
        raise RuntimeError("secret internals: password=hunter2")

    app.register_blueprint(blueprint)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_unexpected_error_is_a_500_problem_that_leaks_nothing(failing_app, caplog):
    response = failing_app.test_client().get("/boom")
    assert_problem(response, 500)
    assert "hunter2" not in response.get_data(as_text=True)
    assert "RuntimeError" not in response.get_data(as_text=True)


TOO_WIDE = "99999999999999999999"  # wider than any database integer


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        (f"/api/v1/runs?cursor={TOO_WIDE}", "cursor"),
        (f"/api/v1/clusters/medicen/submissions?cursor={TOO_WIDE}", "cursor"),
        (f"/api/v1/clusters/medicen/observations?period=2025&cursor={TOO_WIDE}", "cursor"),
        (f"/api/v1/clusters/medicen/members?period=2025&submission={TOO_WIDE}", "submission"),
    ],
)
def test_an_integer_too_wide_for_the_database_is_a_422_naming_it(client, auth, query, parameter):
    response = client.get(query, headers=auth("admin"))
    assert_problem(response, 422)
    assert [problem["path"] for problem in response.json["errors"]] == [parameter]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/runs/{TOO_WIDE}",
        f"/api/v1/clusters/medicen/submissions/{TOO_WIDE}",
        f"/api/v1/clusters/medicen/submissions/{TOO_WIDE}/payload",
    ],
)
def test_an_id_too_wide_for_the_database_names_nothing(client, auth, path):
    assert_problem(client.get(path, headers=auth("admin")), 404)


def test_the_problem_types_clients_rely_on_stay_as_they_are():
    slugs = {
        kind.__name__: kind.type_slug
        for kind in (
            errors.HubError,
            errors.InvalidInput,
            errors.NotAuthenticated,
            errors.Forbidden,
            errors.NotFound,
            errors.Conflict,
            errors.PayloadTooLarge,
            errors.UnsupportedContentType,
            AggregationFailed,
        )
    }
    assert slugs == {
        "HubError": "bad-request",
        "InvalidInput": "validation-error",
        "NotAuthenticated": "unauthorized",
        "Forbidden": "forbidden",
        "NotFound": "not-found",
        "Conflict": "conflict",
        "PayloadTooLarge": "request-entity-too-large",
        "UnsupportedContentType": "unsupported-media-type",
        "AggregationFailed": "aggregation-failed",
    }


def test_a_validation_problem_from_a_schema_has_the_same_type_as_one_from_a_service(client, auth):
    response = client.get("/api/v1/aggregates?period=2025&indicator=NOPE&limit=0", headers=auth("board"))
    assert response.json["type"].endswith("/validation-error")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/clusters?",
        "/api/v1/clusters/medicen/observations?period=2025&",
        "/api/v1/clusters/medicen/members?period=2025&",
        "/api/v1/clusters/medicen/submissions?",
        "/api/v1/runs?",
        "/api/v1/aggregates?period=2025&",
        "/api/v1/aggregates/lineage?period=2025&indicator=EVENTS&",
    ],
)
def test_a_query_parameter_the_endpoint_does_not_know_is_a_422_naming_it(client, auth, path):
    response = client.get(path + "offset=100", headers=auth("admin"))
    assert_problem(response, 422)
    assert response.json["errors"] == [{"path": "offset", "message": "not a parameter of this endpoint"}]


@pytest.mark.parametrize(
    ("path", "repeated"),
    [
        ("/api/v1/aggregates?period=2025&period=2024", "period"),
        ("/api/v1/aggregates/lineage?period=2025&indicator=MEMBERS&category=SME&category=LARGE", "category"),
        (
            "/api/v1/clusters/medicen/observations?period=2025&indicator=EVENTS&indicator=STAFF_FTE",
            "indicator",
        ),
        ("/api/v1/clusters/medicen/submissions?period=2025&dry_run=true&dry_run=false", "dry_run"),
    ],
)
def test_a_parameter_of_one_value_given_twice_is_a_422_naming_it(client, auth, path, repeated):
    method = "post" if "/submissions" in path else "get"
    response = getattr(client, method)(path, headers=auth("admin"))
    assert_problem(response, 422)
    assert response.json["errors"] == [
        {"path": repeated, "message": "given more than once: it takes one value"}
    ]


def test_a_repeated_parameter_is_listed_with_the_query_s_other_problems(client, auth):
    response = client.get(
        "/api/v1/aggregates?period=2025&period=2024&limit=0&by=planet", headers=auth("board")
    )
    assert_problem(response, 422)
    assert {error["path"] for error in response.json["errors"]} == {"period", "limit", "by[0]"}


def test_a_parameter_of_several_values_may_be_repeated(client, auth):
    response = client.get("/api/v1/aggregates?period=2025&by=region&by=funder", headers=auth("board"))
    assert response.status_code == 200


def _takes_no_query(app) -> list[tuple[str, str]]:
    """Every method and sample path of the hub's endpoints that read no query string."""
    with app.test_request_context():
        return sorted(
            (
                method,
                re.sub(
                    r"<(?:[^>:]+:)?([a-z_]+)>", lambda m: "1" if m[1].endswith("id") else "medicen", rule.rule
                ),
            )
            for rule in app.url_map.iter_rules()
            if rule.endpoint.partition(".")[0] in {blueprint.name for blueprint in BLUEPRINTS}
            for method in rule.methods - {"OPTIONS", "HEAD"}
            if not getattr(view_handler(rule.endpoint, method), TAKES_QUERY, False)
        )


def test_a_query_string_sent_to_an_endpoint_that_takes_none_is_a_422_naming_each_parameter(app, client, auth):
    endpoints = _takes_no_query(app)
    assert ("GET", "/api/v1/clusters/medicen") in endpoints and ("POST", "/oauth/token") in endpoints
    assert ("POST", "/api/v1/clusters") in endpoints  # it reads a JSON body, and no query
    for method, path in endpoints:
        response = client.open(path + "?dryrun=true&_=1", method=method, headers=auth("admin"))
        assert response.status_code == 422, f"{method} {path}"
        assert response.json["errors"] == [
            {"path": "dryrun", "message": "not a parameter of this endpoint"},
            {"path": "_", "message": "not a parameter of this endpoint"},
        ], f"{method} {path}"


def test_a_query_string_sent_to_an_endpoint_that_takes_none_is_refused_after_access(client, auth):
    assert client.get("/api/v1/runs/1?stray=1").status_code == 401
    assert client.get("/api/v1/clusters/medicen/connector?stray=1", headers=auth("board")).status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/runs/1?stray=1", "/api/v1/runs?kind=sync"])
def test_an_options_request_is_answered_whatever_its_query_string(client, path):
    """A CORS preflight carries the query of the request it precedes."""
    response = client.open(path, method="OPTIONS")
    assert response.status_code == 200
    assert "GET" in response.headers["Allow"]


NUL, SURROGATE = "a\u0000b", "a\ud800b"
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/api/v1/clusters/%00", ""),
        ("/api/v1/clusters/%00/observations", ""),
        ("/api/v1/runs?cluster=%00", "cluster"),
        ("/api/v1/clusters/medicen/observations?indicator=a%00b", "indicator"),
        ("/api/v1/aggregates/lineage?period=2025&indicator=EVENTS&level=region&area=%00", "area"),
        ("/api/v1/clusters?act%00ive=true", "act\x00ive"),
        ("/api/v1/aggregates?period=2025&by=region&by=%00", "by"),
    ],
)
def test_a_nul_character_in_the_url_is_a_422_not_a_database_error(client, auth, path, where):
    response = client.get(path, headers=auth("admin"))
    assert_problem(response, 422)
    assert [error["path"] for error in response.json["errors"]] == [where]
    assert response.json["errors"][0]["message"].endswith(TEXT_PROBLEM)


@pytest.mark.parametrize(
    ("method", "path", "body", "where"),
    [
        (
            "post",
            "/api/v1/clusters",
            {"code": "c9", "name": NUL, "region": "FR-IDF", "theme": "HEALTH"},
            "name",
        ),
        (
            "post",
            "/api/v1/clusters",
            {"code": "c9", "name": SURROGATE, "region": "FR-IDF", "theme": "HEALTH"},
            "name",
        ),
        ("patch", "/api/v1/clusters/medicen", {"description": NUL}, "description"),
        ("patch", "/api/v1/clusters/medicen", {"themes": ["HEALTH", SURROGATE]}, "themes[1]"),
        ("patch", "/api/v1/clusters/medicen", {"name": SURROGATE}, "name"),
        (
            "put",
            "/api/v1/clusters/medicen/connector",
            {"type": "feed_json", "url": f"https://x.example/{NUL}"},
            "url",
        ),
        (
            "put",
            "/api/v1/clusters/medicen/connector",
            {"type": "csv", "url": "https://x.example/", "mapping": {"columns": {NUL: "v"}}},
            f"mapping.columns.{NUL}",
        ),
    ],
)
def test_text_the_database_cannot_store_in_a_json_body_is_a_422_naming_where(
    client, auth, method, path, body, where
):
    response = getattr(client, method)(path, json=body, headers=auth("admin"))
    assert_problem(response, 422)
    assert [error["path"] for error in response.json["errors"]] == [where]
    assert response.json["errors"][0]["message"].endswith(TEXT_PROBLEM)


def test_a_json_nan_is_a_422_not_a_database_error(client, auth):
    body = '{"type": "csv", "url": "https://x.example/", "mapping": {"columns": {"a": NaN}}}'
    response = client.put(
        "/api/v1/clusters/medicen/connector",
        data=body,
        content_type="application/json",
        headers=auth("admin"),
    )
    assert_problem(response, 422)
    assert response.json["errors"] == [{"path": "mapping.columns.a", "message": "must be a finite number"}]


@pytest.mark.parametrize("as_json", [False, True])
def test_a_nul_character_in_a_token_request_is_a_422_not_a_database_error(client, as_json):
    body = {"grant_type": "client_credentials", "client_id": NUL, "client_secret": "x"}
    response = client.post("/oauth/token", **({"json": body} if as_json else {"data": body}))
    assert_problem(response, 422)
    assert [error["path"] for error in response.json["errors"]] == ["client_id"]


@pytest.fixture
def unreachable_database(tmp_path):
    """An app whose database cannot be reached: a closed port, or a directory that does not exist."""
    url = (
        "postgresql+psycopg://postgres@127.0.0.1:1/test"
        if BACKEND == "postgresql"
        else f"sqlite:///{tmp_path / 'missing' / 'hub.db'}"
    )
    config = Config.from_env({}, instance_dir=tmp_path, database_url=url, testing=True)
    app = create_app(config)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_database_that_cannot_answer_is_a_503_to_retry_not_a_500(unreachable_database, caplog):
    form = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}
    response = unreachable_database.test_client().post("/oauth/token", data=form)
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "5"
    assert response.json["type"].endswith("/service-unavailable")


def test_a_commit_the_database_cannot_make_is_a_503_too(failing_app):
    def lost(response):
        raise OperationalError("COMMIT", {}, Exception("server closed the connection unexpectedly"))

    failing_app.after_request(lost)
    response = failing_app.test_client().get("/healthz")
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "5"


def test_no_pooled_connection_free_in_time_is_a_503_too(base_config, tmp_path):
    engine = create_engine(base_config.database_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_app(state=HubState.build(base_config, engine, make_session_factory(engine)))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    form = {"grant_type": "client_credentials", "client_id": "c", "client_secret": "s"}
    with engine.connect():  # the pool's one connection, busy elsewhere
        response = app.test_client().post("/oauth/token", data=form)
    engine.dispose()
    assert_problem(response, 503)
