"""Hand-written methods of the `comment` namespace: posting with root/parent, and the walk
over the lazy comment list with full reply threads.

The generated `Comment` / `AsyncComment` classes extend these mixins (see `extras:` in
api_spec/comment.yaml). What to request next is decided by the small state objects below,
shared by both flavours; the sync and async methods only differ in how they wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, cast

from .._exceptions import ArgsException

if TYPE_CHECKING:
    from .._endpoint import Call
    from ..models.comment import (
        CommentMainPage,
        CommentMode,
        CommentReply,
        CommentResourceType,
        CommentSendResult,
        CommentThreadPage,
    )
    from ..resources.comment._async import AsyncComment
    from ..resources.comment._sync import Comment

__all__ = ["AsyncCommentExtras", "CommentExtras"]

REPLY_PAGE_SIZE = 20  # the most replies the thread endpoint returns per page


def _calls() -> Any:
    from ..resources.comment import _calls

    return _calls


def _send_call(
    oid: Any, type: Any, message: Any, root: Any, parent: Any, pictures: Any
) -> Call[CommentSendResult]:
    """The checked `reply/add` call: a reply to the root itself carries parent = root."""
    if parent is not None and root is None:
        raise ArgsException(
            "parent: a reply to a reply needs root= too (the thread's root comment); "
            f"got parent={parent!r} without root",
            argument="parent",
        )
    if root is not None and parent is None:
        parent = root  # what the web client sends when replying to the root comment
    call: Call[CommentSendResult] = _calls().prepare__send(
        oid, type=type, message=message, root=root, parent=parent, pictures=pictures
    )
    return call


def _limit(limit: Any) -> int | None:
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        raise ArgsException(
            f"limit: expected a positive int or None, got {limit!r}", argument="limit"
        )
    return limit


class _CommentWalk:
    """Pages of `get_comments_lazy`: which offset to send next, when to stop, how many left."""

    def __init__(self, oid: Any, type: Any, mode: Any, with_replies: Any, limit: Any) -> None:
        if not isinstance(with_replies, bool):
            raise ArgsException(
                f"with_replies: expected a bool, got {with_replies!r}", argument="with_replies"
            )
        self.with_replies = with_replies
        self.limit = _limit(limit)
        self.oid, self.type, self.mode = oid, type, mode
        self.offset = ""
        self.count = 0
        self.done = False
        self.call()  # checks oid, type and mode before any I/O

    def call(self) -> Call[CommentMainPage]:
        call: Call[CommentMainPage] = _calls().prepare_get_comments_lazy(
            self.oid, type=self.type, mode=self.mode, pagination_str={"offset": self.offset}
        )
        return call

    def feed(self, page: CommentMainPage) -> list[CommentReply]:
        """The comments of this page to yield; sets `done` and moves the offset."""
        items = list(page.replies)
        if self.limit is not None and self.count + len(items) >= self.limit:
            items = items[: self.limit - self.count]
            self.done = True
        self.count += len(items)
        nxt = page.cursor.pagination_reply.next_offset
        if not items or page.cursor.is_end or not nxt or nxt == self.offset:
            self.done = True
        self.offset = nxt
        return items

    def reply_walk(self, comment: CommentReply) -> _ReplyWalk | None:
        """How to complete `comment`'s replies, or None when its preview already has them all."""
        if not self.with_replies or comment.rcount <= len(comment.replies):
            return None
        return _ReplyWalk(self.oid, self.type, comment)


class _ReplyWalk:
    """Pages of `get_replies` for one thread, collected into the comment's `replies`."""

    def __init__(self, oid: Any, type: Any, comment: CommentReply) -> None:
        self.oid, self.type, self.comment = oid, type, comment
        self.page = 1
        self.replies: list[CommentReply] = []
        self.seen: set[int] = set()
        self.done = False

    def call(self) -> Call[CommentThreadPage]:
        call: Call[CommentThreadPage] = _calls().prepare_get_replies(
            self.oid,
            type=self.type,
            root=self.comment.rpid,
            page=self.page,
            page_size=REPLY_PAGE_SIZE,
        )
        return call

    def feed(self, page: CommentThreadPage) -> None:
        fresh = [r for r in page.replies if r.rpid not in self.seen]
        self.seen.update(r.rpid for r in fresh)
        self.replies += fresh
        total = page.page.count or self.comment.rcount
        if not fresh or len(self.replies) >= total:
            self.done = True
        self.page += 1

    def result(self) -> CommentReply:
        return self.comment.model_copy(update={"replies": self.replies})


class CommentExtras:
    """Methods of `Client.comment` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Comment:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Comment", self)

    def send(
        self,
        oid: int,
        *,
        type: CommentResourceType | int,
        message: str,
        root: int | None = None,
        parent: int | None = None,
        pictures: list[dict[str, Any]] | None = None,
    ) -> CommentSendResult:
        """Post a comment on a resource, or a reply in a thread.

        A root comment: no `root`, no `parent`. A reply to a root comment: `root=` its rpid.
        A reply to a reply: `root=` the thread's root and `parent=` the reply answered.

        POST https://api.bilibili.com/x/v2/reply/add · wbi+dm · login required · csrf

        Args:
            oid: Id of the resource to comment on (aid, cv id, dynamic id...).
            type: Kind of resource `oid` names.
            message: Text of the comment; `[表情]` names show emotes.
            root: rpid of the root comment when replying in a thread.
            parent: rpid of the reply answered; needs `root`, defaults to it.
            pictures: Uploaded images: a list of {img_src, img_width, img_height, img_size}.

        Raises:
            ArgsException: `parent` without `root`, or a bad argument (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        call = _send_call(oid, type, message, root, parent, pictures)
        return self._api._client._request(call)

    def iter_comments(
        self,
        oid: int,
        *,
        type: CommentResourceType | int,
        mode: CommentMode | int = 2,
        with_replies: bool = False,
        limit: int | None = None,
    ) -> Iterator[CommentReply]:
        """Iterate over the root comments of a comment area, as the web page lists them.

        Walks `get_comments_lazy` page by page (its `next_offset` cursor). With
        `with_replies=True` each comment comes with its whole thread in `replies`, fetched
        through `get_replies` when the list's preview is incomplete (one more request per
        20 replies: mind the rate limit on busy areas). Pinned comments are not repeated
        here: they come in `get_comments_lazy(...).top_replies`.

        Args:
            oid: Id of the resource whose comments to list (aid, cv id, dynamic id...).
            type: Kind of resource `oid` names.
            mode: TIME newest first (default), HOT by popularity, HOT_AND_TIME both.
            with_replies: Complete each comment's `replies` with its whole thread.
            limit: Stop after this many comments; None walks every page.
        """
        walk = _CommentWalk(oid, type, mode, with_replies, limit)
        client = self._api._client

        def gen() -> Iterator[CommentReply]:
            while not walk.done:
                for comment in walk.feed(client._request(walk.call())):
                    thread = walk.reply_walk(comment)
                    while thread is not None and not thread.done:
                        thread.feed(client._request(thread.call()))
                    yield comment if thread is None else thread.result()

        return gen()


class AsyncCommentExtras:
    """Methods of `AsyncClient.comment` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncComment:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncComment", self)

    async def send(
        self,
        oid: int,
        *,
        type: CommentResourceType | int,
        message: str,
        root: int | None = None,
        parent: int | None = None,
        pictures: list[dict[str, Any]] | None = None,
    ) -> CommentSendResult:
        """Post a comment on a resource, or a reply in a thread.

        A root comment: no `root`, no `parent`. A reply to a root comment: `root=` its rpid.
        A reply to a reply: `root=` the thread's root and `parent=` the reply answered.

        POST https://api.bilibili.com/x/v2/reply/add · wbi+dm · login required · csrf

        Args:
            oid: Id of the resource to comment on (aid, cv id, dynamic id...).
            type: Kind of resource `oid` names.
            message: Text of the comment; `[表情]` names show emotes.
            root: rpid of the root comment when replying in a thread.
            parent: rpid of the reply answered; needs `root`, defaults to it.
            pictures: Uploaded images: a list of {img_src, img_width, img_height, img_size}.

        Raises:
            ArgsException: `parent` without `root`, or a bad argument (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        call = _send_call(oid, type, message, root, parent, pictures)
        return await self._api._client._request(call)

    def iter_comments(
        self,
        oid: int,
        *,
        type: CommentResourceType | int,
        mode: CommentMode | int = 2,
        with_replies: bool = False,
        limit: int | None = None,
    ) -> AsyncIterator[CommentReply]:
        """Iterate over the root comments of a comment area, as the web page lists them.

        Walks `get_comments_lazy` page by page (its `next_offset` cursor). With
        `with_replies=True` each comment comes with its whole thread in `replies`, fetched
        through `get_replies` when the list's preview is incomplete (one more request per
        20 replies: mind the rate limit on busy areas). Pinned comments are not repeated
        here: they come in `get_comments_lazy(...).top_replies`.

        Args:
            oid: Id of the resource whose comments to list (aid, cv id, dynamic id...).
            type: Kind of resource `oid` names.
            mode: TIME newest first (default), HOT by popularity, HOT_AND_TIME both.
            with_replies: Complete each comment's `replies` with its whole thread.
            limit: Stop after this many comments; None walks every page.
        """
        walk = _CommentWalk(oid, type, mode, with_replies, limit)
        client = self._api._client

        async def gen() -> AsyncIterator[CommentReply]:
            while not walk.done:
                for comment in walk.feed(await client._request(walk.call())):
                    thread = walk.reply_walk(comment)
                    while thread is not None and not thread.done:
                        thread.feed(await client._request(thread.call()))
                    yield comment if thread is None else thread.result()

        return gen()
