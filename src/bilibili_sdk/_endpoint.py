"""What a generated method hands to the runtime: an endpoint description and one call of it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from types import GenericAlias, ModuleType
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")

BILIBILI_DOMAINS = (
    "bilibili.com",
    "bilibili.cn",
    "biligame.com",
    "bilivideo.com",
    "bilivideo.cn",
    "hdslb.com",
    "biliapi.com",
    "biliapi.net",
    "b23.tv",
)
"""Bilibili's own domains: they and their subdomains get the credential. The one list."""
BILIBILI_SUFFIXES = tuple(f".{d}" for d in BILIBILI_DOMAINS)


def is_bilibili_host(host: str) -> bool:
    """True for Bilibili's own hosts, the only remote ones that ever receive cookies."""
    host = host.lower().rstrip(".")
    return host in BILIBILI_DOMAINS or host.endswith(BILIBILI_SUFFIXES)


def is_loopback_host(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: this machine (the mock, a local proxy)."""
    host = host.lower().rstrip(".").strip("[]")
    if host == "localhost":
        return True
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Endpoint(Generic[T]):
    """Static facts about one catalogue endpoint (generated once per endpoint)."""

    __slots__ = (
        "_adapter",
        "_decoder",
        "_model",
        "_model_ref",
        "auth",
        "csrf",
        "decoder",
        "envelope",
        "fixed",
        "host",
        "method",
        "name",
        "path",
        "raises",
        "sign",
        "url",
    )

    def __init__(
        self,
        name: str,
        method: str,
        url: str,
        *,
        sign: str = "none",
        auth: str = "none",
        csrf: bool | str = False,
        envelope: str = "data",
        model: Any = None,
        model_ref: Callable[[], Any] | None = None,
        raises: Mapping[int, str] | None = None,
        fixed: Mapping[str, Any] | None = None,
        decoder: str | None = None,
    ) -> None:
        self.name = name
        self.method = method
        self.url = url
        parts = urlsplit(url)
        self.host = parts.hostname or ""
        self.path = parts.path
        self.sign = sign
        self.auth = auth
        self.csrf = csrf  # True, False, or "query" (in the query even for a POST)
        self.envelope = envelope
        # The response type, or a function importing it on first use: a namespace's models
        # are built only when one of its calls is first validated.
        self._model = model
        self._model_ref = model_ref
        self.raises = dict(raises or {})
        # Constant parameters: they tell apart endpoints that share a URL (mock routing).
        self.fixed = dict(fixed or {})
        self._adapter: Any = None
        # A body that is not a JSON envelope: "bytes", "text" or "module:function", resolved
        # on first use so that importing the namespace does not import the decoder.
        self.decoder = decoder
        self._decoder: Any = None

    def __repr__(self) -> str:
        return f"<Endpoint {self.name} {self.method} {self.host}{self.path}>"

    @property
    def model(self) -> Any:
        """The response type (None: the call returns None)."""
        if self._model_ref is not None:
            self._model = self._model_ref()
            self._model_ref = None
        return self._model

    def decode_body(self, content: bytes, text: str) -> Any:
        """Turn a non-JSON body into this endpoint's result."""
        if self.decoder == "bytes":
            return content
        if self.decoder == "text":
            return text
        fn = self._decoder
        if fn is None:
            import importlib

            module, _, name = (self.decoder or "").partition(":")
            fn = self._decoder = getattr(importlib.import_module(module), name)
        return fn(content)

    @property
    def label(self) -> str:
        """`video.get_info GET api.bilibili.com/x/web-interface/view`, for messages."""
        return f"{self.name} {self.method} {self.host}{self.path}"


def models(module: str) -> ModuleType:
    """`bilibili_sdk.models.<module>`, imported on first use by generated endpoints."""
    return importlib.import_module(f"bilibili_sdk.models.{module}")


def list_of(item: Any) -> Any:
    """`list[item]` for an item type known only at run time."""
    return GenericAlias(list, (item,))


def module(name: str) -> ModuleType:
    """A hand-written module (a body decoder's types), imported on first use."""
    return importlib.import_module(name)


class Call(Generic[T]):
    """One checked call of an endpoint: its parameters by location, ready to encode."""

    __slots__ = ("endpoint", "files", "form", "json", "path", "query")

    def __init__(
        self,
        endpoint: Endpoint[T],
        query: dict[str, Any] | None = None,
        form: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        path: dict[str, Any] | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.query = query if query is not None else {}
        self.form = form
        self.json = json
        self.path = path
        # Multipart file fields (name -> (file name, bytes, MIME type)); the form goes along.
        self.files = files

    def __repr__(self) -> str:
        # Parameter values stay out of reprs: they may carry tokens.
        return f"<Call {self.endpoint.name}>"


class Pager:
    """How an `iter_*` method walks the pages of an endpoint."""

    __slots__ = ("has_more", "items", "next", "style", "total")

    def __init__(
        self,
        style: str,
        *,
        items: tuple[str, ...],
        total: tuple[str, ...] | None = None,
        has_more: tuple[str, ...] | None = None,
        next: tuple[str, ...] | None = None,
    ) -> None:
        self.style = style
        self.items = items
        self.total = total
        self.has_more = has_more
        self.next = next


def dig(obj: Any, path: tuple[str, ...] | None) -> Any:
    """Follow an attribute path through models (or dict keys); None when it breaks."""
    if path is None:
        return None
    for part in path:
        if obj is None:
            return None
        obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
    return obj
