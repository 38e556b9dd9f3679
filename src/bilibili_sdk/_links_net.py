"""The network half of link parsing: share links (b23.tv) and videos that are not plain.

`Client.get_real_url` / `parse_link` and their async twins call these. Redirects are
followed by hand, one hop at a time, so that no request ever leaves Bilibili's hosts: a
short link that points elsewhere raises instead of being fetched.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import httpx

from ._endpoint import is_bilibili_host
from ._exceptions import ArgsException, NetworkException, ResponseCodeException, ResponseException
from .links import SHORT_LINK_HOSTS, ParsedLink, ResourceType, parse_link

if TYPE_CHECKING:
    from ._client import AsyncClient, Client

MAX_HOPS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _start(url: str, max_hops: int) -> str:
    """The absolute URL to begin with; ArgsException before any I/O for a bad one."""
    if not isinstance(url, str):
        raise ArgsException(f"url: expected a str, got {type(url).__name__}", argument="url")
    if isinstance(max_hops, bool) or not isinstance(max_hops, int) or max_hops < 1:
        raise ArgsException(
            f"max_hops: expected a positive int, got {max_hops!r}", argument="max_hops"
        )
    text = url.strip()
    if "://" not in text:
        text = "https:" + text if text.startswith("//") else "https://" + text
    if urlsplit(text).scheme.lower() not in ("http", "https"):
        raise ArgsException(f"url: not an http(s) link: {url[:80]!r}", argument="url")
    host = _host(text)
    if host not in SHORT_LINK_HOSTS and not is_bilibili_host(host):
        raise ArgsException(f"url: not a Bilibili link (host {host!r})", argument="url")
    return text


def _hops(url: str, max_hops: int) -> Generator[httpx.Request, httpx.Response, str]:
    """Yields each request to send and receives its response; returns the final URL.

    Only short-link hosts are fetched: a redirect to a Bilibili page ends the walk there
    (the page itself need not be loaded), anywhere else raises.
    """
    current = _start(url, max_hops)
    for _ in range(max_hops):
        if _host(current) not in SHORT_LINK_HOSTS:
            return current
        response = yield httpx.Request("GET", current)
        if response.status_code not in _REDIRECTS or "location" not in response.headers:
            raise ResponseException(
                f"get_real_url: {_host(current)} answered HTTP {response.status_code} "
                "instead of a redirect (an expired or unknown share link?)",
                status=response.status_code,
            )
        nxt = urljoin(current, response.headers["location"])
        host = _host(nxt)
        if urlsplit(nxt).scheme.lower() not in ("http", "https") or not (
            host in SHORT_LINK_HOSTS or is_bilibili_host(host)
        ):
            raise ResponseException(
                f"get_real_url: the share link leads off Bilibili (to {host or nxt[:40]!r}); "
                "not followed",
                status=response.status_code,
            )
        current = nxt
    if _host(current) in SHORT_LINK_HOSTS:
        raise ResponseException(f"get_real_url: still a short link after {max_hops} redirects")
    return current


def _mapped(client: Client | AsyncClient, request: httpx.Request) -> httpx.Request:
    """The request through the client's `base_urls` (the mock) with its headers; no cookies."""
    return client._auth_context.request(request.method, str(request.url))


def get_real_url(client: Client, url: str, max_hops: int = MAX_HOPS) -> str:
    walk = _hops(url, max_hops)
    try:
        request = next(walk)
        while True:
            try:
                response = client._http.send(_mapped(client, request))
                response.close()
            except httpx.HTTPError as e:
                raise NetworkException(f"get_real_url: {type(e).__name__}") from e
            request = walk.send(response)
    except StopIteration as done:
        return str(done.value)


async def aget_real_url(client: AsyncClient, url: str, max_hops: int = MAX_HOPS) -> str:
    walk = _hops(url, max_hops)
    try:
        request = next(walk)
        while True:
            try:
                response = await client._http.send(_mapped(client, request))
                await response.aclose()
            except httpx.HTTPError as e:
                raise NetworkException(f"get_real_url: {type(e).__name__}") from e
            request = walk.send(response)
    except StopIteration as done:
        return str(done.value)


def _is_short(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    text = url.strip()
    return _host(text if "://" in text else "https://" + text.lstrip("/")) in SHORT_LINK_HOSTS


def _refine(link: ParsedLink, info: Any) -> ParsedLink:
    """A video link made precise by the video's information: interactive, or an episode."""
    redirect = getattr(info, "redirect_url", None) or ""
    if "/bangumi/play/ep" in redirect:
        episode = parse_link(redirect)
        if episode is not None and episode.type is ResourceType.EPISODE:
            return episode
    rights = getattr(info, "rights", None)
    if rights is not None and getattr(rights, "is_stein_gate", None):
        return ParsedLink(
            ResourceType.INTERACTIVE_VIDEO, link.id, link.id_name, page=link.page, time=link.time
        )
    return link


def resolve(client: Client, url: str) -> ParsedLink | None:
    if _is_short(url):
        url = get_real_url(client, url)
    link = parse_link(url)
    if link is None or link.type is not ResourceType.VIDEO:
        return link
    try:
        info = client.video.get_info(str(link.id))
    except ResponseCodeException:  # deleted, hidden...: still a video link
        return link
    return _refine(link, info)


async def aresolve(client: AsyncClient, url: str) -> ParsedLink | None:
    if _is_short(url):
        url = await aget_real_url(client, url)
    link = parse_link(url)
    if link is None or link.type is not ResourceType.VIDEO:
        return link
    try:
        info = await client.video.get_info(str(link.id))
    except ResponseCodeException:
        return link
    return _refine(link, info)
