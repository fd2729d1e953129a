"""Connectors: pull cluster systems over HTTP and map their data to the submission shape.

A registry by type name, so the sync service picks a connector from the stored configuration."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from connectors.base import Connector, ConnectorError
from connectors.csv_file import CsvFile
from connectors.feed_json import FeedJson
from connectors.sdmx import Sdmx

_REGISTRY: dict[str, Callable[..., Connector]] = {kind.name: kind for kind in (FeedJson, CsvFile, Sdmx)}
TYPES: tuple[str, ...] = tuple(_REGISTRY)


def get(
    name: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Connector:
    """The connector of type ``name``; ``sleep``, ``rng`` and ``clock`` are for tests that must
    not wait."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise ConnectorError(f"unknown connector type {name!r}; known: {', '.join(TYPES)}") from None
    return factory(sleep=sleep, rng=rng, clock=clock)
