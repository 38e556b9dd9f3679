"""Hand-written methods of the `article` namespace: an article's body as Markdown.

The generated `Article` / `AsyncArticle` classes extend these mixins (see `extras:` in
api_spec/article.yaml). The conversion is a pure function shared by both flavours; the methods
only differ in how they wait for `get_detail`.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, cast

from .. import _validate as _v

if TYPE_CHECKING:
    from ..models.article import ArticleDetail
    from ..resources.article._async import AsyncArticle
    from ..resources.article._sync import Article

__all__ = ["ArticleExtras", "AsyncArticleExtras", "PageState", "parse_initial_state"]


PageState = dict[str, Any]
"""What a web page assigns to `window.__INITIAL_STATE__` (JSON object, kept as parsed)."""

_STATE_MARKERS = ("window.__INITIAL_STATE__=", "window.__INITIAL_STATE__ = ")


def parse_initial_state(content: bytes) -> PageState:
    """The object a Bilibili web page assigns to `window.__INITIAL_STATE__` (the decoder of
    `article.get_page_state`). Raises ValueError when the page has none."""
    import json
    from urllib.parse import unquote

    text = content.decode("utf-8", errors="replace")
    for marker in _STATE_MARKERS:
        pos = text.find(marker)
        if pos == -1:
            continue
        rest = text[pos + len(marker) :]
        decoder = json.JSONDecoder()
        try:
            state = decoder.raw_decode(rest)[0]
        except json.JSONDecodeError:
            # some pages percent-encode the JSON inside the script
            try:
                state = decoder.raw_decode(unquote(rest))[0]
            except json.JSONDecodeError as e:
                raise ValueError(f"window.__INITIAL_STATE__ is not JSON: {e}") from None
        if not isinstance(state, dict):
            raise ValueError("window.__INITIAL_STATE__ is not an object")
        return state
    raise ValueError("the page sets no window.__INITIAL_STATE__")


def _check(cvid: Any, with_title: Any) -> tuple[int, bool]:
    return _v.positive_int("cvid", cvid), bool(_v.boolean("with_title", with_title))


def article_markdown(detail: ArticleDetail, with_title: bool) -> str:
    """Markdown of an article's detail: its title as a level-1 heading, then its body.

    New-editor articles may come with an empty HTML body and their paragraphs under `opus`
    (opus shape); those are converted from the paragraphs instead.
    """
    from ..markdown import from_article, from_opus

    body = from_article(detail.content) if detail.content.strip() else ""
    if not body:
        opus = (detail.model_extra or {}).get("opus")
        content = opus.get("content") if isinstance(opus, dict) else None
        if isinstance(content, dict) and content.get("paragraphs"):
            body = from_opus(content["paragraphs"])
    if not with_title or not detail.title.strip():
        return body
    title = from_article(f"<h1>{html.escape(detail.title.strip())}</h1>")
    return f"{title}\n\n{body}" if body else title


class ArticleExtras:
    """Methods of `Client.article` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Article:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Article", self)

    def get_markdown(self, cvid: int, *, with_title: bool = True) -> str:
        """Get an article (`get_detail`) and return its body as Markdown.

        Args:
            cvid: Article id (the number after cv).
            with_title: Start with the title as a level-1 heading.
        """
        cvid, with_title = _check(cvid, with_title)
        return article_markdown(self._api.get_detail(cvid), with_title)


class AsyncArticleExtras:
    """Methods of `AsyncClient.article` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncArticle:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncArticle", self)

    async def get_markdown(self, cvid: int, *, with_title: bool = True) -> str:
        """Get an article (`get_detail`) and return its body as Markdown.

        Args:
            cvid: Article id (the number after cv).
            with_title: Start with the title as a level-1 heading.
        """
        cvid, with_title = _check(cvid, with_title)
        return article_markdown(await self._api.get_detail(cvid), with_title)
