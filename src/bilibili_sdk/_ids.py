"""aid <-> bvid conversion (the current 2^51 scheme), exact integer arithmetic."""

from __future__ import annotations

from ._exceptions import ArgsException

_ALPHABET = "FcwAPNKTMug3GV5Lj7EJnHpWsx4tb8haYeviqBz6rkCy12mUSDQX9RdoZf"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_XOR = 23442827791579
_MASK = (1 << 51) - 1
_MAX_AID = 1 << 51
_BASE = 58


def aid2bvid(aid: int) -> str:
    """av number -> BV id, e.g. `aid2bvid(170001) == "BV17x411w7KC"`."""
    if isinstance(aid, bool) or not isinstance(aid, int) or not 0 < aid < _MAX_AID:
        raise ArgsException(f"aid: expected an int in [1, 2**51), got {aid!r}", argument="aid")
    chars = ["B", "V", "1", "0", "0", "0", "0", "0", "0", "0", "0", "0"]
    t = (_MAX_AID | aid) ^ _XOR
    for i in range(11, 2, -1):
        t, r = divmod(t, _BASE)
        chars[i] = _ALPHABET[r]
    chars[3], chars[9] = chars[9], chars[3]
    chars[4], chars[7] = chars[7], chars[4]
    return "".join(chars)


def bvid2aid(bvid: str) -> int:
    """BV id -> av number, e.g. `bvid2aid("BV17x411w7KC") == 170001`."""
    if not isinstance(bvid, str) or len(bvid) != 12 or not bvid.upper().startswith("BV1"):
        raise ArgsException(
            f"bvid: expected a BV id like 'BV1xx411c7mD', got {bvid!r}", argument="bvid"
        )
    chars = list(bvid)
    chars[3], chars[9] = chars[9], chars[3]
    chars[4], chars[7] = chars[7], chars[4]
    t = 0
    try:
        for c in chars[3:]:
            t = t * _BASE + _INDEX[c]
    except KeyError:
        raise ArgsException(
            f"bvid: expected a BV id like 'BV1xx411c7mD' (base-58 letters and digits, no 0, I, "
            f"O or l), got {bvid!r}",
            argument="bvid",
        ) from None
    return (t & _MASK) ^ _XOR
