"""Aggregation tests: a federation made only of the clusters a test adds."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.aggregation.factory import Factory


@pytest.fixture
def factory(db: Session) -> Factory:
    made = Factory(db)
    made.isolate()
    return made


@pytest.fixture
def fresh_factory(connection: Any) -> Callable[[], Any]:
    """A factory in a savepoint of its own, for hypothesis: each example starts empty."""

    @contextmanager
    def make() -> Iterator[Factory]:
        nested = connection.begin_nested()
        session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            made = Factory(session)
            made.isolate()
            yield made
        finally:
            session.close()
            nested.rollback()

    return make
