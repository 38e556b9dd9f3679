"""Recover a sender's uid from a danmaku's `crc32_id` (CRC-32 of the uid's decimal string).

For a fixed length the CRC is affine over GF(2): crc(s) = crc("00…0") ^ XOR of one table value
per (distance from the end, digit). So the digits split into a prefix and a suffix whose
contributions are independent, and a meet in the middle finds every solution of a length
with about 10^(L/2) work per side instead of 10^L. A suffix's contribution does not depend on
what precedes it, so the 5-digit suffix table is built once and shared by every length.
"""

from __future__ import annotations

import zlib
from collections import Counter
from functools import cache

from .._exceptions import ArgsException

__all__ = ["MAX_DIGITS", "crack_uid", "crack_uid_candidates"]

MAX_DIGITS = 12
"""Largest `max_digits`: beyond it the answer is hundreds of uids and the search takes seconds."""

_HALF = 5  # digits per suffix table: 10^5 entries
_ZEROS = [zlib.crc32(b"0" * n) for n in range(MAX_DIGITS + 1)]


@cache
def _digit_table(distance: int) -> tuple[int, ...]:
    """What changing a '0' into digit d changes in the CRC, `distance` bytes before the end."""
    tail = b"0" * distance
    base = zlib.crc32(b"0" + tail)
    return tuple(zlib.crc32(bytes((48 + d,)) + tail) ^ base for d in range(10))


def _expand(values: list[int], distances: range) -> list[int]:
    # Index i of the result is the integer whose digits were appended: the outer loop runs
    # over earlier (more significant) digits.
    for dist in distances:
        table = _digit_table(dist)
        values = [v ^ t for v in values for t in table]
    return values


@cache
def _suffix() -> tuple[list[int], dict[int, int], frozenset[int]]:
    """Contributions of all 10^5 five-digit suffixes, a value -> index map, and the values
    that more than one suffix share (the map keeps only one index for those)."""
    values = _expand([0], range(_HALF - 1, -1, -1))
    index = dict(zip(values, range(len(values)), strict=True))
    shared: frozenset[int] = frozenset()
    if len(index) < len(values):
        shared = frozenset(v for v, n in Counter(values).items() if n > 1)
    return values, index, shared


@cache
def _prefix(length: int, low: int) -> list[int]:
    """Contributions of the `length - low` leading digits (the first one non-zero) of a
    `length`-digit number whose last `low` digits vary elsewhere."""
    first = _digit_table(length - 1)
    return _expand(list(first[1:]), range(length - 2, low - 1, -1))


@cache
def _middle() -> list[int]:
    """Contributions of the 5 digits before a 5-digit suffix (for 11 and 12 digits)."""
    return _expand([0], range(2 * _HALF - 1, _HALF - 1, -1))


def _suffix_matches(need: int) -> list[int]:
    values, index, shared = _suffix()
    if need in shared:
        return [i for i, v in enumerate(values) if v == need]
    i = index.get(need)
    return [] if i is None else [i]


def _solve(length: int, target: int) -> list[int]:
    """All `length`-digit numbers (no leading zero) whose decimal string has CRC `target`."""
    want = target ^ _ZEROS[length]
    if length <= _HALF:
        lo = 10 ** (length - 1) if length > 1 else 1
        return [i for i in _suffix_matches(want) if lo <= i < 10**length]
    _, index, _ = _suffix()
    out: list[int] = []
    if length <= 2 * _HALF:
        head = 10 ** (length - _HALF - 1)
        for i, x in enumerate(_prefix(length, _HALF)):
            if want ^ x in index:
                out.extend((head + i) * 10**_HALF + j for j in _suffix_matches(want ^ x))
        return out
    # 11-12 digits: loop over the leading digits in Python, scan the middle 5 in bulk.
    middle = _middle()
    head = 10 ** (length - 2 * _HALF - 1)
    for h, hx in enumerate(_prefix(length, 2 * _HALF)):
        w = want ^ hx
        for m in [m for m, x in enumerate(middle) if w ^ x in index]:
            top = ((head + h) * 10**_HALF + m) * 10**_HALF
            out.extend(top + j for j in _suffix_matches(w ^ middle[m]))
    return out


_HASH_FORMS = "a CRC-32 as up to 8 hex digits (like '8a0f75dc') or an int from 0 to 2**32 - 1"


def _parse_hash(crc32_id: str | int) -> int:
    if isinstance(crc32_id, bool) or not isinstance(crc32_id, (str, int)):
        raise ArgsException(f"crc32_id: expected {_HASH_FORMS}, got {crc32_id!r}", "crc32_id")
    if isinstance(crc32_id, int):
        value = crc32_id
    else:
        s = crc32_id.strip().lower().removeprefix("0x")
        if not s or len(s) > 8 or any(c not in "0123456789abcdef" for c in s):
            raise ArgsException(f"crc32_id: expected {_HASH_FORMS}, got {crc32_id!r}", "crc32_id")
        value = int(s, 16)
    if not 0 <= value <= 0xFFFFFFFF:
        raise ArgsException(f"crc32_id: expected {_HASH_FORMS}, got {crc32_id!r}", "crc32_id")
    return value


def crack_uid_candidates(crc32_id: str | int, max_digits: int = 10) -> list[int]:
    """Every uid of 1 to `max_digits` digits whose decimal string has this CRC-32, ascending.

    A hash has about 10^L / 2^32 preimages of L digits, so from 10 digits on expect several
    (about 2 of 10 digits, 23 of 11, 233 of 12): the sender is one of them. Up to 10 digits
    takes about 6 ms once the tables are built (about 20 ms, once per process); 12 digits take
    about 0.65 s.

    Raises:
        ArgsException: `crc32_id` is not a 32-bit hash (hex string or int), or `max_digits`
            is not in 1..12.
    """
    target = _parse_hash(crc32_id)
    if (
        isinstance(max_digits, bool)
        or not isinstance(max_digits, int)
        or not 1 <= max_digits <= MAX_DIGITS
    ):
        raise ArgsException(
            f"max_digits: expected an int from 1 to {MAX_DIGITS}, got {max_digits!r}",
            "max_digits",
        )
    out: list[int] = []
    for length in range(1, max_digits + 1):
        out.extend(sorted(_solve(length, target)))
    return out


def crack_uid(crc32_id: str | int) -> int | None:
    """The sender's uid guessed from a danmaku's `crc32_id`, or None when nothing matches.

    A guess, because different uids share hashes: this returns what bilibili-api-python
    returned, the smallest candidate of 4 to 10 digits, so results stay comparable; failing
    that, the smallest of 1 to 3 digits (the seed crashed there). Use `crack_uid_candidates`
    to see every candidate. One deliberate difference: the seed also tried "0" followed by 3
    digits and returned that number (e.g. 123 for the hash of "0123"), which no uid hashes
    to; those strings are not candidates here.

    Raises:
        ArgsException: `crc32_id` is not a 32-bit hash (hex string or int).
    """
    found = crack_uid_candidates(crc32_id, 10)
    for uid in found:
        if uid >= 1000:
            return uid
    return found[0] if found else None
