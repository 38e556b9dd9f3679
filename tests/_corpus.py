"""The recorded corpus (`tests/fixtures/collect`, see the README there) mapped onto our endpoints.

Shared by the catalogue test (every recorded success validates; documented parameters match),
the drift test (perturbed copies of them still validate) and the response tests. A recording
belongs to the endpoints whose URL it lists.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

from codegen.loader import Endpoint as SpecEndpoint

from bilibili_sdk._endpoint import Endpoint

COLLECT = Path(__file__).resolve().parent / "fixtures" / "collect"


def records() -> list[dict[str, Any]]:
    """Every record of the fixtures, in file and line order."""
    return [
        json.loads(line)
        for f in sorted(COLLECT.glob("*.jsonl"))
        for line in f.read_text(encoding="utf-8").splitlines()
    ]


def expected_type(ep: SpecEndpoint) -> Endpoint[Any]:
    """The generated runtime `Endpoint` constant (method, envelope, model...) of a spec endpoint."""
    mod = importlib.import_module(f"bilibili_sdk.resources.{ep.namespace}._calls")
    return getattr(mod, ep.name.upper())  # type: ignore[no-any-return]


def recorded(endpoints: list[SpecEndpoint]) -> list[tuple[SpecEndpoint, str, Any]]:
    """(endpoint, record id, body) for every successful recorded response of a URL we
    implement."""
    by_url: dict[str, list[tuple[str, Any]]] = {}
    for rec in records():
        for url in rec["urls"]:
            for ex in rec["examples"]:
                by_url.setdefault(url.split("?")[0], []).append((rec["id"], ex))
    out = []
    for ep in endpoints:
        for rid, ex in by_url.get(ep.url, []):
            if isinstance(ex, dict) and ex.get("code", 0) in (0, "0"):
                out.append((ep, rid, ex))
    return out


def belongs(ep: SpecEndpoint, rid: str) -> bool:
    """Endpoints that share a URL (told apart by constant parameters) validate only the
    recordings their spec lists as examples."""
    return not ep.fixed or f"collect:{rid}" in {x["source"] for x in ep.examples}


def payload_of(ep: SpecEndpoint, body: Any) -> Any:
    """What the model validates, unwrapped as `_base_client._decode` does."""
    if ep.envelope == "none":
        return body
    payload = body.get(ep.envelope)
    if payload is None and ep.envelope == "data":
        payload = body.get("result")
    return payload
