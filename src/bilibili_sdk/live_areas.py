"""The live areas (直播分区): id ↔ name ↔ parent, offline first, refreshable from Bilibili.

`live_areas.get(190)` → `LiveArea(id=190, name='唱见电台', parent_id=5, parent_name='电台')`;
`live_areas.find("电台")` finds by name; `live_areas.children(5)` lists a parent area's
sub-areas. Lookups need no network: they read a small bundled table, built only from area
facts (id, name, parent) seen in real recorded responses. Live areas change often (game
areas come and go), so `live_areas.load(client)` / `await live_areas.aload(client)` fetch the
current list once (`live.get_area_list`) and replace the table for the whole process; an
area missing from the table is simply not found (None), never an error.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from ._exceptions import ArgsException

if TYPE_CHECKING:
    from ._client import AsyncClient, Client
    from .models.live import LiveAreaList

__all__ = ["LiveArea", "aload", "all_areas", "children", "find", "get", "load"]


@dataclass(frozen=True)
class LiveArea:
    """A live area: a parent area, or one of its sub-areas."""

    id: int
    """The area id (`area_id`, or `parent_area_id` for a parent area)."""
    name: str
    parent_id: int | None
    """The parent area's id; None for a parent area."""
    parent_name: str | None
    """The parent area's name; None for a parent area."""

    @property
    def is_parent(self) -> bool:
        return self.parent_id is None


_lock = threading.Lock()
_areas: tuple[LiveArea, ...] | None = None


def _bundled() -> tuple[LiveArea, ...]:
    text = resources.files("bilibili_sdk").joinpath("_data/live_areas.json").read_text("utf-8")
    return tuple(LiveArea(*row) for row in json.loads(text))


def _table() -> tuple[LiveArea, ...]:
    global _areas
    table = _areas
    if table is None:
        with _lock:
            if _areas is None:
                _areas = _bundled()
            table = _areas
    return table


def _from_answer(answer: LiveAreaList) -> tuple[LiveArea, ...]:
    """Flatten `get_area_list`'s answer: each parent area followed by its sub-areas."""
    rows: list[LiveArea] = []
    for parent in answer:
        rows.append(LiveArea(int(parent.id), parent.name, None, None))
        rows.extend(
            LiveArea(int(sub.id), sub.name, int(parent.id), parent.name) for sub in parent.list_
        )
    return tuple(rows)


def _replace(rows: tuple[LiveArea, ...]) -> list[LiveArea]:
    global _areas
    if not rows:  # an empty answer would leave every lookup failing: keep what we have
        return list(_table())
    with _lock:
        _areas = rows
    return list(rows)


def load(client: Client) -> list[LiveArea]:
    """Fetch the current area list and use it instead of the bundled table (whole process).

    Returns the new table. An empty answer keeps the current table.

    Args:
        client: the `Client` to fetch with.
    """
    from ._client import Client

    if not isinstance(client, Client):
        raise ArgsException(f"client: expected a Client, got {client!r}", argument="client")
    return _replace(_from_answer(client.live.get_area_list()))


async def aload(client: AsyncClient) -> list[LiveArea]:
    """`load` with an `AsyncClient`.

    Args:
        client: the `AsyncClient` to fetch with.
    """
    from ._client import AsyncClient

    if not isinstance(client, AsyncClient):
        raise ArgsException(f"client: expected an AsyncClient, got {client!r}", argument="client")
    return _replace(_from_answer(await client.live.get_area_list()))


def reset() -> None:
    """Go back to the bundled table (undoes `load`; mostly for tests)."""
    global _areas
    with _lock:
        _areas = None


def all_areas() -> list[LiveArea]:
    """Every known area, each parent area followed by its sub-areas."""
    return list(_table())


def _check_id(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgsException(f"{name}: expected an int, got {value!r}", argument=name)
    return value


def get(area_id: int) -> LiveArea | None:
    """The area with this id, or None.

    Parent and sub-area ids never collide on Bilibili; if a loaded list ever had both, the
    parent area wins.

    Args:
        area_id: the area id (a parent area's or a sub-area's).
    """
    _check_id("area_id", area_id)
    for area in _table():
        if area.id == area_id:
            return area
    return None


def find(name: str) -> LiveArea | None:
    """The area with this name; else the first whose name contains it (parent areas first,
    then sub-areas, in table order); None when nothing matches.

    Args:
        name: the area's name (`"唱见电台"`) or a part of it.
    """
    if not isinstance(name, str) or not name.strip():
        raise ArgsException(f"name: expected a non-empty str, got {name!r}", argument="name")
    wanted = name.strip()
    table = _table()
    for parents_first in (True, False):
        for area in table:
            if area.is_parent == parents_first and area.name == wanted:
                return area
    folded = wanted.casefold()
    for parents_first in (True, False):
        for area in table:
            if area.is_parent == parents_first and folded in area.name.casefold():
                return area
    return None


def children(parent_id: int) -> list[LiveArea]:
    """The sub-areas of a parent area (empty for a sub-area or an unknown id).

    Args:
        parent_id: the parent area's id.
    """
    _check_id("parent_id", parent_id)
    return [area for area in _table() if area.parent_id == parent_id]
