from sqlalchemy import select

from hub.models import SigningKey, utcnow
from jobs.lease import acquire


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_database_migrations_and_signing_keys_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"] == {"database": "ok", "migrations": "ok", "signing_keys": "ok"}


def test_readyz_says_when_no_scheduler_is_active(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["scheduler"] == {"status": "none active"}


def test_readyz_names_the_active_scheduler_and_its_heartbeat(client, db):
    acquire(db, "host:42", ttl_seconds=30)
    db.flush()
    scheduler = client.get("/readyz").json["scheduler"]
    assert scheduler["status"] == "active"
    assert scheduler["holder"] == "host:42"
    assert scheduler["heartbeat_at"]


def test_readyz_fails_when_no_signing_key_is_published(client, db):
    for key in db.scalars(select(SigningKey)):
        key.retired_at = utcnow()
    db.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["signing_keys"] == "none published: run hub init"
