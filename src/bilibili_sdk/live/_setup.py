"""Argument checks and session construction shared by LiveConnection/AsyncLiveConnection."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._exceptions import ArgsException, MissingExtraException
from ._session import LiveRoomProtocol, Options, Session

if TYPE_CHECKING:
    from .._base_client import BaseClient

__all__ = ["check_client", "live_extra_error", "live_session", "require_live_extra"]

INSTALL_HINT = 'pip install "bilibili_sdk[live]"'


def live_extra_error(sync: bool, need_brotli: bool) -> MissingExtraException | None:
    """What is missing of the `live` extra for this use, or None when all is there.

    Importing here, before any I/O, is the point: otherwise the import fails only once the
    lookups are done, in the reader thread, as a bare ModuleNotFoundError.
    """
    try:
        importlib.import_module("websockets.sync.client" if sync else "websockets.asyncio.client")
    except ImportError as e:
        error = MissingExtraException(
            f'live connections need the "live" extra: {INSTALL_HINT} '
            f"(websockets >= 14 could not be imported: {e})",
            extra="live",
            name="websockets",
        )
        error.__cause__ = e
        return error
    if need_brotli:
        try:
            importlib.import_module("brotli")
        except ImportError as e:
            error = MissingExtraException(
                f'protover 3 (brotli) needs the "live" extra: {INSTALL_HINT} '
                f"(brotli could not be imported: {e}); or pass protover=2 (zlib)",
                extra="live",
                name="brotli",
            )
            error.__cause__ = e
            return error
    return None


def require_live_extra(sync: bool, need_brotli: bool = False) -> None:
    """Raise MissingExtraException when the `live` extra is missing for this use."""
    error = live_extra_error(sync, need_brotli)
    if error is not None:
        raise error


def check_client(client: object, sync: bool) -> None:
    """The right flavour of client (a user may pass an AsyncClient to LiveConnection)."""
    from .._client import AsyncClient, Client

    want = Client if sync else AsyncClient
    if not isinstance(client, want):
        raise ArgsException(
            f"client: expected a {want.__name__}, got {type(client).__name__} "
            "(the Async* classes take an AsyncClient, the others a Client)",
            argument="client",
        )


def live_session(
    client: BaseClient,
    room_id: int,
    *,
    heartbeat_interval: float,
    heartbeat_timeout: float | None,
    reconnect: bool,
    max_retries: int,
    backoff: tuple[float, float],
    protover: int,
    hosts: Sequence[str] | None,
    open_timeout: float,
    max_queue: int,
    web_heartbeat: float | None,
    sync: bool,
) -> tuple[Session, LiveRoomProtocol]:
    """Validate everything before any I/O; the session and its protocol."""
    check_client(client, sync)
    if isinstance(room_id, bool) or not isinstance(room_id, int) or room_id <= 0:
        raise ArgsException(f"room_id: expected a positive int, got {room_id!r}", "room_id")
    if protover not in (2, 3) or isinstance(protover, bool):
        raise ArgsException(
            f"protover: expected 3 (brotli) or 2 (zlib), got {protover!r}", "protover"
        )
    if hosts is not None:
        if isinstance(hosts, str) or not all(
            isinstance(h, str) and h.startswith(("ws://", "wss://")) for h in hosts
        ):
            raise ArgsException(
                "hosts: expected a list of ws:// or wss:// URLs like "
                f"['wss://broadcastlv.chat.bilibili.com/sub'], or None; got {hosts!r}",
                "hosts",
            )
        if not hosts:
            raise ArgsException(
                "hosts: expected at least one ws:// or wss:// URL, or None; got an empty list",
                "hosts",
            )
    if web_heartbeat is not None and (
        isinstance(web_heartbeat, bool)
        or not isinstance(web_heartbeat, (int, float))
        or web_heartbeat <= 0
    ):
        raise ArgsException(
            f"web_heartbeat: expected seconds > 0 or None, got {web_heartbeat!r}", "web_heartbeat"
        )
    opts = Options.build(
        heartbeat_interval=heartbeat_interval,
        heartbeat_timeout=heartbeat_timeout,
        reconnect=reconnect,
        max_retries=max_retries,
        backoff=backoff,
        open_timeout=open_timeout,
        max_queue=max_queue,
    )
    require_live_extra(sync, need_brotli=protover == 3)
    # Only the options and the buvid the client's requests carry: no other client state.
    state = client._auth_context.state
    protocol = LiveRoomProtocol(
        room_id,
        credential=client.options.credential,
        buvid=lambda: state.buvid3,
        protover=protover,
        hosts=hosts,
        web_heartbeat=float(web_heartbeat) if web_heartbeat is not None else None,
    )
    return Session(protocol, opts), protocol
