"""Hand-written methods of the `vote` namespace: creating and editing a vote with its options.

The form of `create_vote` / `update_vote` carries one `info[options][<n>][desc]` (and, for
an image vote, `info[options][<n>][img_url]`) per option: the catalogue declares the fixed
fields (`_create`, `_update`) and these methods add the options, checked before any I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from .._exceptions import ArgsException

if TYPE_CHECKING:
    from .._endpoint import Call
    from ..models.vote import VoteCreated, VoteType
    from ..resources.vote._async import AsyncVote
    from ..resources.vote._sync import Vote

__all__ = ["AsyncVoteExtras", "VoteExtras"]

Option = str | tuple[str, str]
"""An option: its text, or (text, image URL) for an image vote."""

_OPTION_FORMS = "a non-empty str, or a (text, image URL) pair of non-empty strs"


def _option(i: int, option: Any) -> tuple[str, str | None]:
    if isinstance(option, str) and option:
        return option, None
    if (
        isinstance(option, tuple)
        and len(option) == 2
        and all(isinstance(x, str) and x for x in option)
    ):
        return option[0], option[1]
    raise ArgsException(
        f"options[{i}]: expected {_OPTION_FORMS}, got {option!r}", argument="options"
    )


def _add_options(call: Call[Any], options: Any) -> Call[Any]:
    """The generated call's form plus one `info[options][n][...]` group per option."""
    if isinstance(options, (str, bytes)) or not isinstance(options, Sequence) or len(options) < 2:
        raise ArgsException(
            f"options: expected a list of at least 2 options ({_OPTION_FORMS} each), "
            f"got {options!r}",
            argument="options",
        )
    parsed = [_option(i, o) for i, o in enumerate(options)]
    form = call.form if call.form is not None else {}
    # The generated prepare step has already checked choice_cnt and type and put them here.
    if form["info[choice_cnt]"] > len(parsed):
        raise ArgsException(
            f"choice_cnt: expected at most the number of options ({len(parsed)}), "
            f"got {form['info[choice_cnt]']!r}",
            argument="choice_cnt",
        )
    image_vote = form["info[type]"] == 1
    for i, (text, image) in enumerate(parsed):
        if image_vote and image is None:
            raise ArgsException(
                f"options[{i}]: an IMAGE vote needs a (text, image URL) pair, got {text!r}",
                argument="options",
            )
        form[f"info[options][{i}][desc]"] = text
        if image is not None:
            form[f"info[options][{i}][img_url]"] = image
    call.form = form
    return call


def _calls() -> Any:
    from ..resources.vote import _calls

    return _calls


def _create_call(
    title: Any, options: Any, duration: Any, type: Any, choice_cnt: Any, desc: Any
) -> Call[VoteCreated]:
    call = _calls().prepare__create(
        title, duration=duration, type=type, choice_cnt=choice_cnt, desc=desc
    )
    return _add_options(call, options)


def _update_call(
    vote_id: Any,
    title: Any,
    options: Any,
    duration: Any,
    type: Any,
    choice_cnt: Any,
    desc: Any,
) -> Call[Any]:
    call = _calls().prepare__update(
        vote_id, title=title, duration=duration, type=type, choice_cnt=choice_cnt, desc=desc
    )
    return _add_options(call, options)


class VoteExtras:
    """Methods of `Client.vote` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Vote:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Vote", self)

    def create(
        self,
        title: str,
        *,
        options: Sequence[Option],
        duration: int,
        type: VoteType | int = 0,
        choice_cnt: int = 1,
        desc: str | None = None,
    ) -> VoteCreated:
        """Create a vote; attach it to a dynamic by the returned `vote_id`.

        POST https://api.vc.bilibili.com/vote_svr/v1/vote_svr/create_vote · login required · csrf

        Args:
            title: Title of the vote.
            options: At least 2 options: texts, or (text, image URL) pairs for an IMAGE vote.
            duration: How long it runs, in seconds (259200 three days, 604800 a week).
            type: TEXT options (default) or IMAGE options.
            choice_cnt: How many options a voter may pick, at most len(options).
            desc: Description of the vote.

        Raises:
            ArgsException: a bad argument (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        call = _create_call(title, options, duration, type, choice_cnt, desc)
        return self._api._client._request(call)

    def update(
        self,
        vote_id: int,
        *,
        title: str,
        options: Sequence[Option],
        duration: int,
        type: VoteType | int = 0,
        choice_cnt: int = 1,
        desc: str | None = None,
    ) -> Any:
        """Replace the title, options and settings of one of your votes.

        POST https://api.vc.bilibili.com/vote_svr/v1/vote_svr/update_vote · login required · csrf

        Args:
            vote_id: Id of the vote.
            title: Title of the vote.
            options: At least 2 options: texts, or (text, image URL) pairs for an IMAGE vote.
            duration: How long it runs, in seconds (259200 three days, 604800 a week).
            type: TEXT options (default) or IMAGE options.
            choice_cnt: How many options a voter may pick, at most len(options).
            desc: Description of the vote.

        Raises:
            ArgsException: a bad argument (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        call = _update_call(vote_id, title, options, duration, type, choice_cnt, desc)
        return self._api._client._request(call)


class AsyncVoteExtras:
    """Methods of `AsyncClient.vote` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncVote:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncVote", self)

    async def create(
        self,
        title: str,
        *,
        options: Sequence[Option],
        duration: int,
        type: VoteType | int = 0,
        choice_cnt: int = 1,
        desc: str | None = None,
    ) -> VoteCreated:
        """Create a vote; attach it to a dynamic by the returned `vote_id`.

        POST https://api.vc.bilibili.com/vote_svr/v1/vote_svr/create_vote · login required · csrf

        Args:
            title: Title of the vote.
            options: At least 2 options: texts, or (text, image URL) pairs for an IMAGE vote.
            duration: How long it runs, in seconds (259200 three days, 604800 a week).
            type: TEXT options (default) or IMAGE options.
            choice_cnt: How many options a voter may pick, at most len(options).
            desc: Description of the vote.

        Raises:
            ArgsException: a bad argument (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        call = _create_call(title, options, duration, type, choice_cnt, desc)
        return await self._api._client._request(call)

    async def update(
        self,
        vote_id: int,
        *,
        title: str,
        options: Sequence[Option],
        duration: int,
        type: VoteType | int = 0,
        choice_cnt: int = 1,
        desc: str | None = None,
    ) -> Any:
        """Replace the title, options and settings of one of your votes.

        POST https://api.vc.bilibili.com/vote_svr/v1/vote_svr/update_vote · login required · csrf

        Args:
            vote_id: Id of the vote.
            title: Title of the vote.
            options: At least 2 options: texts, or (text, image URL) pairs for an IMAGE vote.
            duration: How long it runs, in seconds (259200 three days, 604800 a week).
            type: TEXT options (default) or IMAGE options.
            choice_cnt: How many options a voter may pick, at most len(options).
            desc: Description of the vote.

        Raises:
            ArgsException: a bad argument (before any I/O).
            CredentialNoSessdataException: the client has no SESSDATA.
        """
        call = _update_call(vote_id, title, options, duration, type, choice_cnt, desc)
        return await self._api._client._request(call)
