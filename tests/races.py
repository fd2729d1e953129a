"""Racing transactions: work run in real threads, released together, each in a session of its own."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker


def race(factory: sessionmaker[Session], work: Callable[[Session, int], Any], threads: int) -> list[Any]:
    """Run ``work`` in ``threads`` threads released together; results or exceptions, in order."""
    start = threading.Barrier(threads)
    outcomes: list[Any] = [None] * threads

    def run(index: int) -> None:
        start.wait()
        with factory() as session:
            try:
                outcomes[index] = work(session, index)
            except Exception as error:  # the test inspects what each thread met
                outcomes[index] = error

    workers = [threading.Thread(target=run, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return outcomes
