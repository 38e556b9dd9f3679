"""Raw responses (`with_raw_response`) and the strict-mode presence check."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import httpx

if TYPE_CHECKING:
    from ._base_client import BaseClient
    from ._endpoint import Call

T = TypeVar("T")

__all__ = ["RawResponse"]


class RawResponse(Generic[T]):
    """An HTTP response as Bilibili sent it, with the typed result one `parse()` away.

    Returned by `client.<namespace>.with_raw_response.<method>(...)` in both flavours (the
    body is already read, so nothing here does I/O). A non-zero envelope `code` or a
    payload that does not fit the model raises from `parse()`, not before: the raw body
    stays reachable whatever Bilibili answered.
    """

    __slots__ = ("_call", "_client", "_error", "_parsed", "_payload", "http_response")

    def __init__(
        self,
        client: BaseClient,
        call: Call[T],
        response: httpx.Response,
        payload: Any = None,
        error: Exception | None = None,
    ) -> None:
        self.http_response = response
        """The `httpx.Response` itself."""
        self._client = client
        self._call = call
        self._payload = payload
        self._error = error
        self._parsed: Any = _UNPARSED

    @property
    def status_code(self) -> int:
        """The HTTP status (Bilibili answers most errors with 200 and a non-zero `code`)."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The body, as bytes."""
        return self.http_response.content

    @property
    def text(self) -> str:
        """The body, as text."""
        return self.http_response.text

    @property
    def endpoint(self) -> str:
        """`video.get_info`: the catalogue name of the call."""
        return self._call.endpoint.name

    def json(self) -> Any:
        """The whole JSON body (envelope included), unvalidated."""
        return json.loads(self.http_response.content)

    def parse(self) -> T:
        """The typed result, exactly what the plain method returns (or raises)."""
        if self._error is not None:
            raise self._error
        if self._parsed is _UNPARSED:
            ep = self._call.endpoint
            self._parsed = (
                self._payload
                if ep.decoder is not None
                else self._client._validate(ep, self._payload)
            )
        return self._parsed  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<RawResponse {self.endpoint} HTTP {self.status_code}>"


_UNPARSED = object()


def missing_fields(obj: Any, path: str = "") -> list[str]:
    """Paths of fields that strict mode wants but the response left out.

    Lenient models give absent fields their zero value; strict mode validates the same way
    and then reports every field that was filled in that way (optional fields excepted).
    """
    from pydantic import BaseModel

    out: list[str] = []
    if isinstance(obj, BaseModel):
        cls = type(obj)
        fields = cls.model_fields
        absent = _defaulted(cls) - obj.model_fields_set
        for name in sorted(absent):
            out.append(f"{path}{fields[name].alias or name}")
        for name in fields:
            if name not in absent:
                alias = fields[name].alias or name
                out += missing_fields(getattr(obj, name), f"{path}{alias}.")
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            out += missing_fields(item, f"{path}{i}.")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            out += missing_fields(v, f"{path}{k}.")
    return out


_DEFAULTED: dict[type, frozenset[str]] = {}


def _defaulted(cls: type[Any]) -> frozenset[str]:
    """Fields of a model that get a lenient (non-None) default when absent."""
    got = _DEFAULTED.get(cls)
    if got is None:
        from pydantic_core import PydanticUndefined

        got = _DEFAULTED[cls] = frozenset(
            name
            for name, f in cls.model_fields.items()
            if f.default_factory is not None
            or (f.default is not PydanticUndefined and f.default is not None)
        )
    return got
