"""Client and AsyncClient: they own only sending, sleeping and closing."""

from __future__ import annotations

import contextvars
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

import httpx

from . import _interrupt
from ._base_client import BaseClient, PageState
from ._credential import Credential
from ._deadline import CALL_DEADLINE, DeadlineStream
from ._endpoint import Call, Pager
from ._exceptions import (
    ApiException,
    NetworkTimeoutException,
    NotLoggedInException,
    ResponseException,
)
from ._response import RawResponse
from ._settings import ClientOptions
from .resources._namespaces import AsyncNamespaces, SyncNamespaces

if TYPE_CHECKING:
    from ._auth import Lookup
    from .links import ParsedLink

__all__ = ["AsyncClient", "Client"]

T = TypeVar("T")
# How long `aclose` lets a buvid activation in flight finish before cancelling it.
ACTIVATION_GRACE = 2.0


class Client(BaseClient, SyncNamespaces):
    """Synchronous client: `Client().video.get_info("BV1uv411q7Mv")`.

    Args:
        credential: login cookies; without one, only public data is reachable.
        timeout: seconds (or an `httpx.Timeout`) per request; default from `request_settings`.
        deadline: seconds for a whole call, retries and lookups included; default 3 times
            the read timeout, `math.inf` for none. Past it: `NetworkTimeoutException`.
        max_retries: retries of failures that are safe to repeat (never a non-GET that may
            have reached the server).
        proxy, verify, trust_env: passed to the httpx client we create.
        default_headers: merged over the built-in User-Agent and Referer.
        http_client: an `httpx.Client` to use as is; it is never closed by us.
        transport: an httpx transport for the client we create (e.g. the mock Bilibili).
        base_urls: host -> base URL overrides (`{"api.bilibili.com": "http://127.0.0.1:8000"}`,
            `{"*": ...}` for every host, the original host then being the first path segment).
        trusted_hosts: hosts besides Bilibili's and loopback that may get the credential
            (cookies, csrf); anywhere else a call needing it raises `UntrustedHostException`
            and other calls go without it.
        wbi_retry_times: key refreshes after a rejected WBI signature before giving up.
        strict: validate responses without the lenient defaults.
        auto_refresh: refresh the credential's cookies when Bilibili asks for it (checked
            at most once a day, before a logged-in call); see `Credential.refresh`.

    The options end up in `client.options` (a `ClientOptions`); `with_options` derives copies.
    """

    def __init__(
        self,
        credential: Credential | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
        proxy: str | None = None,
        verify: bool | None = None,
        trust_env: bool | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        base_urls: Mapping[str, str] | None = None,
        trusted_hosts: Iterable[str] | None = None,
        wbi_retry_times: int | None = None,
        strict: bool = False,
        auto_refresh: bool = False,
    ) -> None:
        super().__init__(
            ClientOptions.build(
                credential,
                timeout=timeout,
                deadline=deadline,
                max_retries=max_retries,
                proxy=proxy,
                verify=verify,
                trust_env=trust_env,
                default_headers=default_headers,
                base_urls=base_urls,
                trusted_hosts=trusted_hosts,
                wbi_retry_times=wbi_retry_times,
                strict=strict,
                auto_refresh=auto_refresh,
            )
        )
        self._http = self._init_http(httpx.Client, http_client, transport)
        if http_client is None and transport is None:
            # Pools httpx made for us: a sync live connection's close() can interrupt its
            # lookups, and every socket operation is bounded by the call's deadline (the
            # deadline wraps the interruptible backend, so both see every operation).
            _interrupt.install(self._http)
            from ._deadline import install

            install(self._http)

    # -- lifetime
    def close(self) -> None:
        """Close the connection pool (unless it was injected or borrowed)."""
        self._closed = True
        if self._owns_state:  # first: a buvid activation in flight still has the pool
            self._auth_context.state.close()
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Client credential={self.credential!r}>"

    # -- links
    def get_real_url(self, url: str, *, max_hops: int = 5) -> str:
        """Where a b23.tv share link leads; a Bilibili page URL comes back unchanged.

        Redirects are followed one at a time and only on Bilibili's hosts: a share link
        that leads elsewhere raises `ResponseException` without fetching it. No cookies
        are sent.

        Args:
            url: the share link (`https://b23.tv/abc123`), with or without the scheme.
            max_hops: redirects to follow at most before giving up.
        """
        from ._links_net import get_real_url

        return get_real_url(self, url, max_hops)

    def parse_link(self, url: str) -> ParsedLink | None:
        """`bilibili_sdk.parse_link`, plus what needs the network: b23.tv share links
        are resolved, and a video link is checked with `video.get_info` (an interactive
        video gives `INTERACTIVE_VIDEO`, a bangumi episode `EPISODE`).

        Args:
            url: any link or bare id `bilibili_sdk.parse_link` takes, or a share link.
        """
        from ._links_net import resolve

        return resolve(self, url)

    # -- the call
    def _request(self, call: Call[T]) -> T:
        return cast("T", self._send(call, False))

    def _request_raw(self, call: Call[T]) -> RawResponse[T]:
        return cast("RawResponse[T]", self._send(call, True))

    def _send(self, call: Call[T], raw: bool) -> Any:
        if self._closed or self._http.is_closed:
            raise ApiException("the client is closed")
        if self.options.auto_refresh:
            from ._refresh import maybe_refresh

            maybe_refresh(self, call)
        deadline = self._deadline_at()
        token = CALL_DEADLINE.set(deadline)  # read by the socket operations of our pools
        try:
            return self._attempts(call, raw, deadline)
        finally:
            CALL_DEADLINE.reset(token)

    def _attempts(self, call: Call[T], raw: bool, deadline: float | None) -> Any:
        attempt = wbi_attempt = 0
        while True:
            request, auth = self._build(call)
            response = None
            try:
                needs = auth.pending(request)
                if needs:
                    self._prepare(needs, call, deadline)
                if self._auth_context.activation_due():
                    self._activate_soon(call)
                auth.finish(request)
                self._log_request(call, request)
                if deadline is not None:
                    self._cap_timeouts(request, deadline, call)
                started = time.perf_counter()
                response = self._http.send(request, auth=auth, stream=True)
                self._read(response, deadline)
                self._log_response(call, response, started)
                if raw:
                    return RawResponse(self, call, response, self._decode(call, response, False))
                return self._decode(call, response)
            except httpx.TransportError as e:
                if self._past(deadline):
                    raise self._deadline_error(call) from e
                delay = self._retry_delay(call, e, attempt, None, deadline)
                if delay is None or _interrupt.cancelled():  # interrupted: do not retry
                    raise self._network_error(call, e) from e
            except (ResponseException, ApiException) as e:
                if self._wbi_rejected(call, e, auth, wbi_attempt):
                    wbi_attempt += 1
                    continue
                delay = self._retry_delay(call, e, attempt, response, deadline)
                if delay is None or _interrupt.cancelled():
                    if raw and response is not None:
                        return RawResponse(self, call, response, error=e)
                    raise
            attempt += 1
            _interrupt.sleep(delay)

    @staticmethod
    def _read(response: httpx.Response, deadline: float | None) -> None:
        """Read a streamed body, stopping when the deadline passes between two chunks."""
        if deadline is not None:
            response.stream = DeadlineStream(response.stream, deadline, response.request)
        try:
            response.read()
        except BaseException:
            response.close()
            raise

    def _prepare(self, needs: list[Lookup], call: Call[Any], deadline: float | None) -> None:
        """Fetch the missing lookups side by side: one here, the others on the lookup threads
        (httpx.Client is thread-safe), so a cold call waits one round trip for them all."""
        if len(needs) == 1:
            self._fetch(needs[0], call, deadline)
            return
        pool = self._auth_context.state.executor()
        futures = [
            pool.submit(contextvars.copy_context().run, self._fetch, need, call, deadline)
            for need in needs[1:]
        ]
        from concurrent.futures import TimeoutError as FutureTimeout  # loaded by executor()

        error: BaseException | None = None
        try:
            self._fetch(needs[0], call, deadline)
        except BaseException as e:  # wait for the others before raising: they store state
            error = e
        for future in futures:
            try:
                future.result(None if deadline is None else max(0.0, deadline - time.monotonic()))
            except FutureTimeout:
                error = error or self._deadline_error(call)
            except BaseException as e:
                error = error or e
        if error is not None:
            raise error

    def _activate_soon(self, call: Call[Any]) -> None:
        """Send the buvid activation on a lookup thread, beside the call (never waited for)."""
        request = self._auth_context.activation.claim()
        if request is not None:
            self._auth_context.state.executor().submit(self._activate, request, call)

    def _activate(self, request: httpx.Request, call: Call[Any]) -> None:
        need = self._auth_context.activation
        try:
            response = self._http.send(request, auth=None)
        except Exception as e:  # a background thread: nothing may escape
            if self._http.is_closed:  # a borrowed pool closed under it: not Bilibili's fault
                need.release()
            else:
                need.failed(e, call)
            return
        need.complete(response, call)

    def _fetch(self, need: Lookup, call: Call[Any], deadline: float | None) -> None:
        """One lookup, single-flight: the first caller fetches, the others find it done.

        A best-effort lookup gets one read timeout at most, then the call goes without it.
        """
        wait = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
        if not need.lock.acquire(timeout=wait):
            raise self._deadline_error(call)  # another call's lookup outlived our deadline
        try:
            if not need.missing():
                return
            budget = self._lookup_budget(need, deadline)
            token = CALL_DEADLINE.set(budget)
            try:
                request = need.request()
                if budget is not None:
                    self._cap_timeouts(request, budget, call)
                response = self._http.send(request, auth=None, stream=True)
                self._read(response, budget)
            except (httpx.HTTPError, NetworkTimeoutException) as e:
                if self._past(deadline):
                    raise self._deadline_error(call) from e
                need.failed(e, call)
                return
            finally:
                CALL_DEADLINE.reset(token)
            need.complete(response, call)
        finally:
            need.lock.release()

    def _paginate(
        self, pager: Pager, make: Callable[[Any], Call[Any]], start: Any, limit: int | None
    ) -> Iterator[Any]:
        state = PageState(pager, start, limit)

        def gen() -> Iterator[Any]:
            while not state.done:
                yield from state.feed(self._request(make(state.position)))

        return gen()

    def _nav_is_login(self) -> bool:
        try:
            data = self._request(self._nav_request())
        except NotLoggedInException:
            return False
        return bool(isinstance(data, dict) and data.get("isLogin"))


class AsyncClient(BaseClient, AsyncNamespaces):
    """Asynchronous client: `await AsyncClient().video.get_info("BV1uv411q7Mv")`.

    Takes the same options as `Client`, with an `httpx.AsyncClient` / async transport.
    """

    def __init__(
        self,
        credential: Credential | None = None,
        *,
        timeout: float | httpx.Timeout | None = None,
        deadline: float | None = None,
        max_retries: int | None = None,
        proxy: str | None = None,
        verify: bool | None = None,
        trust_env: bool | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        base_urls: Mapping[str, str] | None = None,
        trusted_hosts: Iterable[str] | None = None,
        wbi_retry_times: int | None = None,
        strict: bool = False,
        auto_refresh: bool = False,
    ) -> None:
        super().__init__(
            ClientOptions.build(
                credential,
                timeout=timeout,
                deadline=deadline,
                max_retries=max_retries,
                proxy=proxy,
                verify=verify,
                trust_env=trust_env,
                default_headers=default_headers,
                base_urls=base_urls,
                trusted_hosts=trusted_hosts,
                wbi_retry_times=wbi_retry_times,
                strict=strict,
                auto_refresh=auto_refresh,
            )
        )
        self._http = self._init_http(httpx.AsyncClient, http_client, transport)

    async def aclose(self) -> None:
        """Close the connection pool (unless it was injected or borrowed)."""
        self._closed = True
        if self._background:  # a buvid activation in flight: let it end, briefly
            import asyncio

            _, late = await asyncio.wait(set(self._background), timeout=ACTIVATION_GRACE)
            for task in late:
                task.cancel()
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncClient credential={self.credential!r}>"

    # -- links
    async def get_real_url(self, url: str, *, max_hops: int = 5) -> str:
        """Where a b23.tv share link leads (see `Client.get_real_url`).

        Args:
            url: the share link (`https://b23.tv/abc123`), with or without the scheme.
            max_hops: redirects to follow at most before giving up.
        """
        from ._links_net import aget_real_url

        return await aget_real_url(self, url, max_hops)

    async def parse_link(self, url: str) -> ParsedLink | None:
        """What a link points at, share links and video probes included (see
        `Client.parse_link`).

        Args:
            url: any link or bare id `bilibili_sdk.parse_link` takes, or a share link.
        """
        from ._links_net import aresolve

        return await aresolve(self, url)

    async def _request(self, call: Call[T]) -> T:
        return cast("T", await self._send(call, False))

    async def _request_raw(self, call: Call[T]) -> RawResponse[T]:
        return cast("RawResponse[T]", await self._send(call, True))

    async def _send(self, call: Call[T], raw: bool) -> Any:
        if self._closed or self._http.is_closed:
            raise ApiException("the client is closed")
        if self.options.auto_refresh:
            from ._refresh import amaybe_refresh

            await amaybe_refresh(self, call)
        deadline = self._deadline_at()
        if deadline is None:
            return await self._attempts(call, raw, None)
        import asyncio  # here: sync users never pay for asyncio

        limit = deadline - time.monotonic()
        try:
            if sys.version_info >= (3, 11):
                async with asyncio.timeout(limit):
                    return await self._attempts(call, raw, deadline)
            return await asyncio.wait_for(self._attempts(call, raw, deadline), limit)
        except asyncio.TimeoutError as e:  # the whole call, lookups and retries included
            raise self._deadline_error(call) from e

    async def _attempts(self, call: Call[T], raw: bool, deadline: float | None) -> Any:
        attempt = wbi_attempt = 0
        while True:
            request, auth = self._build(call)
            response = None
            try:
                needs = auth.pending(request)
                if needs:
                    await self._prepare(needs, call)
                if self._auth_context.activation_due():
                    self._activate_soon(call)
                auth.finish(request)
                self._log_request(call, request)
                started = time.perf_counter()
                response = await self._http.send(request, auth=auth)
                self._log_response(call, response, started)
                if raw:
                    return RawResponse(self, call, response, self._decode(call, response, False))
                return self._decode(call, response)
            except httpx.TransportError as e:
                delay = self._retry_delay(call, e, attempt, None, deadline)
                if delay is None:
                    raise self._network_error(call, e) from e
            except (ResponseException, ApiException) as e:
                if self._wbi_rejected(call, e, auth, wbi_attempt):
                    wbi_attempt += 1
                    continue
                delay = self._retry_delay(call, e, attempt, response, deadline)
                if delay is None:
                    if raw and response is not None:
                        return RawResponse(self, call, response, error=e)
                    raise
            attempt += 1
            import asyncio  # imported on first retry: sync users never pay for asyncio

            await asyncio.sleep(delay)

    async def _prepare(self, needs: list[Lookup], call: Call[Any]) -> None:
        """Fetch the missing lookups side by side; raise (the WBI keys' failure) once all
        are done, so that the best-effort ones have stored what they got."""
        if len(needs) == 1:
            await self._fetch(needs[0], call)
            return
        import asyncio

        results = await asyncio.gather(
            *(self._fetch(need, call) for need in needs), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def _activate_soon(self, call: Call[Any]) -> None:
        """Start the buvid activation as a task beside the call (never waited for)."""
        request = self._auth_context.activation.claim()
        if request is None:
            return
        import asyncio

        task = asyncio.get_running_loop().create_task(self._activate(request, call))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _activate(self, request: httpx.Request, call: Call[Any]) -> None:
        need = self._auth_context.activation
        try:
            response = await self._http.send(request, auth=None)
        except BaseException as e:  # cancelled by aclose, or failed: try again later
            if self._http.is_closed or not isinstance(e, Exception):
                need.release()
                if not isinstance(e, Exception):
                    raise
            else:
                need.failed(e, call)
            return
        need.complete(response, call)

    async def _fetch(self, need: Lookup, call: Call[Any]) -> None:
        """One lookup, single-flight: the first caller fetches, the others find it done.

        A best-effort lookup gets one read timeout at most, then the call goes without it;
        the call's own deadline bounds all of this from `_send`.
        """
        import asyncio

        async with need.alock():
            if not need.missing():
                return
            budget = self._lookup_budget(need, None)
            try:
                if budget is None:
                    response = await self._http.send(need.request(), auth=None)
                else:
                    response = await asyncio.wait_for(
                        self._http.send(need.request(), auth=None), budget - time.monotonic()
                    )
            except (httpx.HTTPError, asyncio.TimeoutError) as e:
                need.failed(e, call)
                return
            need.complete(response, call)

    def _paginate(
        self, pager: Pager, make: Callable[[Any], Call[Any]], start: Any, limit: int | None
    ) -> AsyncIterator[Any]:
        state = PageState(pager, start, limit)

        async def gen() -> AsyncIterator[Any]:
            while not state.done:
                for item in state.feed(await self._request(make(state.position))):
                    yield item

        return gen()

    async def _nav_is_login(self) -> bool:
        try:
            data = await self._request(self._nav_request())
        except NotLoggedInException:
            return False
        return bool(isinstance(data, dict) and data.get("isLogin"))
