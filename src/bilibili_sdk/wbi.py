"""WBI request signing (`w_rid`/`wts`), pure functions.

Bilibili's web client signs some queries with keys published in `nav`
(`data.wbi_img`). The runtime fetches and caches the keys; these helpers only compute.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from functools import lru_cache
from hashlib import md5
from typing import Any
from urllib.parse import quote_plus

__all__ = ["MIXIN_TABLE", "key_from_url", "mixin_key", "sign"]

MIXIN_TABLE = (
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35, 27, 43, 5, 49, 33, 9, 42, 19, 29,
    28, 14, 39, 12, 38, 41, 13, 37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4, 22, 25,
    54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
)  # fmt: skip


def key_from_url(url: str) -> str:
    """`https://i0.hdslb.com/bfs/wbi/7cd0...077c.png` -> `7cd0...077c`."""
    return url.rsplit("/", 1)[-1].split(".", 1)[0]


def mixin_key(img_key: str, sub_key: str) -> str:
    """The 32-character signing key mixed from the two nav keys."""
    raw = img_key + sub_key
    if len(raw) < 64:
        raise ValueError("img_key + sub_key must be 64 characters")
    return "".join(raw[i] for i in MIXIN_TABLE)[:32]


_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")


_quote = lru_cache(maxsize=4096)(quote_plus)  # the same few values (dm_img_inter...) recur


def _enc(v: Any) -> str:
    """`quote_plus(str(v))`, skipping the work for values that need no escaping."""
    if isinstance(v, bool):
        return "1" if v else "0"
    s = v if isinstance(v, str) else str(v)
    return s if _URL_SAFE.issuperset(s) else _quote(s)


def sign(params: Mapping[str, Any], mixin_key: str, *, wts: int | None = None) -> dict[str, Any]:
    """Return `params` with `wts` and `w_rid` added (an old `w_rid` is dropped).

    The query is sorted by key and url-encoded as the seed library does (space as `+`).
    """
    out = dict(params)
    out.pop("w_rid", None)
    out["wts"] = int(time.time()) if wts is None else wts
    # Same bytes as urllib's urlencode(sorted(...)), which the seed library and the server use.
    query = "&".join([_enc(k) + "=" + _enc(out[k]) for k in sorted(out)])
    out["w_rid"] = md5((query + mixin_key).encode()).hexdigest()
    return out
