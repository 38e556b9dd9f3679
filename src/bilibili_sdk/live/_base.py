"""What the sync and async stream drivers share and that does no I/O: the event emitter,
the consumer buffer's policy, websocket options, lifecycle bookkeeping and the repr."""

from __future__ import annotations

import logging
from collections import deque
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .._events import AsyncEvent, Handler
from .._settings import USER_AGENT
from ._session import (
    AUTHENTICATED,
    CLOSED,
    CONNECTED,
    DISCONNECTED,
    ERROR,
    RECONNECTING,
    Connect,
    ConnectionEvent,
    Session,
)

if TYPE_CHECKING:
    from .._base_client import BaseClient

__all__ = ["MAX_FRAME", "StreamBase", "logger"]

logger = logging.getLogger("bilibili_sdk.live")
E = TypeVar("E")

MAX_FRAME = 16 * 1024 * 1024
"""Largest websocket message accepted (Bilibili's frames are a few KiB)."""
CLOSE_TIMEOUT = 0.5
"""Seconds to wait for the server's half of the closing handshake. Short: close() must
return within a second even when the server (or the network) has stopped answering, and
nothing is lost by not waiting longer (we are done reading)."""
JOIN_TIMEOUT = 10.0
"""Seconds close() waits for the driver to stop (a handler or HTTP call may be running)."""


class StreamBase(AsyncEvent, Generic[E]):
    """Emitter + shared state of one websocket stream (live room or video online count).

    Handlers (`on`, `add_event_listener`, `remove_event_listener`, `ignore_event`) get the
    typed event itself, also under `__ALL__`. A handler that raises is logged and reported
    to `__TASK_EXCEPTION__` handlers; the stream goes on.
    """

    def __init__(self, client: BaseClient, session: Session) -> None:
        self._target_cache: dict[str, list[Handler]] = {}
        super().__init__()
        self._client = client
        self._session = session
        self._buffer: deque[E] = deque(maxlen=session.options.max_queue)
        self._discard = False  # run(): handlers only, nothing is kept for iteration
        self._started = False
        self._closing = False
        self._finished = False
        self._error: BaseException | None = None
        self.dropped_events = 0
        """Events dropped because `max_queue` un-iterated events were already waiting."""
        self.state = "idle"
        """idle, connecting, open, reconnecting or closed."""
        self.url: str | None = None
        """The websocket URL in use (or last used)."""

    # ------------------------------------------------------------ emitter
    def _targets(self, name: str) -> list[Handler]:
        """The handlers of `name`, then those of `__ALL__`; cached per name (this runs for
        every event) until the handlers change."""
        targets = self._target_cache.get(name)
        if targets is None:
            key = name.upper()
            if key in self._ignored:
                targets = []
            else:
                targets = [*self._handlers.get(key, ()), *self._handlers.get("__ALL__", ())]
            self._target_cache[name] = targets
        return targets

    def add_event_listener(self, name: str, handler: Handler) -> None:
        self._target_cache.clear()
        super().add_event_listener(name, handler)

    def remove_event_listener(self, name: str, handler: Handler) -> bool:
        self._target_cache.clear()
        return super().remove_event_listener(name, handler)

    def remove_all_event_listener(self) -> None:
        self._target_cache.clear()
        super().remove_all_event_listener()

    def ignore_event(self, name: str) -> None:
        self._target_cache.clear()
        super().ignore_event(name)

    def remove_ignore_events(self) -> None:
        self._target_cache.clear()
        super().remove_ignore_events()

    def _handler_failed(self, name: str, error: Exception) -> None:
        logger.warning(
            "%s: a %s handler raised %s", self._label, name, type(error).__name__, exc_info=error
        )
        for h in list(self._handlers.get("__TASK_EXCEPTION__", ())):
            try:
                h(error)
            except Exception:
                logger.exception("%s: a __TASK_EXCEPTION__ handler raised", self._label)

    @staticmethod
    def _name(event: Any) -> str:
        """The name an event is dispatched under: its `cmd`, else its class name in
        upper case (a video monitor's `Danmaku` goes to DANMAKU)."""
        cmd = getattr(event, "cmd", None)
        return cmd if isinstance(cmd, str) else type(event).__name__.upper()

    # ------------------------------------------------------------ bookkeeping
    @property
    def _label(self) -> str:
        return self._session.protocol.label

    def _keep(self, event: E) -> bool:
        """Queue an event for iterators; True when the oldest one had to be dropped."""
        if self._discard:
            return False
        dropped = len(self._buffer) == self._buffer.maxlen
        if dropped:
            self.dropped_events += 1
        self._buffer.append(event)
        return dropped

    def _note(self, ev: ConnectionEvent) -> None:
        """Track the state and log a lifecycle notification (never secrets: URLs only)."""
        name = ev.name
        if name == CONNECTED:
            self.url = ev.url
            logger.debug("%s: connected to %s", self._label, ev.url)
        elif name == AUTHENTICATED:
            self.state = "open"
            logger.info("%s: authenticated on %s", self._label, ev.url)
        elif name == DISCONNECTED:
            logger.info("%s: disconnected (%s)", self._label, ev.reason)
        elif name == RECONNECTING:
            self.state = "reconnecting"
            logger.info(
                "%s: reconnecting in %.3g s (attempt %d)", self._label, ev.delay, ev.attempt
            )
        elif name == ERROR:
            logger.warning(
                "%s: %s: %s: %s",
                self._label,
                ev.reason,
                type(ev.error).__name__,
                ev.error,
            )
        elif name == CLOSED:
            self.state = "closed"

    def _final_events(self, error: BaseException | None) -> list[ConnectionEvent]:
        events = []
        if error is not None:
            events.append(ConnectionEvent(ERROR, url=self.url, reason="gave up", error=error))
        reason = "closed" if self._closing else ("failed" if error is not None else "ended")
        events.append(ConnectionEvent(CLOSED, url=self.url, reason=reason, error=error))
        return events

    def _ws_options(self, op: Connect) -> dict[str, Any]:
        """websockets `connect()` keywords: a browser's User-Agent and Origin, the client's
        proxy, no websocket-level pings (Bilibili's heartbeat packets do that job)."""
        from websockets.typing import Origin

        c = self._client.options
        options: dict[str, Any] = {
            "origin": Origin(op.origin),
            "user_agent_header": c.default_headers.get("User-Agent") or USER_AGENT,
            "compression": None,
            "ping_interval": None,
            "open_timeout": op.timeout,
            "close_timeout": CLOSE_TIMEOUT,
            "max_size": MAX_FRAME,
        }
        if not _proxy_supported():  # websockets < 15 has no proxy support (nor env proxies)
            if c.proxy and not op.url.startswith("ws://"):
                logger.warning("%s: websockets < 15 cannot use the client's proxy", self._label)
        elif op.url.startswith("ws://"):
            options["proxy"] = None  # loopback: never through a proxy
        elif c.proxy:
            options["proxy"] = c.proxy
        elif not c.trust_env:
            options["proxy"] = None
        return options

    def _target(self, method: str) -> Any:
        namespace, name = method.split(".", 1)
        return getattr(getattr(self._client, namespace), name)

    @property
    def closed(self) -> bool:
        return self._finished or self._closing

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._label} state={self.state}>"


def _proxy_supported() -> bool:
    from websockets.version import version

    return int(version.split(".")[0]) >= 15
