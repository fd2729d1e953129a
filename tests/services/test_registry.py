"""The cluster registry: codes checked against the code lists, shipped entries loaded as given."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from hub.errors import InvalidInput
from hub.models import Cluster
from hub.services import registry
from schemas.reference import ClusterEntry


def test_a_theme_list_with_an_unknown_code_is_refused_naming_it(db: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        registry.add_cluster(
            db, code="new", name="New", region="FR-IDF", theme="HEALTH", themes=["HEALTH", "NOPE"]
        )
    assert [problem.path for problem in refused.value.errors] == ["themes[1]"]
    assert db.get(Cluster, "new") is None


def test_an_activity_window_that_ends_before_it_starts_is_refused_with_every_other_problem(
    db: Session,
) -> None:
    with pytest.raises(InvalidInput) as refused:
        registry.add_cluster(
            db,
            code="new",
            name="New",
            region="FR-XX",
            theme="HEALTH",
            active_from=date(2020, 1, 1),
            active_to=date(2019, 12, 31),
        )
    assert [problem.path for problem in refused.value.errors] == ["region", "active_to"]
    assert db.get(Cluster, "new") is None


def test_a_window_of_one_day_is_an_activity_window(db: Session) -> None:
    day = date(2020, 1, 1)
    registry.add_cluster(
        db, code="new", name="New", region="FR-IDF", theme="HEALTH", active_from=day, active_to=day
    )
    assert db.get(Cluster, "new").active_to == day


def test_a_change_that_would_end_the_activity_before_it_starts_is_refused_and_changes_nothing(
    db: Session,
) -> None:
    registry.add_cluster(
        db, code="new", name="New", region="FR-IDF", theme="HEALTH", active_from=date(2020, 1, 1)
    )
    with pytest.raises(InvalidInput) as refused:
        registry.update_cluster(db, "new", name="Renamed", active_to=date(2019, 6, 30))
    assert [problem.path for problem in refused.value.errors] == ["active_to"]
    assert (db.get(Cluster, "new").name, db.get(Cluster, "new").active_to) == ("New", None)


def test_a_cluster_added_without_a_theme_list_has_its_main_theme_as_one(db: Session) -> None:
    registry.add_cluster(db, code="new", name="New", region="FR-IDF", theme="HEALTH")
    assert db.get(Cluster, "new").themes == ["HEALTH"]


def test_a_theme_list_without_the_main_theme_is_refused(db: Session) -> None:
    with pytest.raises(InvalidInput) as refused:
        registry.add_cluster(db, code="new", name="New", region="FR-IDF", theme="HEALTH", themes=["DIGITAL"])
    assert [(problem.path, problem.message) for problem in refused.value.errors] == [
        ("themes", "must include the main theme (HEALTH)")
    ]
    assert db.get(Cluster, "new") is None


def test_a_new_theme_list_must_include_the_main_theme_the_cluster_keeps(db: Session) -> None:
    registry.add_cluster(db, code="new", name="New", region="FR-IDF", theme="HEALTH")
    with pytest.raises(InvalidInput) as refused:
        registry.update_cluster(db, "new", themes=["DIGITAL", "ENERGY"])
    assert [problem.path for problem in refused.value.errors] == ["themes"]
    registry.update_cluster(db, "new", theme="DIGITAL", themes=["DIGITAL", "ENERGY"])
    assert db.get(Cluster, "new").themes == ["DIGITAL", "ENERGY"]


def test_a_new_main_theme_joins_the_themes_beside_the_former_one(db: Session) -> None:
    registry.add_cluster(db, code="new", name="New", region="FR-IDF", theme="HEALTH")
    registry.update_cluster(db, "new", theme="DIGITAL")
    assert db.get(Cluster, "new").themes == ["DIGITAL", "HEALTH"]


def test_a_main_theme_already_among_the_themes_leaves_them_as_they_are(db: Session) -> None:
    registry.add_cluster(
        db, code="new", name="New", region="FR-IDF", theme="HEALTH", themes=["HEALTH", "DIGITAL"]
    )
    registry.update_cluster(db, "new", theme="DIGITAL")
    assert db.get(Cluster, "new").themes == ["HEALTH", "DIGITAL"]


def test_a_shipped_entry_whose_activity_has_ended_is_loaded_inactive(db: Session, monkeypatch) -> None:
    ended = ClusterEntry("ended", "Ended", "FR-ARA", "HEALTH", ("HEALTH",), "", None, date(2020, 12, 31))
    shipped = registry.registry()
    monkeypatch.setattr(registry, "registry", lambda: (*shipped, ended))
    registry.load_reference_data(db)
    assert db.get(Cluster, "ended").active is False
