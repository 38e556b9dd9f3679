"""Hand-written methods of the `cheese` namespace: one course episode by its id.

The course's page data (`get_season(ep_id=...)`) carries only the first page of episodes;
`get_episode` looks there first, then walks the course's episode list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .. import _validate as _v
from .._exceptions import NotFoundException

if TYPE_CHECKING:
    from ..models.cheese import CheeseEpisode
    from ..resources.cheese._async import AsyncCheese
    from ..resources.cheese._sync import Cheese

__all__ = ["AsyncCheeseExtras", "CheeseExtras"]


def _missing(ep_id: int, season_id: int) -> NotFoundException:
    return NotFoundException(
        -404, f"episode {ep_id} is not listed in course {season_id}", None, "cheese.get_episode"
    )


class CheeseExtras:
    """Episode lookup for `Client.cheese`."""

    @property
    def _api(self) -> Cheese:
        return cast("Cheese", self)

    def get_episode(self, ep_id: int) -> CheeseEpisode:
        """Get one course episode (its aid, cid, title, duration) by its ep_id.

        Raises:
            NotFoundException: the course does not list the episode.
        """
        _v.positive_int("ep_id", ep_id)
        course = self._api.get_season(ep_id=ep_id)
        for ep in course.episodes:
            if ep.id == ep_id:
                return ep
        for ep in self._api.iter_episodes(course.season_id, page_size=100):
            if ep.id == ep_id:
                return ep
        raise _missing(ep_id, course.season_id)


class AsyncCheeseExtras:
    """Episode lookup for `AsyncClient.cheese`."""

    @property
    def _api(self) -> AsyncCheese:
        return cast("AsyncCheese", self)

    async def get_episode(self, ep_id: int) -> CheeseEpisode:
        """Get one course episode (its aid, cid, title, duration) by its ep_id.

        Raises:
            NotFoundException: the course does not list the episode.
        """
        _v.positive_int("ep_id", ep_id)
        course = await self._api.get_season(ep_id=ep_id)
        for ep in course.episodes:
            if ep.id == ep_id:
                return ep
        async for ep in self._api.iter_episodes(course.season_id, page_size=100):
            if ep.id == ep_id:
                return ep
        raise _missing(ep_id, course.season_id)
