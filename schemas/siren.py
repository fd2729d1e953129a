"""SIREN numbers: the Luhn checksum that validation, the synthetic federation and tests share.

A SIREN is 9 digits whose Luhn checksum is 0. DESIGN.md names La Poste's 356000000 as
the known exception (its establishments' SIRETs break the Luhn rule), so it is accepted
explicitly, whatever its checksum; generators must not hand it to anyone else.
"""

from __future__ import annotations

LA_POSTE_SIREN = "356000000"
SIREN_COUNT = 10**8  # one valid SIREN per 8-digit prefix: the check digit is determined


# Each ASCII digit to the ASCII digit of its Luhn double (twice it, less 9 past 9): the sum is
# then taken over bytes at C speed, for every member row of every list pushed.
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def _luhn_sum(digits: str) -> int:
    """The Luhn sum of ASCII digits: the last digit and every second one before it as they
    are, the others doubled."""
    codes = digits.encode()
    return sum(codes[-1::-2]) + sum(codes[-2::-2].translate(_DOUBLED)) - 48 * len(codes)


def luhn_valid(digits: str) -> bool:
    """True when ``digits`` is a non-empty string of ASCII digits with a Luhn checksum of 0."""
    return bool(digits) and digits.isascii() and digits.isdigit() and _luhn_sum(digits) % 10 == 0


def is_valid_siren(s: str) -> bool:
    """True for 9 ASCII digits with a valid Luhn checksum, and for La Poste's 356000000."""
    return len(s) == 9 and (s == LA_POSTE_SIREN or luhn_valid(s))


def make_siren(n: int) -> str:
    """The n-th valid SIREN in ascending order (n from 0 to 10**8 - 1): prefix n, then its check digit."""
    if not 0 <= n < SIREN_COUNT:
        raise ValueError(f"SIREN index out of range: {n}")
    prefix = f"{n:08d}"
    return prefix + str(-_luhn_sum(prefix + "0") % 10)
