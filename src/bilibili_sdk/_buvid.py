"""buvid activation pieces (ExClimbWuzhi): the fingerprint hash, the `_uuid` cookie and the
payload. Pure functions, no I/O; the prerequisites decide when to send them.

`buvid_fp` is MurmurHash3 x64 128 (seed 31) of the request body, printed as Bilibili's web
page prints it: hex(h1) + hex(h2), the low 64 bits first, without zero padding. MurmurHash3
is implemented here (about 40 lines) rather than taken from `mmh3`: one hash of one small body
per process does not justify a compiled runtime dependency.
"""

from __future__ import annotations

import json
import secrets
import struct
import time
from typing import Any

__all__ = ["activation_payload", "buvid_fp", "make_uuid", "murmur3_x64_128"]

_M64 = 0xFFFFFFFFFFFFFFFF
_C1 = 0x87C37B91114253D5
_C2 = 0x4CF5AD432745937F
FP_SEED = 31
"""The seed Bilibili's page hashes the fingerprint body with."""


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (64 - r))) & _M64


def _fmix(k: int) -> int:
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & _M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & _M64
    return k ^ (k >> 33)


def _mix_k1(k1: int) -> int:
    return (_rotl((k1 * _C1) & _M64, 31) * _C2) & _M64


def _mix_k2(k2: int) -> int:
    return (_rotl((k2 * _C2) & _M64, 33) * _C1) & _M64


def murmur3_x64_128(data: bytes, seed: int = 0) -> tuple[int, int]:
    """MurmurHash3 x64 128 of `data`: (h1, h2), the low and the high 64 bits."""
    h1 = h2 = seed & 0xFFFFFFFF
    n = len(data)
    end = n - n % 16
    for i in range(0, end, 16):
        k1, k2 = struct.unpack_from("<QQ", data, i)
        h1 ^= _mix_k1(k1)
        h1 = (_rotl(h1, 27) + h2) & _M64
        h1 = (h1 * 5 + 0x52DCE729) & _M64
        h2 ^= _mix_k2(k2)
        h2 = (_rotl(h2, 31) + h1) & _M64
        h2 = (h2 * 5 + 0x38495AB5) & _M64
    tail = data[end:]
    if len(tail) > 8:
        h2 ^= _mix_k2(int.from_bytes(tail[8:], "little"))
    if tail:
        h1 ^= _mix_k1(int.from_bytes(tail[:8], "little"))
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & _M64
    h2 = (h2 + h1) & _M64
    h1 = _fmix(h1)
    h2 = _fmix(h2)
    h1 = (h1 + h2) & _M64
    h2 = (h2 + h1) & _M64
    return h1, h2


def buvid_fp(text: str) -> str:
    """The `buvid_fp` cookie of a fingerprint body: hex(h1) + hex(h2), unpadded."""
    h1, h2 = murmur3_x64_128(text.encode("utf-8"), FP_SEED)
    return f"{h1:x}{h2:x}"


_UUID_TOKENS = (*"123456789ABCDEF", "10")
_UUID_GROUPS = (8, 4, 4, 4, 12)


def make_uuid(ms: int | None = None) -> str:
    """An `_uuid` cookie: five dash-joined groups of 8-4-4-4-12 random tokens ("1".."9",
    "A".."F" or "10", so a group may be longer), then `ms % 100000` right-padded with "0" to
    five digits, then "infoc".

    Args:
        ms: the time in ms since epoch; default now.
    """
    if ms is None:
        ms = int(time.time() * 1000)
    groups = ["".join(secrets.choice(_UUID_TOKENS) for _ in range(n)) for n in _UUID_GROUPS]
    return "-".join(groups) + str(ms % 100000).ljust(5, "0") + "infoc"


_HOME = "https%3A%2F%2Fwww.bilibili.com%2F"
_USER_AGENT = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
)


def _browser(user_agent: str) -> dict[str, Any]:
    """A plausible desktop browser's fingerprint object (the content's "3c43")."""
    return {
        "2673": 0,
        "5766": 24,
        "6527": 0,
        "7003": 1,
        "807e": 1,
        "b8ce": user_agent,
        "641c": 0,
        "07a4": "en-US",
        "1c57": "not available",
        "0bd0": 8,
        "748e": [1440, 900],
        "d61f": [1440, 875],
        "fc9d": -480,
        "6aa9": "Asia/Shanghai",
        "75b8": 1,
        "3b21": 1,
        "8a1c": 0,
        "d52f": "not available",
        "adca": "MacIntel",
        "80c9": [["PDF Viewer", "Portable Document Format", [["application/pdf", "pdf"]]]],
        "13ab": "",
        "bfe9": "",
        "a3c1": ["webgl vendor:WebKit", "webgl renderer:WebKit WebGL"],
        "6bc5": "Google Inc. (Apple)~ANGLE (Apple, ANGLE Metal Renderer: Apple M1, Unspecified)",
        "ed31": 0,
        "72bd": 0,
        "097b": 0,
        "52cd": [0, 0, 0],
        "a658": ["Arial", "Courier New", "Helvetica", "Times New Roman", "Verdana"],
        "d02f": "124.04347527516074",
    }


def _compact(value: Any) -> str:
    # The same encoding the client sends JSON bodies with (see _validate.json_value).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def activation_payload(
    buvid3: str,
    buvid4: str,
    *,
    ms: int | None = None,
    uuid: str | None = None,
    user_agent: str = _USER_AGENT,
) -> tuple[dict[str, Any], dict[str, str]]:
    """The ExClimbWuzhi request: its JSON body and the cookies to send with it.

    The body is `{"payload": "<compact JSON of the fingerprint content>"}`; `buvid_fp` is the
    hash of that body's compact JSON text, so send it encoded the same way (the client does).
    `client.login.activate_buvid(payload=json.loads(body["payload"]))` sends it.

    Args:
        buvid3, buvid4: the pair from spi (`/x/frontend/finger/spi`).
        ms: the time in ms since epoch; default now.
        uuid: the `_uuid` cookie; default a new `make_uuid(ms)`.
        user_agent: the User-Agent the fingerprint claims (send the same header).

    Returns:
        (json_body, cookies): cookies are buvid3, buvid4, buvid_fp and _uuid.
    """
    if ms is None:
        ms = int(time.time() * 1000)
    if uuid is None:
        uuid = make_uuid(ms)
    content: dict[str, Any] = {
        "3064": 1,
        "5062": str(ms),
        "03bf": _HOME,
        "39c8": "333.788.fp.risk",
        "34f1": "",
        "d402": "",
        "654a": "",
        "6e7c": "839x959",
        "3c43": _browser(user_agent),
        "54ef": _compact({"in_new_ab": True, "ab_version": {}, "ab_split_num": {}}),
        "8b94": _HOME,
        "df35": uuid,
        "07a4": "en-US",
        "5f45": None,
        "db46": 0,
    }
    body = {"payload": _compact(content)}
    cookies = {
        "buvid3": buvid3,
        "buvid4": buvid4,
        "buvid_fp": buvid_fp(_compact(body)),
        "_uuid": uuid,
    }
    return body, cookies
