"""API clients: what a new client must be, refused whole with every problem listed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import InvalidInput
from hub.models import ApiClient
from hub.services.clients import create_client


@pytest.mark.parametrize(
    ("role", "cluster", "name", "paths"),
    [
        ("board", "medicen", "Board tool", ["cluster"]),  # only cluster clients are bound
        ("cluster", "no-such-cluster", "CRM", ["cluster"]),
        ("admin", None, "   ", ["name"]),
        ("root", None, "", ["role", "name"]),
    ],
)
def test_a_client_that_cannot_be_is_refused_naming_every_problem(
    db: Session, role: str, cluster: str | None, name: str, paths: list[str]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        create_client(db, role=role, name=name, cluster=cluster)
    assert [problem.path for problem in refused.value.errors] == paths
    assert db.scalar(select(func.count()).select_from(ApiClient)) == 0
