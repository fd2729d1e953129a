"""Stateless pseudo-random draws: a value is a pure function of its key, so any cluster or
organisation can be generated alone, in any process, in any order.

splitmix64's finaliser is used instead of ``random.Random`` per item because seeding a
Mersenne Twister costs microseconds, and a million-member federation needs millions of draws.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_MASK = (1 << 64) - 1
_UNIT = 1.0 / (1 << 53)


def _mix(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def key_of(text: str) -> int:
    """A 64-bit key for a string (never Python's ``hash()``, which is salted per process)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def draw(key: int, *parts: int) -> int:
    """A 64-bit pseudo-random integer determined by ``key`` and ``parts``."""
    acc = key
    for part in parts:
        acc = _mix(acc ^ (part & _MASK))
    return acc


def unit(h: int) -> float:
    """A float in [0, 1) from a 64-bit draw."""
    return (h >> 11) * _UNIT


def pick(h: int, items: Sequence[T]) -> T:
    """One item of ``items`` chosen by a 64-bit draw."""
    return items[h % len(items)]


def pick_weighted(h: int, items: Sequence[T], cumulative: Sequence[float]) -> T:
    """One item chosen by a draw, ``cumulative`` being the running sum of weights ending at 1."""
    u = unit(h)
    for item, bound in zip(items, cumulative, strict=True):
        if u < bound:
            return item
    return items[-1]
