"""Hand-written methods of the `bangumi` namespace: one episode by its id, and the interval
strings that the index's `year` / `release_date` filters take.

Bilibili has no light call for one episode: the season's page data (`get_season(ep_id=...)`)
lists every episode, so `get_episode` takes it from there (main episodes, then extras).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, cast

from .. import _validate as _v
from .._exceptions import ArgsException, NotFoundException

if TYPE_CHECKING:
    from ..models.bangumi import BangumiEpisode, BangumiSeason
    from ..resources.bangumi._async import AsyncBangumi
    from ..resources.bangumi._sync import Bangumi

__all__ = ["AsyncBangumiExtras", "BangumiExtras", "index_range"]

Bound = int | datetime.date | None


def _bound(name: str, value: Bound) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (int, datetime.date)):
        raise ArgsException(
            f"{name}: expected a year (int), a date or a datetime, got {value!r}", argument=name
        )
    if isinstance(value, int):
        if not 1900 <= value <= 9999:
            raise ArgsException(f"{name}: expected a year 1900-9999, got {value!r}", argument=name)
        return str(value)
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime(value.year, value.month, value.day)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def index_range(
    start: Bound = None,
    end: Bound = None,
    *,
    include_start: bool = True,
    include_end: bool = False,
) -> str:
    """The interval the index's filters take: years for `year=` (anime, guochuang), dates for
    `release_date=` (films, documentaries, TV series).

    `index_range(2019, 2020)` is `"[2019,2020)"` (the year 2019), `index_range(end=1980)` is
    `"[,1980)"`; a date or datetime gives `"[2019-01-01 00:00:00,...)"`. Either end may be
    left open, not both; both ends are years or both are dates.
    """
    if start is None and end is None:
        raise ArgsException("start: give start, end or both", argument="start")
    low, high = _bound("start", start), _bound("end", end)
    if start is not None and end is not None:
        if isinstance(start, int) != isinstance(end, int):
            raise ArgsException("end: give both ends as years or both as dates", argument="end")
        if low > high:
            raise ArgsException(f"end: {end!r} comes before start {start!r}", argument="end")
    return f"{'[' if include_start else '('}{low},{high}{']' if include_end else ')'}"


def _find(season: BangumiSeason, ep_id: int) -> BangumiEpisode:
    for ep in season.episodes:
        if ep.id == ep_id:
            return ep
    for section in season.section or []:
        for ep in section.episodes:
            if ep.id == ep_id:
                return ep
    raise NotFoundException(
        -404,
        f"episode {ep_id} is not listed in season {season.season_id}",
        None,
        "bangumi.get_episode",
    )


class BangumiExtras:
    """Episode lookup and index helpers for `Client.bangumi`."""

    index_range = staticmethod(index_range)

    @property
    def _api(self) -> Bangumi:
        return cast("Bangumi", self)

    def get_episode(self, ep_id: int) -> BangumiEpisode:
        """Get one episode (its aid, bvid, cid, title, duration) by its ep_id.

        Raises:
            NotFoundException: the season's page does not list the episode.
        """
        _v.positive_int("ep_id", ep_id)
        return _find(self._api.get_season(ep_id=ep_id), ep_id)


class AsyncBangumiExtras:
    """Episode lookup and index helpers for `AsyncClient.bangumi`."""

    index_range = staticmethod(index_range)

    @property
    def _api(self) -> AsyncBangumi:
        return cast("AsyncBangumi", self)

    async def get_episode(self, ep_id: int) -> BangumiEpisode:
        """Get one episode (its aid, bvid, cid, title, duration) by its ep_id.

        Raises:
            NotFoundException: the season's page does not list the episode.
        """
        _v.positive_int("ep_id", ep_id)
        return _find(await self._api.get_season(ep_id=ep_id), ep_id)
