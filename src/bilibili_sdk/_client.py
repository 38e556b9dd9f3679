"""Client and AsyncClient: they own only sending, sleeping and closing."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from types import TracebackType
from typing import Any, TypeVar, cast

import httpx

from ._base_client import BaseClient, PageState
from ._credential import Credential
from ._endpoint import Call, Pager
from ._exceptions import ApiException, NotLoggedInException, ResponseException
from ._response import RawResponse
from ._settings import ClientOptions
from .resources._namespaces import AsyncNamespaces, SyncNamespaces

__all__ = ["AsyncClient", "Client"]

T = TypeVar("T")


class Client(BaseClient, SyncNamespaces):
    """Synchronous client: `Client().video.get_info("BV1uv411q7Mv")`.

    Args:
        credential: login cookies; without one, only public data is reachable.
        timeout: seconds (or an `httpx.Timeout`) per request; default from `request_settings`.
        max_retries: retries of failures that are safe to repeat (never a non-GET that may
            have reached the server).
        proxy, verify, trust_env: passed to the httpx client we create.
        default_headers: merged over the built-in User-Agent and Referer.
        http_client: an `httpx.Client` to use as is; it is never closed by us.
        transport: an httpx transport for the client we create (e.g. the mock Bilibili).
        base_urls: host -> base URL overrides (`{"api.bilibili.com": "http://127.0.0.1:8000"}`,
            `{"*": ...}` for every host, the original host then being the first path segment).
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
        max_retries: int | None = None,
        proxy: str | None = None,
        verify: bool | None = None,
        trust_env: bool | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        base_urls: Mapping[str, str] | None = None,
        wbi_retry_times: int | None = None,
        strict: bool = False,
        auto_refresh: bool = False,
    ) -> None:
        super().__init__(
            ClientOptions.build(
                credential,
                timeout=timeout,
                max_retries=max_retries,
                proxy=proxy,
                verify=verify,
                trust_env=trust_env,
                default_headers=default_headers,
                base_urls=base_urls,
                wbi_retry_times=wbi_retry_times,
                strict=strict,
                auto_refresh=auto_refresh,
            )
        )
        self._http = self._init_http(httpx.Client, http_client, transport)

    # -- lifetime
    def close(self) -> None:
        """Close the connection pool (unless it was injected or borrowed)."""
        self._closed = True
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
        attempt = wbi_attempt = 0
        while True:
            request, auth = self._build(call)
            self._log_request(call, request)
            started = time.perf_counter()
            response = None
            try:
                response = self._http.send(request, auth=auth)
                self._log_response(call, response, started)
                if raw:
                    return RawResponse(self, call, response, self._decode(call, response, False))
                return self._decode(call, response)
            except httpx.TransportError as e:
                delay = self._retry_delay(call, e, attempt, None)
                if delay is None:
                    raise self._network_error(call, e) from e
            except (ResponseException, ApiException) as e:
                if self._wbi_rejected(call, e, auth, wbi_attempt):
                    wbi_attempt += 1
                    continue
                delay = self._retry_delay(call, e, attempt, response)
                if delay is None:
                    if raw and response is not None:
                        return RawResponse(self, call, response, error=e)
                    raise
            attempt += 1
            time.sleep(delay)

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
        max_retries: int | None = None,
        proxy: str | None = None,
        verify: bool | None = None,
        trust_env: bool | None = None,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        base_urls: Mapping[str, str] | None = None,
        wbi_retry_times: int | None = None,
        strict: bool = False,
        auto_refresh: bool = False,
    ) -> None:
        super().__init__(
            ClientOptions.build(
                credential,
                timeout=timeout,
                max_retries=max_retries,
                proxy=proxy,
                verify=verify,
                trust_env=trust_env,
                default_headers=default_headers,
                base_urls=base_urls,
                wbi_retry_times=wbi_retry_times,
                strict=strict,
                auto_refresh=auto_refresh,
            )
        )
        self._http = self._init_http(httpx.AsyncClient, http_client, transport)

    async def aclose(self) -> None:
        """Close the connection pool (unless it was injected or borrowed)."""
        self._closed = True
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
        attempt = wbi_attempt = 0
        while True:
            request, auth = self._build(call)
            self._log_request(call, request)
            started = time.perf_counter()
            response = None
            try:
                response = await self._http.send(request, auth=auth)
                self._log_response(call, response, started)
                if raw:
                    return RawResponse(self, call, response, self._decode(call, response, False))
                return self._decode(call, response)
            except httpx.TransportError as e:
                delay = self._retry_delay(call, e, attempt, None)
                if delay is None:
                    raise self._network_error(call, e) from e
            except (ResponseException, ApiException) as e:
                if self._wbi_rejected(call, e, auth, wbi_attempt):
                    wbi_attempt += 1
                    continue
                delay = self._retry_delay(call, e, attempt, response)
                if delay is None:
                    if raw and response is not None:
                        return RawResponse(self, call, response, error=e)
                    raise
            attempt += 1
            import asyncio  # imported on first retry: sync users never pay for asyncio

            await asyncio.sleep(delay)

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
