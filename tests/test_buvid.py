"""buvid activation pieces: the MurmurHash3 fingerprint (vectors of seed-features §2.3 and
longer ones cross-checked with mmh3), the `_uuid` cookie, and the ExClimbWuzhi payload,
which the mock's `activate_buvid` accepts in both flavours."""

from __future__ import annotations

import asyncio
import json
import re

import pytest

from bilibili_sdk import AsyncClient, Client
from bilibili_sdk._buvid import activation_payload, buvid_fp, make_uuid, murmur3_x64_128
from bilibili_sdk.testing import MockBilibili


@pytest.mark.parametrize(
    ("text", "fp"),
    [
        ("", "24700f9f1986800ab4fcc880530dd0ed"),
        ("hello", "e4c67dbb6870107c1129fe575d609dfb"),
        ("bilibili", "de0ad77695f75f7de317ed60ae87092"),  # an unpadded half: 31 digits
        # longer than a 16-byte block, and non-ASCII (values from mmh3.hash128, seed 31)
        ("The quick brown fox jumps over the lazy dog", "be0b79c4b0742dc6f542fbba04a21a1"),
        ('{"payload":"哔哩哔哩"}', "787d678f1cdb8c4c4b09ec432742beea"),
    ],
)
def test_buvid_fp_vectors(text: str, fp: str) -> None:
    assert buvid_fp(text) == fp


def test_murmur3_halves_are_64_bit() -> None:
    h1, h2 = murmur3_x64_128(b"x" * 1000, 31)
    assert 0 <= h1 < 2**64 and 0 <= h2 < 2**64
    assert buvid_fp("x" * 1000) == f"{h1:x}{h2:x}"


def test_make_uuid_format() -> None:
    group = "(?:[1-9A-F]|10)"
    pattern = "-".join(f"{group}{{{n}}}" for n in (8, 4, 4, 4, 12)) + r"(\d{5})infoc"
    m = re.fullmatch(pattern, make_uuid(1700000012345))
    assert m and m.group(1) == "12345"
    # ms % 100000 is right-padded, not left-padded: 1 -> "10000"
    m = re.fullmatch(pattern, make_uuid(1700000000001))
    assert m and m.group(1) == "10000"
    assert make_uuid(1) != make_uuid(1)  # random groups


def test_activation_payload_body_and_cookies() -> None:
    body, cookies = activation_payload("B3infoc", "B4", ms=1700000012345, uuid="U-1infoc")
    assert list(body) == ["payload"] and isinstance(body["payload"], str)
    content = json.loads(body["payload"])
    assert content["5062"] == "1700000012345" and content["df35"] == "U-1infoc"
    assert content["03bf"] == content["8b94"] == "https%3A%2F%2Fwww.bilibili.com%2F"
    assert content["39c8"] == "333.788.fp.risk" and content["5f45"] is None
    assert content["3064"] == 1 and content["db46"] == 0 and content["07a4"] == "en-US"
    assert isinstance(content["3c43"], dict) and isinstance(json.loads(content["54ef"]), dict)
    assert cookies == {
        "buvid3": "B3infoc",
        "buvid4": "B4",
        "buvid_fp": buvid_fp(json.dumps(body, separators=(",", ":"), ensure_ascii=False)),
        "_uuid": "U-1infoc",
    }
    again, again_cookies = activation_payload("B3infoc", "B4", ms=1700000012345, uuid="U-1infoc")
    assert again == body and again_cookies == cookies  # deterministic given ms and uuid
    _, fresh = activation_payload("B3infoc", "B4")
    assert fresh["_uuid"].endswith("infoc") and fresh["buvid_fp"] != cookies["buvid_fp"]


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_mock_activate_buvid_accepts_the_payload(flavour: str) -> None:
    mock = MockBilibili()
    body, _ = activation_payload("B3infoc", "B4", ms=1700000012345)
    content = json.loads(body["payload"])

    if flavour == "sync":
        with Client(transport=mock.transport()) as bili:
            assert bili.login.activate_buvid(payload=content) is None
    else:

        async def main() -> None:
            async with AsyncClient(transport=mock.transport()) as bili:
                assert await bili.login.activate_buvid(payload=content) is None

        asyncio.run(main())
    (rec,) = [r for r in mock.requests if r.endpoint == "login.activate_buvid"]
    assert rec.method == "POST" and rec.path == "/x/internal/gaia-gateway/ExClimbWuzhi"
    assert rec.json == body  # sent exactly as hashed: buvid_fp matches the wire body
