"""What every parity case file shares: the accepted-difference record and the mock's ids.

`tests/test_parity.py` runs the cases; `tests/parity_cases/<namespace>.py` files add cases for
further namespaces (see that package's docstring), so namespaces can grow without touching
one shared file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import bilibili_api


class Diff(NamedTuple):
    """An accepted difference: `why`, then what it changes in the comparison."""

    why: str
    extra: frozenset[str] = frozenset()  # parameter names only we send
    missing: frozenset[str] = frozenset()  # parameter names only the seed sends
    seed_method: str | None = None  # the seed's HTTP method, when it differs from ours
    moved: frozenset[str] = frozenset()  # "name:seed_location>our_location"
    values: frozenset[str] = frozenset()  # names both send, with different values


def _d(
    why: str,
    *,
    extra: str = "",
    missing: str = "",
    seed_method: str | None = None,
    moved: str = "",
    values: str = "",
) -> Diff:
    return Diff(
        why,
        frozenset(extra.split()),
        frozenset(missing.split()),
        seed_method,
        frozenset(moved.split()),
        frozenset(values.split()),
    )


AID = 170001
BVID = "BV17x411w7KC"  # aid2bvid(AID)
CID = 279786
MID = 660303135  # some other user
SELF_MID = 2  # the logged-in user of the mock (nav, myinfo examples)
KW = "原神 test"
SERIES_ID = 77
EP_ID = 4242
SEASON_ID = 88
WEBID = "mock-w-webid"
ROOM_ID = 23058  # a live room's display id
RUID = 11153765  # its streamer: the seed reads it from the mock's getRoomPlayInfo example
AREA_ID, PARENT_AREA_ID = 190, 5  # a sub-area of the mock's area list, and its parent
RND = 1700000000
UPLOADER_MID = 66606350  # the owner in the mock's get_info example (the seed reads it there)
PAGE0_CID = 146044693  # the first page's cid in that example
MYINFO_MID = 293793435  # the mid of the mock's get_my_info example (the seed reads it there)

SeedCall = Callable[[bilibili_api.Credential], Awaitable[Any]]
Case = tuple[str, str, dict[str, Any], SeedCall]
