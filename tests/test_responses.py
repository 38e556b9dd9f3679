"""What every call returns: the model of the response the mock served, with its values.

For each catalogue endpoint, in both flavours, the mock serves a known body (the catalogue's
example, or a recorded real response) and the test checks the returned value against it: the
declared type, and every value of the payload reachable in the model (by field, alias or
`model_extra`), allowing only the documented lenient conversions (null -> empty, 0/1 -> bool,
number -> str). A call returning None, an empty model or a model of the wrong example fails.
"""

from __future__ import annotations

import base64
import enum
import typing
from typing import Any

import pytest
from codegen.loader import Endpoint as SpecEndpoint
from pydantic import BaseModel, TypeAdapter

from bilibili_sdk import AsyncClient, Client, Credential
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._cdn import MockCdn
from bilibili_sdk.testing._login import MockLogin
from bilibili_sdk.testing._upos import MockUpos

from ._corpus import belongs, expected_type, payload_of, recorded
from .conftest import BILI_JCT, SESSDATA
from .test_catalogue import ENDPOINTS, kwargs_for, method_of

_EMPTY = (None, "", 0, False, [], {})


def agree(value: Any, raw: Any, path: str = "") -> list[str]:
    """Where `value` (what the client returned) does not carry `raw` (what was served)."""
    where = path or "<payload>"
    if raw is None:
        # lenient: null becomes an empty list, mapping or model; optional fields stay None
        if value in _EMPTY or isinstance(value, BaseModel):
            return []
        return [f"{where}: served null, got {value!r}"]
    if isinstance(value, BaseModel):
        if not isinstance(raw, dict):
            return [f"{where}: served {type(raw).__name__}, got {type(value).__name__}"]
        fields = type(value).model_fields
        by_wire = {(f.alias or name): name for name, f in fields.items()}
        extra = value.model_extra or {}
        out = []
        for key, sub in raw.items():
            name = by_wire.get(key) or (key if key in fields else None)
            if name is not None:
                out += agree(getattr(value, name), sub, f"{path}.{key}")
            elif key in extra:
                if extra[key] != sub:
                    out.append(f"{path}.{key}: extra {extra[key]!r} != served {sub!r}")
            else:
                out.append(f"{path}.{key}: served, but not in the model")
        return out
    if isinstance(value, (list, tuple)):
        if not isinstance(raw, list) or len(raw) != len(value):
            return [f"{where}: served {raw!r:.80}, got {len(value)} items"]
        return [
            m
            for i, (v, r) in enumerate(zip(value, raw, strict=True))
            for m in agree(v, r, f"{path}[{i}]")
        ]
    if isinstance(value, dict):
        if not isinstance(raw, dict) or set(raw) != {str(k) for k in value}:
            return [f"{where}: keys {sorted(map(str, value))} != served {raw!r:.80}"]
        return [m for k, v in value.items() for m in agree(v, raw[str(k)], f"{path}.{k}")]
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, bool) and not isinstance(raw, bool):
        ok = isinstance(raw, (int, str)) and str(raw).lstrip("-").isdigit()
        return [] if ok and (int(raw) != 0) == value else [f"{where}: {value!r} != {raw!r}"]
    if value == raw or (isinstance(value, str) and not isinstance(raw, str) and value == str(raw)):
        return []
    if isinstance(value, (int, float)) and isinstance(raw, str):
        try:
            if float(raw) == value:
                return []
        except ValueError:
            pass
    return [f"{where}: got {value!r:.80}, served {raw!r:.80}"]


def check_result(ep: SpecEndpoint, result: Any, body: Any) -> None:
    """`result` is what the client made of the served `body`."""
    endpoint = expected_type(ep)
    model = endpoint.model
    if ep.decode:
        assert isinstance(body, dict) and "$raw" in body
        raw = base64.b64decode(body["$raw"])
        expected = endpoint.decode_body(raw, raw.decode("utf-8", "replace"))
        assert result is not None
        assert type(result) is type(expected)
        assert result == expected
        return
    payload = payload_of(ep, body)
    if model is None:
        assert result is None
        return
    if model is Any:
        assert result == payload and type(result) is type(payload)
        return
    if isinstance(model, type):
        assert isinstance(result, model), f"got {type(result).__name__}"
    else:  # list[...] / unions: the result survives re-validation unchanged
        assert TypeAdapter(model).validate_python(result) == result
        origin = typing.get_origin(model)
        if origin is list:
            assert isinstance(result, list)
    problems = agree(result, payload)
    assert not problems, "\n".join(problems[:20])


def _credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


def _served(mock: MockBilibili, ep: SpecEndpoint) -> Any:
    return mock.examples[f"{ep.namespace}.{ep.name}"]


# The mock answers the login flows with fresh values (keys, cookies, tokens) instead of the
# catalogue example, so that the flows work end to end; tests/test_login.py checks those.
_DYNAMIC = {f"login.{n[4:]}" for n in vars(MockLogin) if n.startswith("_on_")}
# Play URLs point at the mock CDN (testing/_cdn.py); tests/test_download.py checks those.
_DYNAMIC |= set(MockCdn.ENDPOINTS)
# Likewise the upos preupload: a fresh upload each time (tests/test_upload.py checks those).
_DYNAMIC |= set(MockUpos.DYNAMIC)
SERVED = [ep for ep in ENDPOINTS if f"{ep.namespace}.{ep.name}" not in _DYNAMIC]
SERVED_IDS = [f"{ep.namespace}.{ep.name}" for ep in SERVED]


@pytest.mark.parametrize("ep", SERVED, ids=SERVED_IDS)
def test_sync_call_returns_the_served_example(ep: SpecEndpoint) -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport(), credential=_credential()) as bili:
        result = method_of(bili, ep)(**kwargs_for(ep))
    check_result(ep, result, _served(mock, ep))


@pytest.mark.anyio
@pytest.mark.parametrize("ep", SERVED, ids=SERVED_IDS)
async def test_async_call_returns_the_served_example(ep: SpecEndpoint) -> None:
    mock = MockBilibili()
    async with AsyncClient(transport=mock.transport(), credential=_credential()) as bili:
        result = await method_of(bili, ep)(**kwargs_for(ep))
    check_result(ep, result, _served(mock, ep))


RECORDED = [(ep, rid, body) for ep, rid, body in recorded(ENDPOINTS) if belongs(ep, rid)]


@pytest.mark.parametrize(
    ("ep", "rid", "body"), RECORDED, ids=[f"{e.namespace}.{e.name}[{r}]" for e, r, _ in RECORDED]
)
def test_recorded_response_comes_back_as_served(ep: SpecEndpoint, rid: str, body: Any) -> None:
    """Each real recorded response, served through the mock, comes back with its values."""
    mock = MockBilibili()
    mock.set_response(f"{ep.namespace}.{ep.name}", body)
    with Client(transport=mock.transport(), credential=_credential()) as bili:
        result = method_of(bili, ep)(**kwargs_for(ep))
    check_result(ep, result, body)


def test_agree_finds_differences() -> None:
    """The comparison itself: it must notice what a broken decoder would do."""
    from bilibili_sdk.models import VideoInfo

    served = {"bvid": "BV1xx411c7mD", "aid": 2, "stat": {"view": 5, "like": 1}, "new": [1]}
    good = VideoInfo.model_validate(served)
    assert agree(good, served) == []
    assert agree(VideoInfo.model_validate({"bvid": "BV1xx411c7mD", "aid": 2}), served)
    assert agree(None, served)
    other = VideoInfo.model_validate({**served, "stat": {"view": 6, "like": 1}})
    assert agree(other, served) == [".stat.view: got 6, served 5"]
    assert agree([1, 2], [1, 2, 3]) and agree({"a": 1}, {"a": 1, "b": 2})
    assert agree(True, 1) == [] and agree(False, 1) and agree("7", 7) == []
    assert agree(None, None) == [] and agree([], None) == [] and agree(3, None)
