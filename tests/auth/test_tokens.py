"""Token issuing and every way a token must be refused."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from jwt import PyJWKSet

from hub.auth import tokens
from hub.auth.keys import active_kids, ensure_signing_key, load_keys
from hub.auth.tokens import Principal, TokenService
from hub.models import SigningKey, utcnow
from hub.services.clients import create_client, revoke_client

PROTECTED = "/api/v1/indicators"


@pytest.fixture
def credentials(db):
    api_client, secret = create_client(db, role="board", name="board tool")
    db.commit()
    return api_client.id, secret


@pytest.fixture
def signing_key(state, db):
    return load_keys(db, state.fernet)[0]


def claims(state, **overrides):
    now = utcnow()
    base = {
        "iss": state.config.token_issuer,
        "aud": state.config.token_audience,
        "sub": "board-unknown",
        "role": "board",
        "cluster": None,
        "scope": "",
        "iat": now,
        "exp": now + timedelta(minutes=5),
        "jti": "x",
    }
    base.update(overrides)
    return base


def sign(signing_key, payload, **header):
    return jwt.encode(
        payload, signing_key.private_key, algorithm="EdDSA", headers={"kid": signing_key.kid, **header}
    )


def get_with(client, token):
    return client.get(PROTECTED, headers={"Authorization": f"Bearer {token}"})


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_endpoint_accepts_form_body(client, credentials):
    client_id, secret = credentials
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    assert response.json["expires_in"] > 0
    assert response.json["scope"]


def test_token_endpoint_accepts_json_body(client, credentials):
    client_id, secret = credentials
    response = client.post(
        "/oauth/token",
        json={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert response.status_code == 200


def basic(client_id: str, secret: str) -> dict[str, str]:
    """HTTP Basic as RFC 6749 2.3.1 has it: each part form-encoded (here every character)."""
    encoded = ":".join("".join(f"%{byte:02X}" for byte in part.encode()) for part in (client_id, secret))
    return {"Authorization": "Basic " + base64.b64encode(encoded.encode()).decode()}


def test_token_endpoint_accepts_the_client_s_credentials_in_http_basic(client, credentials):
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(*credentials)
    )
    assert response.status_code == 200
    assert get_with(client, response.json["access_token"]).status_code == 200


def test_a_client_in_http_basic_may_repeat_its_id_in_the_body(client, credentials):
    body = {"grant_type": "client_credentials", "client_id": credentials[0]}
    assert client.post("/oauth/token", data=body, headers=basic(*credentials)).status_code == 200


@pytest.mark.parametrize(("field", "value"), [("client_secret", "anything"), ("client_id", "another")])
def test_credentials_in_http_basic_and_in_the_body_are_a_422(client, credentials, field, value):
    body = {"grant_type": "client_credentials", field: value}
    response = client.post("/oauth/token", data=body, headers=basic(*credentials))
    assert response.status_code == 422
    assert [error["path"] for error in response.json["errors"]] == [field]


def test_a_wrong_secret_in_http_basic_is_a_401_challenging_in_basic(client, credentials):
    response = client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, headers=basic(credentials[0], "nope")
    )
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"] == 'Basic realm="afpc-hub"'


def test_issued_token_verifies_against_the_published_jwks(client, credentials, state):
    client_id, secret = credentials
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    ).json["access_token"]
    jwks = PyJWKSet.from_dict(client.get("/.well-known/jwks.json").json)
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(key for key in jwks.keys if key.key_id == kid)
    decoded = jwt.decode(
        token,
        key.key,
        algorithms=["EdDSA"],
        audience=state.config.token_audience,
        issuer=state.config.token_issuer,
    )
    assert decoded["sub"] == client_id
    assert decoded["role"] == "board"
    assert decoded["cluster"] is None
    assert {"iat", "exp", "jti", "scope"} <= decoded.keys()


def test_each_published_key_names_its_id_algorithm_and_use(client, signing_key):
    (key,) = client.get("/.well-known/jwks.json").json["keys"]
    assert (key["kid"], key["alg"], key["use"], key["kty"], key["crv"]) == (
        signing_key.kid,
        "EdDSA",
        "sig",
        "OKP",
        "Ed25519",
    )


def test_issued_token_is_accepted_on_a_protected_endpoint(client, credentials):
    client_id, secret = credentials
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    ).json["access_token"]
    assert get_with(client, token).status_code == 200


def test_wrong_client_secret_gets_401(client, credentials):
    client_id, _ = credentials
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": "nope"},
    )
    assert_unauthorized(response)
    assert response.json["error"] == "invalid_client"


def test_unknown_client_gets_401(client):
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": "ghost", "client_secret": "nope"},
    )
    assert_unauthorized(response)


def test_revoked_client_cannot_get_a_token(client, credentials, db):
    client_id, secret = credentials
    revoke_client(db, client_id)
    db.commit()
    response = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert_unauthorized(response)


def test_token_request_with_missing_fields_lists_every_problem(client):
    response = client.post("/oauth/token", data={"grant_type": "password"})
    assert response.status_code == 422
    assert {error["path"] for error in response.json["errors"]} == {
        "grant_type",
        "client_id",
        "client_secret",
    }


def test_a_token_request_of_another_grant_says_so_in_oauth_s_words(client, credentials):
    body = {"grant_type": "password", "client_id": credentials[0], "client_secret": credentials[1]}
    response = client.post("/oauth/token", data=body)
    assert (response.status_code, response.json["error"]) == (422, "unsupported_grant_type")


def test_a_token_request_missing_a_field_says_so_in_oauth_s_words(client, credentials):
    response = client.post(
        "/oauth/token", data={"client_id": credentials[0], "client_secret": credentials[1]}
    )
    assert (response.status_code, response.json["error"]) == (422, "invalid_request")


def test_no_token_gets_401(client):
    assert_unauthorized(client.get(PROTECTED))


def test_non_bearer_scheme_gets_401(client):
    assert_unauthorized(client.get(PROTECTED, headers={"Authorization": "Basic dXNlcjpwYXNz"}))


def test_a_valid_token_under_another_scheme_gets_401(client, state, signing_key, credentials):
    token = sign(signing_key, claims(state, sub=credentials[0]))
    assert_unauthorized(client.get(PROTECTED, headers={"Authorization": f"Token {token}"}))


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "jti"])
def test_a_signed_token_without_a_required_claim_gets_401(client, state, signing_key, credentials, claim):
    payload = claims(state, sub=credentials[0])
    del payload[claim]
    assert_unauthorized(get_with(client, sign(signing_key, payload)))


@pytest.mark.parametrize("role", ["superuser", ["admin"], {"admin": True}])
def test_a_signed_token_with_a_role_the_hub_does_not_know_gets_401(
    client, state, signing_key, credentials, role
):
    token = sign(signing_key, claims(state, sub=credentials[0], role=role))
    assert_unauthorized(get_with(client, token))


def test_expired_token_gets_401(client, state, signing_key, credentials):
    past = utcnow() - timedelta(hours=1)
    token = sign(signing_key, claims(state, sub=credentials[0], iat=past, exp=past + timedelta(minutes=5)))
    assert_unauthorized(get_with(client, token))


def test_token_accepted_before_gets_401_once_it_expires(client, state, signing_key, credentials):
    expires = utcnow() + timedelta(seconds=2)
    token = sign(signing_key, claims(state, sub=credentials[0], exp=expires))
    assert get_with(client, token).status_code == 200
    time.sleep(max(0.0, expires.timestamp() - time.time()) + 0.1)
    assert_unauthorized(get_with(client, token))


def test_wrong_audience_gets_401(client, state, signing_key, credentials):
    token = sign(signing_key, claims(state, sub=credentials[0], aud="someone-else"))
    assert_unauthorized(get_with(client, token))


def test_wrong_issuer_gets_401(client, state, signing_key, credentials):
    token = sign(signing_key, claims(state, sub=credentials[0], iss="https://evil.example"))
    assert_unauthorized(get_with(client, token))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict, payload: dict) -> str:
    encode = lambda part: _b64(json.dumps(part, default=lambda d: int(d.timestamp())).encode())  # noqa: E731
    return f"{encode(header)}.{encode(payload)}."


def test_alg_none_token_gets_401(client, state, signing_key, credentials):
    token = _unsigned(
        {"alg": "none", "typ": "JWT", "kid": signing_key.kid}, claims(state, sub=credentials[0])
    )
    assert_unauthorized(get_with(client, token))


def test_hs256_token_signed_with_the_public_key_gets_401(client, state, signing_key, credentials):
    import hashlib
    import hmac

    public_pem = signing_key.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": signing_key.kid}
    unsigned = _unsigned(header, claims(state, sub=credentials[0]))[:-1]
    signature = hmac.new(public_pem, unsigned.encode(), hashlib.sha256).digest()
    assert_unauthorized(get_with(client, f"{unsigned}.{_b64(signature)}"))


def test_tampered_payload_gets_401(client, state, signing_key, credentials):
    token = sign(signing_key, claims(state, sub=credentials[0], role="board"))
    header, _payload, signature = token.split(".")
    forged = _unsigned({}, claims(state, sub=credentials[0], role="admin")).split(".")[1]
    assert_unauthorized(get_with(client, f"{header}.{forged}.{signature}"))


def test_unknown_kid_gets_401(client, state, signing_key, credentials):
    token = sign(signing_key, claims(state, sub=credentials[0]), kid="not-a-published-key")
    assert_unauthorized(get_with(client, token))


def publish_a_newer_key(state, db, signing_key):
    """A second published key, newer than ``signing_key``, as a rotation would leave them."""
    old = db.get(SigningKey, signing_key.kid)
    old.retired_at = utcnow()
    ensure_signing_key(db, state.fernet)
    old.retired_at = None
    db.commit()
    newest = load_keys(db, state.fernet)[0]
    assert newest.kid != signing_key.kid
    return newest


def test_a_key_published_after_the_hub_loaded_its_keys_verifies_its_tokens(
    client, state, signing_key, credentials, db
):
    """Another process (``hub init``, a rotation) may publish a key this one has not loaded yet."""
    state.tokens.jwks()  # the keys as they are now, cached
    newest = publish_a_newer_key(state, db, signing_key)
    assert get_with(client, sign(newest, claims(state, sub=credentials[0]))).status_code == 200


def service_on(state, db):
    """A token service of its own on the test's session, as a second process would hold one."""
    return TokenService(
        load=lambda: load_keys(db, state.fernet),
        published=lambda: active_kids(db),
        issuer="hub",
        audience="api",
        ttl_seconds=60,
    )


def test_tokens_are_signed_with_the_newest_published_key(state, signing_key, db):
    newest = publish_a_newer_key(state, db, signing_key)
    service = service_on(state, db)
    token, _ = service.issue(Principal(subject="board-1", role="board"))
    assert jwt.get_unverified_header(token)["kid"] == newest.kid


def test_the_cache_of_verified_tokens_stays_within_its_bound(state, signing_key, db, monkeypatch):
    monkeypatch.setattr(tokens, "VERIFIED_TOKENS", 3)
    service = service_on(state, db)
    for n in range(5):
        service.verify(service.issue(Principal(subject=f"board-{n}", role="board"))[0])
    assert len(service._verified) <= 3


def test_a_token_lives_as_long_as_the_configured_lifetime(client, credentials, state):
    answer = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": credentials[0],
            "client_secret": credentials[1],
        },
    ).json
    issued = jwt.decode(answer["access_token"], options={"verify_signature": False})
    assert issued["exp"] - issued["iat"] == answer["expires_in"] == state.config.token_ttl_seconds


def test_a_signed_token_of_a_client_the_hub_does_not_have_gets_401(client, state, signing_key):
    assert_unauthorized(get_with(client, sign(signing_key, claims(state, sub="board-deleted"))))


def test_revoked_clients_token_stops_working_at_once(client, state, signing_key, credentials, db):
    token = sign(signing_key, claims(state, sub=credentials[0]))
    assert get_with(client, token).status_code == 200
    revoke_client(db, credentials[0])
    db.commit()
    assert_unauthorized(get_with(client, token))


def test_garbage_token_gets_401(client):
    assert_unauthorized(get_with(client, "not.a.jwt"))


def test_valid_token_of_the_wrong_role_gets_403(client, auth):
    response = client.post(
        "/api/v1/clusters",
        json={"code": "new-cluster", "name": "New", "region": "FR-IDF", "theme": "HEALTH"},
        headers=auth("board"),
    )
    assert response.status_code == 403
    assert response.content_type == "application/problem+json"
