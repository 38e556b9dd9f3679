"""Hand-written methods of the `live` namespace: the danmaku websocket."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..live import AsyncLiveConnection, LiveConnection
    from ..resources.live._async import AsyncLive
    from ..resources.live._sync import Live

__all__ = ["AsyncLiveExtras", "LiveExtras"]


class LiveExtras:
    """Methods of `Client.live` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> Live:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("Live", self)

    def connect(
        self,
        room_id: int,
        *,
        heartbeat_interval: float = 30.0,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        protover: int = 3,
        hosts: Sequence[str] | None = None,
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        web_heartbeat: float | None = None,
    ) -> LiveConnection:
        """Open a live room's danmaku websocket: typed events by handler or by iteration.

        Nothing connects until the connection is entered, run or iterated. The arguments are
        those of `bilibili_sdk.live.LiveConnection` (`AsyncLiveConnection` for an
        `AsyncClient`).
        """
        from ..live import LiveConnection

        return LiveConnection(
            self._api._client,
            room_id,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            reconnect=reconnect,
            max_retries=max_retries,
            backoff=backoff,
            protover=protover,
            hosts=hosts,
            open_timeout=open_timeout,
            max_queue=max_queue,
            web_heartbeat=web_heartbeat,
        )


class AsyncLiveExtras:
    """Methods of `AsyncClient.live` written by hand."""

    __slots__ = ()

    @property
    def _api(self) -> AsyncLive:
        # The generated class extends this mixin; the cast lets mypy see its methods.
        return cast("AsyncLive", self)

    def connect(
        self,
        room_id: int,
        *,
        heartbeat_interval: float = 30.0,
        heartbeat_timeout: float | None = None,
        reconnect: bool = True,
        max_retries: int = 5,
        backoff: tuple[float, float] = (1.0, 30.0),
        protover: int = 3,
        hosts: Sequence[str] | None = None,
        open_timeout: float = 10.0,
        max_queue: int = 1000,
        web_heartbeat: float | None = None,
    ) -> AsyncLiveConnection:
        """Open a live room's danmaku websocket: typed events by handler or by iteration.

        Nothing connects until the connection is entered, run or iterated. The arguments are
        those of `bilibili_sdk.live.LiveConnection` (`AsyncLiveConnection` for an
        `AsyncClient`).
        """
        from ..live import AsyncLiveConnection

        return AsyncLiveConnection(
            self._api._client,
            room_id,
            heartbeat_interval=heartbeat_interval,
            heartbeat_timeout=heartbeat_timeout,
            reconnect=reconnect,
            max_retries=max_retries,
            backoff=backoff,
            protover=protover,
            hosts=hosts,
            open_timeout=open_timeout,
            max_queue=max_queue,
            web_heartbeat=web_heartbeat,
        )
