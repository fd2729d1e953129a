"""The OpenAPI document and the docs page that renders it."""

import re
from urllib.parse import urlparse

import jsonschema
import pytest
from openapi_spec_validator import validate

from hub import create_app
from hub.auth.policy import rule_for

PERIOD_PATTERN = "^[1-9][0-9]{3}(-(Q[1-4]|S[12]|0[1-9]|1[0-2]))?$"
SUBMISSIONS = "/api/v1/clusters/{code}/submissions"


def test_openapi_document_validates_as_openapi_3(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_every_error_response_is_declared_as_the_problem_json_the_hub_answers(client):
    spec = client.get("/openapi.json").json
    for name, response in spec["components"]["responses"].items():
        assert set(response["content"]) == {"application/problem+json"}, name
        assert response["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }


def test_error_answers_validate_against_the_documented_problem_schema(client, auth):
    components = client.get("/openapi.json").json["components"]
    problem_schema = {"$ref": "#/components/schemas/Problem", "components": components}
    refused = client.post("/api/v1/clusters", json={"code": "?"}, headers=auth("admin"))
    missing = client.get("/api/v1/clusters/nowhere", headers=auth("admin"))
    assert (refused.status_code, missing.status_code) == (422, 404)
    for answer in (refused, missing):
        jsonschema.validate(answer.json, problem_schema)


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/v1/aggregates", "get"), ("/api/v1/aggregates/lineage", "get"), (SUBMISSIONS, "post")],
)
def test_a_period_asked_in_a_query_shows_the_period_pattern_in_json_schema_syntax(client, path, method):
    parameters = client.get("/openapi.json").json["paths"][path][method]["parameters"]
    (period,) = [parameter for parameter in parameters if parameter["name"] == "period"]
    assert period["schema"]["pattern"] == PERIOD_PATTERN


@pytest.mark.parametrize("schema", ["Submission", "SyncRequest"])
def test_a_period_in_a_request_body_shows_the_period_pattern_in_json_schema_syntax(client, schema):
    properties = client.get("/openapi.json").json["components"]["schemas"][schema]["properties"]
    assert properties["period"]["pattern"] == PERIOD_PATTERN


def test_openapi_document_lists_the_token_endpoint_and_the_catalogue(client):
    paths = client.get("/openapi.json").json["paths"]
    assert {"/oauth/token", "/.well-known/jwks.json", "/api/v1/indicators", "/api/v1/clusters"} <= set(paths)


def test_every_request_body_the_hub_needs_is_declared_required(client):
    """A client (or a generator of test requests) reading the document must not leave it out;
    a sync request alone may come without one (it pulls the default period)."""
    bodies = [
        (path, method, operation["requestBody"])
        for path, item in client.get("/openapi.json").json["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    ]
    assert ("/oauth/token", "post") in {(path, method) for path, method, _ in bodies}
    optional = [(path, method) for path, method, body in bodies if not body.get("required")]
    assert optional == [("/api/v1/clusters/{code}/sync", "post")]


def test_docs_page_loads_only_assets_served_by_the_hub(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references, "the docs page references its assets"
    for reference in references:
        assert not urlparse(reference).netloc, f"{reference} would leave the machine"
        with client.get(reference) as asset:
            assert asset.status_code == 200, reference


def test_docs_page_disables_the_online_spec_validator(client):
    html = client.get("/docs").get_data(as_text=True)
    assert '"validatorUrl": null' in html


def test_every_endpoint_declares_an_access_rule(app):
    with app.test_request_context():
        missing = [
            f"{method} {rule.rule}"
            for rule in app.url_map.iter_rules()
            for method in rule.methods - {"OPTIONS", "HEAD"}
            if rule_for(rule.endpoint, method) is None
        ]
    assert missing == []


def test_an_endpoint_without_an_access_rule_is_refused(state, auth):
    """Fail closed: the test above keeps every endpoint ruled; this one, the refusal itself."""
    app = create_app(state=state)
    app.add_url_rule("/api/v1/unruled", "unruled", lambda: "reached")
    response = app.test_client().get("/api/v1/unruled", headers=auth("admin"))
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
