"""A small publish/subscribe emitter, and the request log built on it."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["AsyncEvent", "RequestLog", "request_log"]

Handler = Callable[..., Any]


class AsyncEvent:
    """Handlers by event name (case-insensitive); every dispatch is mirrored to `__ALL__`.

    Sync handlers run at once; coroutine handlers become tasks on the running loop (or run
    to completion when no loop runs). A failing handler is reported as `__TASK_EXCEPTION__`
    and never breaks the dispatcher.
    """

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        self._ignored: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()

    def add_event_listener(self, name: str, handler: Handler) -> None:
        self._handlers.setdefault(name.upper(), []).append(handler)

    def on(self, name: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            self.add_event_listener(name, fn)
            return fn

        return deco

    def remove_event_listener(self, name: str, handler: Handler) -> bool:
        lst = self._handlers.get(name.upper(), [])
        if handler in lst:
            lst.remove(handler)
            return True
        return False

    def remove_all_event_listener(self) -> None:
        self._handlers.clear()

    def ignore_event(self, name: str) -> None:
        self._ignored.add(name.upper())

    def remove_ignore_events(self) -> None:
        self._ignored.clear()

    def get_event_names(self) -> list[str]:
        return list(self._handlers)

    def dispatch(self, name: str, *args: Any, **kwargs: Any) -> None:
        name = name.upper()
        if name in self._ignored:
            return
        for h in list(self._handlers.get(name, ())):
            self._run(h, name, args, kwargs)
        if name not in ("__ALL__", "__TASK_EXCEPTION__"):
            for h in list(self._handlers.get("__ALL__", ())):
                self._run(
                    h, "__ALL__", ({"name": name, "data": args[0] if len(args) == 1 else args},), {}
                )

    def _run(self, h: Handler, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        try:
            result = h(*args, **kwargs)
            if inspect.isawaitable(result):
                import asyncio  # only coroutine handlers need it

                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:
                    asyncio.run(_await(result))
                else:
                    task = loop.create_task(_await(result))
                    self._tasks.add(task)
                    task.add_done_callback(self._task_done)
        except Exception as e:
            if name != "__TASK_EXCEPTION__":
                self.dispatch("__TASK_EXCEPTION__", e)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.dispatch("__TASK_EXCEPTION__", task.exception())


async def _await(aw: Any) -> Any:
    return await aw


class RequestLog(AsyncEvent):
    """Request and response events of every catalogue call (`API_REQUEST`, `API_RESPONSE`).

    Off by default. Payloads are redacted: cookies, csrf and tokens never appear.
    """

    def __init__(self) -> None:
        super().__init__()
        self._on = False
        self._on_events: set[str] | None = None
        self._ignore: set[str] = set()
        self.logger = logging.getLogger("bilibili_sdk.request")

    def set_on(self, on: bool) -> None:
        self._on = bool(on)

    def get_on(self) -> bool:
        return self._on

    def set_on_events(self, events: list[str]) -> None:
        self._on_events = {e.upper() for e in events}

    def set_ignore_events(self, events: list[str]) -> None:
        self._ignore = {e.upper() for e in events}

    def enabled_for(self, name: str) -> bool:
        if not self._on or name in self._ignore:
            return False
        return self._on_events is None or name in self._on_events

    def emit(self, name: str, data: dict[str, Any]) -> None:
        if not self.enabled_for(name):
            return
        self.logger.info("%s %s", name, data)
        self.dispatch(name, data)


request_log = RequestLog()
