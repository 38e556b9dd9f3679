"""Protobuf payloads some live commands carry base64-encoded in `data.pb`.

Field numbers are as observed on the web client (no .proto is published):
INTERACT_WORD_V2 (`InteractWordV2`) and ONLINE_RANK_V3 (`GoldRankBroadcast`). The output
uses the same keys as the JSON commands they replace (INTERACT_WORD, ONLINE_RANK_V2), so
one model reads both.
"""

from __future__ import annotations

from typing import Any

from .._protobuf import DecodeError, Schema, decode_message, iter_fields

__all__ = ["INTERACT_WORD_V2", "ONLINE_RANK_ITEM", "decode_interact_word", "decode_online_rank"]

_OFFICIAL: Schema = {
    1: ("role", "int"),
    2: ("title", "str"),
    3: ("desc", "str"),
    4: ("type", "int"),
}
_USER_BASE: Schema = {
    1: ("name", "str"),
    2: ("face", "str"),
    3: ("name_color", "uint"),
    4: ("is_mystery", "bool"),
    7: ("official_info", "msg", _OFFICIAL),
    8: ("name_color_str", "str"),
}
_USER_MEDAL: Schema = {
    1: ("name", "str"),
    2: ("level", "uint"),
    3: ("color_start", "uint"),
    4: ("color_end", "uint"),
    5: ("color_border", "uint"),
    6: ("color", "uint"),
    7: ("id", "uint"),
    9: ("is_light", "uint"),
    10: ("ruid", "uint"),
    11: ("guard_level", "uint"),
    12: ("score", "uint"),
    13: ("guard_icon", "str"),
    14: ("honor_icon", "str"),
}
_USER_INFO: Schema = {
    1: ("uid", "uint"),
    2: ("base", "msg", _USER_BASE),
    3: ("medal", "msg", _USER_MEDAL),
    4: ("wealth", "msg", {1: ("level", "uint"), 2: ("dm_icon_key", "str")}),
    5: ("title", "msg", {1: ("old_title_css_id", "str"), 2: ("title_css_id", "str")}),
    6: ("guard", "msg", {1: ("level", "uint"), 2: ("expired_str", "str")}),
}
_FANS_MEDAL: Schema = {
    1: ("target_id", "uint"),
    2: ("medal_level", "uint"),
    3: ("medal_name", "str"),
    4: ("medal_color", "uint"),
    5: ("medal_color_start", "uint"),
    6: ("medal_color_end", "uint"),
    7: ("medal_color_border", "uint"),
    8: ("is_lighted", "uint"),
    9: ("guard_level", "uint"),
    10: ("special", "str"),
    11: ("icon_id", "uint"),
    12: ("anchor_roomid", "uint"),
    13: ("score", "uint"),
}
INTERACT_WORD_V2: Schema = {
    1: ("uid", "uint"),
    2: ("uname", "str"),
    3: ("uname_color", "str"),
    4: ("identities", "uint*"),
    5: ("msg_type", "uint"),
    6: ("roomid", "uint"),
    7: ("timestamp", "uint"),
    8: ("score", "uint"),
    9: ("fans_medal_info", "msg", _FANS_MEDAL),
    10: ("is_spread", "uint"),
    11: ("spread_info", "str"),
    12: ("contribution", "msg", {1: ("grade", "uint")}),
    13: ("spread_desc", "str"),
    14: ("tail_icon", "uint"),
    15: ("trigger_time", "uint"),
    16: ("privilege_type", "uint"),
    17: ("core_user_type", "uint"),
    18: ("tail_text", "str"),
    19: (
        "contribution_v2",
        "msg",
        {1: ("grade", "uint"), 2: ("rank_type", "str"), 3: ("text", "str")},
    ),
    20: (
        "group_medal",
        "msg",
        {1: ("medal_id", "uint"), 2: ("name", "str"), 3: ("is_lighted", "uint")},
    ),
    21: ("is_mystery", "bool"),
    22: ("user_info", "msg", _USER_INFO),
    23: (
        "relation",
        "msg",
        {1: ("tail_icon", "str"), 2: ("tail_guide_text", "str"), 3: ("tail_type", "uint")},
    ),
}
"""Layout of INTERACT_WORD_V2's `data.pb`."""

ONLINE_RANK_ITEM: Schema = {
    1: ("uid", "uint"),
    2: ("face", "str"),
    3: ("score", "str"),
    4: ("uname", "str"),
    5: ("rank", "uint"),
    6: ("guard_level", "uint"),
    7: ("is_mystery", "bool"),
    8: ("user_info", "msg", _USER_INFO),
}
"""One ranked user in ONLINE_RANK_V3's `data.pb`."""


def decode_interact_word(pb: bytes) -> dict[str, Any]:
    """INTERACT_WORD_V2's protobuf as INTERACT_WORD's JSON keys (`DecodeError` if malformed)."""
    return decode_message(pb, INTERACT_WORD_V2)


def decode_online_rank(pb: bytes) -> dict[str, Any]:
    """ONLINE_RANK_V3's protobuf: `rank_type`, `list` and `online_list` (`DecodeError` if bad).

    `rank_type` has been seen both as a string and as a number, so either is accepted.
    """
    out: dict[str, Any] = {"rank_type": None, "list": [], "online_list": []}
    for number, _wire, value in iter_fields(pb):
        if number == 1:
            out["rank_type"] = (
                value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            )
        elif number in (2, 3):
            if not isinstance(value, bytes):
                raise DecodeError(f"field {number}: expected a message")
            out["list" if number == 2 else "online_list"].append(
                decode_message(value, ONLINE_RANK_ITEM)
            )
    return out
