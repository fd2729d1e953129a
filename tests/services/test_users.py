"""Board users and operators: what a new user must be, refused whole with every problem listed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.errors import Conflict, InvalidInput
from hub.models import User
from hub.services.users import create_user

PASSWORD = "twelve chars"  # the shortest accepted


def users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


@pytest.mark.parametrize(
    ("email", "role", "password", "paths"),
    [
        ("not-an-address", "board", PASSWORD, ["email"]),
        ("anne@pole.fr", "ministry", PASSWORD, ["role"]),
        ("anne@pole.fr", "board", PASSWORD[:-1], ["password"]),
        ("nope", "root", "short", ["email", "role", "password"]),
    ],
)
def test_a_user_that_cannot_be_is_refused_naming_every_problem(
    db: Session, email: str, role: str, password: str, paths: list[str]
) -> None:
    before = users(db)
    with pytest.raises(InvalidInput) as refused:
        create_user(db, email=email, role=role, password=password, actor=None)
    assert [problem.path for problem in refused.value.errors] == paths
    assert users(db) == before


def test_a_password_of_exactly_the_minimum_length_is_accepted(db: Session) -> None:
    user = create_user(db, email="anne@pole.fr", role="board", password=PASSWORD, actor=None)
    assert user.email == "anne@pole.fr"


def test_an_address_already_used_in_another_case_is_a_conflict(db: Session) -> None:
    create_user(db, email="anne@pole.fr", role="board", password=PASSWORD, actor=None)
    db.flush()
    before = users(db)
    with pytest.raises(Conflict):
        create_user(db, email="Anne@Pole.FR", role="admin", password=PASSWORD, actor=None)
    assert users(db) == before
