"""The mock's own WBI check, against the documented vectors and the seed library.

The mock verifies signatures with an implementation of its own (`testing/_mock.py`), so that a
mistake in `bilibili_sdk.wbi` makes every signed call fail against it. That implementation is
checked here against known-good values: the vectors in shared/reference/seed-features.md §2.2
and the seed library's `_get_mixin_key` / `_enc_wbi`, never against `bilibili_sdk.wbi`.
"""

from __future__ import annotations

import asyncio
import random
import types
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
import pytest
from bilibili_api.utils import network as seed_network

from bilibili_sdk import Client, WbiRetryTimesExceedException
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._mock import IMG_KEY, SUB_KEY, wbi_mixin_key, wbi_w_rid

# seed-features.md §2.2
DOC_IMG = "7cd084941338484aae1ad9425b84077c"
DOC_SUB = "4932caff0ff746eab6f01bf08b70ac45"
DOC_MIXIN = "ea1db124af3c7062474693fa704f4ff8"
DOC_PARAMS = {"foo": "114", "bar": "514", "zab": "1919810", "wts": "1702204169"}
DOC_W_RID = "8f6f2b5b3d485fe1886cec6a0be8c5d4"
DOC_W_RID_WITH_LOCATION = "f17b0e2cf04a667d362f3f2eb111affc"


def test_mixin_key_vector() -> None:
    assert wbi_mixin_key(DOC_IMG, DOC_SUB) == DOC_MIXIN
    assert (IMG_KEY, SUB_KEY) == (DOC_IMG, DOC_SUB)  # the keys the mock's nav publishes
    assert MockBilibili().mixin_key == DOC_MIXIN


def test_w_rid_vectors() -> None:
    assert wbi_w_rid(DOC_PARAMS, DOC_MIXIN) == DOC_W_RID
    with_location = {**DOC_PARAMS, "web_location": "1550101"}
    assert wbi_w_rid(with_location, DOC_MIXIN) == DOC_W_RID_WITH_LOCATION
    # w_rid itself is not part of what is signed
    assert wbi_w_rid({**DOC_PARAMS, "w_rid": "stale"}, DOC_MIXIN) == DOC_W_RID


def _seed_mixin_key(monkeypatch: pytest.MonkeyPatch, img: str, sub: str) -> str:
    async def nav(credential: Any = None) -> dict[str, Any]:
        return {
            "wbi_img": {
                "img_url": f"https://i0.hdslb.com/bfs/wbi/{img}.png",
                "sub_url": f"https://i0.hdslb.com/bfs/wbi/{sub}.png",
            }
        }

    monkeypatch.setattr(seed_network, "_get_nav", nav)
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(seed_network._get_mixin_key())
    finally:
        loop.close()


def test_mixin_key_matches_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(99)
    for _ in range(100):
        img, sub = (f"{rng.getrandbits(128):032x}" for _ in range(2))
        assert wbi_mixin_key(img, sub) == _seed_mixin_key(monkeypatch, img, sub), (img, sub)


def test_w_rid_matches_seed_after_the_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seed signs Python values; the mock sees the decoded query string. Same w_rid."""
    monkeypatch.setattr(seed_network, "time", types.SimpleNamespace(time=lambda: 1_700_000_000.5))
    rng = random.Random(5)
    alphabet = "abcXYZ019 _-.~!*'();:@&=+$,/?#[]%中文😀"
    for _ in range(300):
        key = f"{rng.getrandbits(128):032x}"
        params: dict[str, Any] = {
            "".join(rng.choice("abcdefgh_") for _ in range(rng.randrange(1, 6))): (
                rng.randrange(-(10**9), 10**9)
                if rng.random() < 0.3
                else "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
            )
            for _ in range(rng.randrange(1, 7))
        }
        signed = seed_network._enc_wbi(dict(params), key)
        wire = dict(parse_qsl(urlencode(signed), keep_blank_values=True))
        assert wbi_w_rid(wire, key) == signed["w_rid"], params


def test_mock_rejects_a_wrong_signature() -> None:
    mock = MockBilibili()
    url = "https://api.bilibili.com/x/web-interface/wbi/view/detail"
    good = {"bvid": "BV1xx411c7mD", "wts": "1702204169"}
    good["w_rid"] = wbi_w_rid(good, DOC_MIXIN)
    assert mock.handle(httpx.Request("GET", url, params=good)).json()["code"] == 0
    for bad in (
        {**good, "w_rid": "0" * 32},
        {**good, "bvid": "BV1xx411c7mQ"},  # a parameter changed after signing
        {k: v for k, v in good.items() if k != "wts"},
        {k: v for k, v in good.items() if k != "w_rid"},
    ):
        assert mock.handle(httpx.Request("GET", url, params=bad)).json()["code"] == -352, bad


def test_a_wrong_sdk_key_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    """What a wrong key table in `bilibili_sdk.wbi` does against the mock: -352 until the
    refreshes are used up."""
    from bilibili_sdk import wbi

    table = list(wbi.MIXIN_TABLE)
    table[0], table[1] = table[1], table[0]
    monkeypatch.setattr(wbi, "MIXIN_TABLE", tuple(table))
    mock = MockBilibili()
    with Client(transport=mock.transport(), wbi_retry_times=1) as bili:
        with pytest.raises(WbiRetryTimesExceedException):
            bili.video.get_detail("BV1xx411c7mD")
    assert mock.count("video.get_detail") == 2
