"""`bilibili_sdk.wbi` against the documented vectors and the mock's independent check.

The mock's implementation (`testing/_mock.py`) is itself checked against the vectors and the
seed library in test_mock_wbi.py, so agreeing with it means agreeing with the documented
algorithm.
"""

from __future__ import annotations

import random

import pytest

from bilibili_sdk import wbi
from bilibili_sdk.testing._mock import wbi_mixin_key, wbi_w_rid

# shared/reference/seed-features.md §2.2
IMG = "7cd084941338484aae1ad9425b84077c"
SUB = "4932caff0ff746eab6f01bf08b70ac45"
MIXIN = "ea1db124af3c7062474693fa704f4ff8"
WTS = 1702204169


def test_documented_vectors() -> None:
    assert wbi.mixin_key(IMG, SUB) == MIXIN
    signed = wbi.sign({"foo": "114", "bar": "514", "zab": 1919810}, MIXIN, wts=WTS)
    assert signed == {
        "foo": "114",
        "bar": "514",
        "zab": 1919810,
        "wts": WTS,
        "w_rid": "8f6f2b5b3d485fe1886cec6a0be8c5d4",
    }
    located = {"foo": "114", "bar": "514", "zab": 1919810, "web_location": 1550101}
    assert wbi.sign(located, MIXIN, wts=WTS)["w_rid"] == "f17b0e2cf04a667d362f3f2eb111affc"


def test_mixin_key_agrees_with_the_mock() -> None:
    rng = random.Random(3)
    for _ in range(200):
        img, sub = (f"{rng.getrandbits(128):032x}" for _ in range(2))
        assert wbi.mixin_key(img, sub) == wbi_mixin_key(img, sub)


def test_mixin_key_needs_64_characters() -> None:
    with pytest.raises(ValueError, match=r"^img_key \+ sub_key must be 64 characters$"):
        wbi.mixin_key(IMG, SUB[:-1])
    assert len(wbi.mixin_key(IMG + "x", SUB)) == 32  # longer keys are fine: only 64 are read


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (f"https://i0.hdslb.com/bfs/wbi/{IMG}.png", IMG),
        (f"https://i0.hdslb.com/bfs/wbi/{IMG}", IMG),
        (f"{IMG}.png", IMG),  # no path at all
        (f"//i0.hdslb.com/{SUB}.png.webp", SUB),  # only the first extension is a suffix
        ("https://x/a/b/c.d.e", "c"),
    ],
)
def test_key_from_url(url: str, key: str) -> None:
    assert wbi.key_from_url(url) == key


def test_sign_encodes_values_as_the_server_reads_them() -> None:
    """Bools as 1/0, numbers with str(), text url-encoded with `+` for spaces: the same
    w_rid as the mock computes from the decoded query."""
    params = {
        "yes": True,
        "no": False,
        "n": -5,
        "f": 1.5,
        "text": "原神 a+b&c=d/é",
        "safe": "A-z_0.9~",
        "web_location": "333.788",
    }
    signed = wbi.sign(params, MIXIN, wts=WTS)
    wire = {
        "yes": "1",
        "no": "0",
        "n": "-5",
        "f": "1.5",
        "text": "原神 a+b&c=d/é",
        "safe": "A-z_0.9~",
        "web_location": "333.788",
        "wts": str(WTS),
    }
    assert signed["w_rid"] == wbi_w_rid(wire, MIXIN)
    assert signed["yes"] is True and signed["wts"] == WTS  # values themselves are kept


def test_sign_replaces_an_old_signature() -> None:
    fresh = wbi.sign({"a": 1}, MIXIN, wts=WTS)
    assert wbi.sign({"a": 1, "w_rid": "stale"}, MIXIN, wts=WTS) == fresh
    assert wbi.sign(fresh, MIXIN, wts=WTS) == fresh  # re-signing a signed query is stable
    assert wbi.sign({"a": 1, "wts": 5}, MIXIN, wts=WTS)["wts"] == WTS


def test_sign_uses_the_current_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wbi.time, "time", lambda: WTS + 0.9)
    assert wbi.sign({"a": 1}, MIXIN) == wbi.sign({"a": 1}, MIXIN, wts=WTS)
