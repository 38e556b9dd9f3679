"""The video zones (分区): tid ↔ name ↔ parent, bundled, so lookups need no network.

`zones.get(17)` → `Zone(tid=17, name='单机游戏', route='stand_alone', parent=4)`;
`zones.find("单机")` finds by name; `zones.children(4)` lists a main zone's subzones. The
table is the web site's zone list (tid, name, URL route, parent), as the seed library also
bundles it; zones Bilibili adds later are simply not found (None), never an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ._exceptions import ArgsException

__all__ = ["Zone", "all_zones", "children", "find", "get"]


@dataclass(frozen=True)
class Zone:
    """A video zone."""

    tid: int
    """The zone id (`tid`/`rid` in the API)."""
    name: str
    route: str
    """Its path on the site: `https://www.bilibili.com/v/<parent route>/<route>`."""
    parent: int | None
    """The main zone's tid; None for a main zone."""

    @property
    def is_main(self) -> bool:
        return self.parent is None


@cache
def _table() -> tuple[Zone, ...]:
    text = resources.files("bilibili_sdk").joinpath("_data/zones.json").read_text("utf-8")
    return tuple(Zone(tid, name, route, parent) for tid, name, route, parent in json.loads(text))


@cache
def _by_tid() -> dict[int, Zone]:
    return {z.tid: z for z in _table()}


def all_zones() -> list[Zone]:
    """Every zone, each main zone followed by its subzones."""
    return list(_table())


def get(tid: int) -> Zone | None:
    """The zone with this tid, or None.

    Args:
        tid: the zone id.
    """
    if isinstance(tid, bool) or not isinstance(tid, int):
        raise ArgsException(f"tid: expected an int, got {tid!r}", argument="tid")
    return _by_tid().get(tid)


def find(name: str) -> Zone | None:
    """The zone with this name; else the first whose name contains it (main zones first,
    then subzones, in the site's order); None when nothing matches.

    Args:
        name: the zone's Chinese name (`"单机游戏"`) or a part of it, or its route
            (`"stand_alone"`).
    """
    if not isinstance(name, str) or not name.strip():
        raise ArgsException(f"name: expected a non-empty str, got {name!r}", argument="name")
    wanted = name.strip()
    table = _table()
    for z in table:
        if wanted in (z.name, z.route):
            return z
    folded = wanted.casefold()
    for main_first in (True, False):
        for z in table:
            if z.is_main == main_first and folded in z.name.casefold():
                return z
    return None


def children(tid: int) -> list[Zone]:
    """The subzones of a main zone (empty for a subzone or an unknown tid).

    Args:
        tid: the main zone's id.
    """
    get(tid)  # checks the argument
    return [z for z in _table() if z.parent == tid]
