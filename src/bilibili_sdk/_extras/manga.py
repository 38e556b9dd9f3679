"""Hand-written methods of the `manga` namespace: the downloadable images of an episode.

An episode's page images are fetched in two steps, as the web reader does: the image index
(`get_image_index`) gives their paths and host, then one `get_image_tokens` call gives each URL
the token without which the image host refuses it. `get_episode_images` does both; the
pure functions below are shared by the sync and async flavours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from .. import _validate as _v

if TYPE_CHECKING:
    from ..models.manga import MangaImageIndex, MangaImageToken
    from ..resources.manga._async import AsyncManga
    from ..resources.manga._sync import Manga

__all__ = ["AsyncMangaExtras", "MangaExtras", "MangaImage"]

_DEFAULT_HOST = "https://manga.hdslb.com"


@dataclass(frozen=True)
class MangaImage:
    """One page image of an episode, ready to download."""

    url: str
    """The image URL, without its token."""
    token: str
    """The access token (with its `ts`), short-lived."""
    width: int
    height: int

    @property
    def download_url(self) -> str:
        """The URL to GET: `url?token=...`."""
        return f"{self.url}?token={self.token}"

    def __repr__(self) -> str:
        # the token is a short-lived credential: keep it out of logs
        return f"MangaImage(url={self.url!r}, width={self.width}, height={self.height})"


def _image_urls(index: MangaImageIndex) -> list[str]:
    """The full URLs of the index's images, in reading order."""
    host = (index.host or _DEFAULT_HOST).rstrip("/")
    return [host + img.path if img.path.startswith("/") else img.path for img in index.images]


def _join(
    index: MangaImageIndex, urls: list[str], tokens: list[MangaImageToken]
) -> list[MangaImage]:
    """Pair each image of the index with its token (the server answers in request order)."""
    if len(tokens) != len(urls):
        from .._exceptions import ResponseException

        raise ResponseException(f"ImageToken answered {len(tokens)} tokens for {len(urls)} images")
    return [
        MangaImage(url=tok.url or url, token=tok.token, width=img.x, height=img.y)
        for url, img, tok in zip(urls, index.images, tokens, strict=True)
    ]


class MangaExtras:
    """Methods of `Client.manga` written by hand."""

    __slots__ = ()

    def get_episode_images(self, ep_id: int) -> list[MangaImage]:
        """List an episode's page images with their download tokens, in reading order.

        Asks the image index, then the tokens of all its images in one request. A paid
        episode needs the login that bought it.

        Args:
            ep_id: Episode id.

        Raises:
            ArgsException: a bad `ep_id`, before any request.
        """
        ep_id = _v.positive_int("ep_id", ep_id)
        api = cast("Manga", self)
        index = api.get_image_index(ep_id)
        urls = _image_urls(index)
        if not urls:
            return []
        return _join(index, urls, api.get_image_tokens(urls))


class AsyncMangaExtras:
    """Methods of `AsyncClient.manga` written by hand."""

    __slots__ = ()

    async def get_episode_images(self, ep_id: int) -> list[MangaImage]:
        """List an episode's page images with their download tokens, in reading order.

        Asks the image index, then the tokens of all its images in one request. A paid
        episode needs the login that bought it.

        Args:
            ep_id: Episode id.

        Raises:
            ArgsException: a bad `ep_id`, before any request.
        """
        ep_id = _v.positive_int("ep_id", ep_id)
        api = cast("AsyncManga", self)
        index = await api.get_image_index(ep_id)
        urls = _image_urls(index)
        if not urls:
            return []
        return _join(index, urls, await api.get_image_tokens(urls))
