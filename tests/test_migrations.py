"""The migrations build exactly the schema the models declare, and carry stored data forward."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, text

from hub.migrations import alembic_config
from hub.models import Base
from tests.conftest import BACKEND, _create_postgres_database


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Engine]:
    """A database of the test's own with no schema, on the backend under test."""
    if BACKEND == "postgresql":
        url, drop = _create_postgres_database()
    else:
        url, drop = f"sqlite:///{tmp_path / 'hub.db'}", (lambda: None)
    engine = create_engine(url)
    yield engine
    engine.dispose()
    drop()


SEED = [
    "INSERT INTO clusters (code, name, region, theme, themes, description, active, updated_at)"
    " VALUES ('C1', 'C1', 'FR-IDF', 'HEALTH', '[]', '', TRUE, '2025-01-01 00:00:00')",
    "INSERT INTO submissions (id, cluster_code, period, status, source, content_type, payload,"
    " payload_sha256, counts, warnings, received_at)"
    " VALUES (7, 'C1', '2025', 'accepted', 'api', 'text/csv', :payload, '', '{}', '[]',"
    " '2025-01-01 00:00:00')",
    "INSERT INTO organisations (id, key, country, name, category) VALUES"
    " (1, 'a', 'FR', 'a', 'SME'), (2, 'b', 'FR', 'b', 'SME'), (3, 'c', 'FR', 'c', 'LARGE')",
    # What a cluster says of a member may differ from the category the hub first saw: the count
    # follows what the cluster says.
    "INSERT INTO memberships (id, submission_id, cluster_code, period, organisation_id, name, category)"
    " VALUES (1, 7, 'C1', '2025', 1, 'a', 'SME'), (2, 7, 'C1', '2025', 2, 'b', 'LARGE'),"
    " (3, 7, 'C1', '2025', 3, 'c', 'LARGE')",
]


def test_upgrade_counts_the_members_of_snapshots_already_stored(empty_database):
    with empty_database.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
        for statement in SEED:
            connection.execute(text(statement), {"payload": b""})
        command.upgrade(alembic_config(connection), "head")
        counts = connection.execute(
            text("SELECT submission_id, category, members FROM member_category_counts ORDER BY category")
        ).all()
    assert [tuple(row) for row in counts] == [(7, "LARGE", 2), (7, "SME", 1)]


def test_upgrade_recounts_lists_by_their_clusters_categories_flags_relabelled_members_and_marks_periods(
    empty_database,
):
    with empty_database.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
        for statement in SEED:
            connection.execute(text(statement), {"payload": b""})
        connection.execute(
            text(
                "INSERT INTO member_lists (cluster_code, period, submission_id, member_count)"
                " VALUES ('C1', '2025', 7, 3)"
            )
        )
        command.upgrade(alembic_config(connection), "head")
        counts = connection.execute(
            text("SELECT category, members FROM member_category_counts ORDER BY category")
        ).all()
        dirty = connection.execute(text("SELECT period, cluster_code FROM dirty_periods")).all()
        relabelled = connection.execute(text("SELECT id FROM memberships WHERE relabelled")).all()
    assert [tuple(row) for row in counts] == [("LARGE", 2), ("SME", 1)]
    assert [tuple(row) for row in dirty] == [("2025", "C1")]
    assert [tuple(row) for row in relabelled] == [(2,)]  # "b", first seen as an SME


def test_upgrade_forgets_the_feed_validators_a_feed_of_several_pages_may_have_left(empty_database):
    with empty_database.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
        connection.execute(text(SEED[0]))
        connection.execute(
            text(
                "INSERT INTO connector_configs (cluster_code, type, url, enabled, auth_type, mapping,"
                " etag, last_modified, updated_at) VALUES ('C1', 'feed_json', 'http://x', TRUE, 'none',"
                " '{}', 'v1', 'Wed, 21 Oct 2015 07:28:00 GMT', '2025-01-01 00:00:00')"
            )
        )
        command.upgrade(alembic_config(connection), "head")
        validators = connection.execute(text("SELECT etag, last_modified FROM connector_configs")).all()
    assert [tuple(row) for row in validators] == [(None, None)]
