"""Hand-written methods of the `opus` namespace: Markdown of an opus, and favourites.

`set_favorite` posts to the community `simple_action` endpoint: a JSON body with nested
objects and csrf in the query, which the catalogue cannot declare, so its request is built
here. The generated `Opus` / `AsyncOpus` classes extend these mixins (see `extras:` in
api_spec/opus.yaml).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, cast

from .. import _validate as _v
from .._endpoint import Call, Endpoint
from .._exceptions import ArgsException, CredentialNoBiliJctException

if TYPE_CHECKING:
    from .._base_client import BaseClient
    from ..models.opus import OpusDetail
    from ..resources.opus._async import AsyncOpus
    from ..resources.opus._sync import Opus

__all__ = ["AsyncOpusExtras", "OpusExtras"]

SIMPLE_ACTION: Endpoint[None] = Endpoint(
    "opus.set_favorite",
    "POST",
    "https://api.bilibili.com/x/community/cosmo/interface/simple_action",
    auth="required",
    csrf=False,  # csrf goes in the query, added below; the generic flow would put it in the body
    model=None,
)
# What the web client sends around the action (the seed sends the same constants).
_META = {"spmid": "444.42.0.0", "from_spmid": "333.1365.0.0", "from": "unknown"}
FAVORITE, UNFAVORITE = 3, 4


def _favorite_call(client: BaseClient, opus_id: Any, favorite: Any) -> Call[None]:
    """The checked `simple_action` call (no I/O): argument and credential errors come first."""
    oid = _v.positive_int("opus_id", opus_id)
    fav = bool(_v.boolean("favorite", favorite))
    cred = client.options.credential
    if cred is not None and cred.sessdata and not cred.bili_jct:
        raise CredentialNoBiliJctException(
            "opus.set_favorite needs bili_jct (csrf) in the credential"
        )
    query = {"csrf": cred.bili_jct} if cred is not None and cred.bili_jct else {}
    body = {
        "meta": dict(_META),
        "entity": {"object_id_str": str(oid), "type": {"biz": 2}},
        "action": FAVORITE if fav else UNFAVORITE,
    }
    return Call(SIMPLE_ACTION, query=query, json=body)


def opus_markdown(detail: OpusDetail, opus_id: int, with_title: bool) -> str:
    """Markdown of an opus: its title module as a level-1 heading, then its paragraphs."""
    from ..markdown import from_article, from_opus

    if detail.fallback is not None or detail.item is None:
        where = (
            f" (Bilibili points to a type {detail.fallback.type} resource "
            f"{detail.fallback.id!r} instead)"
            if detail.fallback is not None
            else ""
        )
        raise ArgsException(f"opus_id: {opus_id} is not an opus{where}", argument="opus_id")
    title = ""
    paragraphs: list[Any] = []
    for module in detail.item.modules:
        if module.module_title is not None and module.module_title.text.strip():
            title = module.module_title.text.strip()
        if module.module_content is not None:
            paragraphs.extend(module.module_content.paragraphs)
    body = from_opus(paragraphs) if paragraphs else ""
    if not with_title or not title:
        return body
    heading = from_article(f"<h1>{html.escape(title)}</h1>")
    return f"{heading}\n\n{body}" if body else heading


def _check(opus_id: Any, with_title: Any) -> tuple[int, bool]:
    return _v.positive_int("opus_id", opus_id), bool(_v.boolean("with_title", with_title))


class OpusExtras:
    """Methods of `Client.opus` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Opus:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Opus", self)

    def get_markdown(self, opus_id: int, *, with_title: bool = True) -> str:
        """Get an opus (`get_info`) and return its title and paragraphs as Markdown.

        Args:
            opus_id: Opus id (the number in bilibili.com/opus/...).
            with_title: Start with the title as a level-1 heading (when the opus has one).

        Raises:
            ArgsException: the id is not an opus (the answer carries a `fallback`).
        """
        oid, with_title = _check(opus_id, with_title)
        return opus_markdown(self._api.get_info(oid), oid, with_title)

    def set_favorite(self, opus_id: int, *, favorite: bool = True) -> None:
        """Add an opus to the logged-in user's favourites, or remove it (`favorite=False`).

        POST https://api.bilibili.com/x/community/cosmo/interface/simple_action · login required
        """
        self._api._client._request(_favorite_call(self._api._client, opus_id, favorite))


class AsyncOpusExtras:
    """Methods of `AsyncClient.opus` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncOpus:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncOpus", self)

    async def get_markdown(self, opus_id: int, *, with_title: bool = True) -> str:
        """Get an opus (`get_info`) and return its title and paragraphs as Markdown.

        Args:
            opus_id: Opus id (the number in bilibili.com/opus/...).
            with_title: Start with the title as a level-1 heading (when the opus has one).

        Raises:
            ArgsException: the id is not an opus (the answer carries a `fallback`).
        """
        oid, with_title = _check(opus_id, with_title)
        return opus_markdown(await self._api.get_info(oid), oid, with_title)

    async def set_favorite(self, opus_id: int, *, favorite: bool = True) -> None:
        """Add an opus to the logged-in user's favourites, or remove it (`favorite=False`).

        POST https://api.bilibili.com/x/community/cosmo/interface/simple_action · login required
        """
        await self._api._client._request(_favorite_call(self._api._client, opus_id, favorite))
