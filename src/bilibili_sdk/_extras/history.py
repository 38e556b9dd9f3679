"""Hand-written methods of the `history` namespace: walking the browsing history.

The history list (`user.get_my_history_new`) pages by a three-part cursor, the last entry's
`max` (its id), `view_at` and `business`. The generated `user.iter_history` carries `view_at`
only, which can skip or repeat entries viewed in the same second; `history.iter_history` sends
the whole cursor back, as the web client does. What to ask next is decided by pure functions
below, shared by both flavours.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, cast

from .._endpoint import Call
from .._exceptions import ArgsException

if TYPE_CHECKING:
    from ..models.user import HistoryItem, HistoryPage, HistoryType
    from ..resources.history._async import AsyncHistory
    from ..resources.history._sync import History

__all__ = ["AsyncHistoryExtras", "HistoryExtras"]


def _first_call(type: Any, page_size: Any, limit: Any) -> Call[HistoryPage]:
    """The first page's call; checks every argument (ArgsException) before any I/O."""
    from ..resources.user._calls import prepare_get_my_history_new

    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0):
        raise ArgsException(
            f"limit: expected a positive int or None, got {limit!r}", argument="limit"
        )
    return prepare_get_my_history_new(type=type, page_size=page_size)


def _next_call(call: Call[HistoryPage], page: HistoryPage) -> Call[HistoryPage] | None:
    """The next page's call, or None at the end (an empty page, an empty or unmoved cursor).

    The cursor values are sent back as the server gave them (a business this SDK does not know
    yet included), so they are not re-checked against the `business` enum."""
    cursor = page.cursor
    if not page.list_ or (not cursor.max and not cursor.view_at):
        return None
    query = dict(call.query)
    nxt = {"max": cursor.max, "view_at": cursor.view_at, "business": cursor.business}
    if not nxt["business"]:
        del nxt["business"]
        query.pop("business", None)
    if all(str(query.get(k)) == str(v) for k, v in nxt.items()):
        return None  # the server repeated the cursor: stop rather than loop
    query.update(nxt)
    return Call(call.endpoint, query=query)


class HistoryExtras:
    """Methods of `Client.history` written by hand."""

    __slots__ = ()

    def iter_history(
        self,
        *,
        type: HistoryType | str = "all",
        page_size: int = 20,
        limit: int | None = None,
    ) -> Iterator[HistoryItem]:
        """Iterate over your browsing history, newest first, fetching pages as needed.

        Each page is asked with the full cursor of the previous one (`max`, `view_at`,
        `business`), so entries viewed in the same second are neither skipped nor repeated.

        Args:
            type: Kind of entries: "all" (default), "archive" videos, "live" rooms, "article".
            page_size: Entries per page, at most 30.
            limit: Stop after this many entries; None walks the whole history.

        Raises:
            ArgsException: a bad argument, before any request.
            CredentialNoSessdataException: the client has no SESSDATA (on the first request).
        """
        call = _first_call(type, page_size, limit)
        client = cast("History", self)._client

        def walk(call: Call[HistoryPage] | None) -> Iterator[HistoryItem]:
            count = 0
            while call is not None:
                page = client._request(call)
                for item in page.list_:
                    yield item
                    count += 1
                    if limit is not None and count >= limit:
                        return
                call = _next_call(call, page)

        return walk(call)


class AsyncHistoryExtras:
    """Methods of `AsyncClient.history` written by hand."""

    __slots__ = ()

    def iter_history(
        self,
        *,
        type: HistoryType | str = "all",
        page_size: int = 20,
        limit: int | None = None,
    ) -> AsyncIterator[HistoryItem]:
        """Iterate over your browsing history, newest first, fetching pages as needed.

        Each page is asked with the full cursor of the previous one (`max`, `view_at`,
        `business`), so entries viewed in the same second are neither skipped nor repeated.

        Args:
            type: Kind of entries: "all" (default), "archive" videos, "live" rooms, "article".
            page_size: Entries per page, at most 30.
            limit: Stop after this many entries; None walks the whole history.

        Raises:
            ArgsException: a bad argument, before any request.
            CredentialNoSessdataException: the client has no SESSDATA (on the first request).
        """
        call = _first_call(type, page_size, limit)
        client = cast("AsyncHistory", self)._client

        async def walk(call: Call[HistoryPage] | None) -> AsyncIterator[HistoryItem]:
            count = 0
            while call is not None:
                page = await client._request(call)
                for item in page.list_:
                    yield item
                    count += 1
                    if limit is not None and count >= limit:
                        return
                call = _next_call(call, page)

        return walk(call)
