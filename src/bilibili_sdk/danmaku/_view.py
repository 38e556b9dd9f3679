"""Decoder for `x/v2/dm/web/view` (DmWebViewReply): segment layout, settings, special danmaku.

Field numbers follow bilibili.community.service.dm.v1 (dm.proto). Unknown fields are skipped,
so a field Bilibili adds later does not break a decode. A sub-message the server leaves out is
a default instance, except `dm_setting`, which is None when absent (only logged-in requests
get it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .._exceptions import ArgsException
from .._protobuf import DecodeError, Schema, decode_message, iter_fields, signed64

__all__ = [
    "CommandDanmaku",
    "DanmakuFlagConfig",
    "DanmakuPlayerSetting",
    "DanmakuView",
    "DmSegConfig",
    "ImageDanmaku",
    "parse_view",
]


@dataclass(slots=True)
class DmSegConfig:
    """How the danmaku of a part are split into `seg.so` segments."""

    page_size: int = 0
    """Length of one segment, in milliseconds (360000: six minutes)."""
    total: int = 0
    """Number of segments."""


@dataclass(slots=True)
class DanmakuFlagConfig:
    """Cloud-shield ("AI") recommendation settings."""

    rec_flag: int = 0
    rec_text: str = ""
    rec_switch: int = 0


@dataclass(slots=True)
class CommandDanmaku:
    """An interactive ("command") danmaku: uploader avatar, linked video, follow button..."""

    id_: int = 0
    oid: int = 0
    """The part's cid."""
    mid: int = 0
    """Sender uid."""
    command: str = ""
    """What it does, e.g. "#UP#" (uploader avatar), "#LINK#", "#ATTENTION#"."""
    content: str = ""
    progress: int = 0
    """Position in the video, in milliseconds."""
    ctime: str = ""
    mtime: str = ""
    extra: str = ""
    """Command-specific payload as a JSON string; `extra_data` parses it."""
    id_str: str = ""

    @property
    def dm_time(self) -> float:
        """Position in the video, in seconds."""
        return self.progress / 1000

    @property
    def extra_data(self) -> Any:
        """`extra` parsed as JSON; None when it is empty or not JSON."""
        if not self.extra:
            return None
        try:
            return json.loads(self.extra)
        except ValueError:
            return None


@dataclass(slots=True)
class DanmakuPlayerSetting:
    """The viewer's danmaku settings in the web player (DanmuWebPlayerConfig).

    The seed named fields 4-8 `enable_*`; the proto calls them `block*`: True hides that kind.
    """

    dm_switch: bool = False
    ai_switch: bool = False
    ai_level: int = 0
    block_top: bool = False
    block_scroll: bool = False
    block_bottom: bool = False
    block_color: bool = False
    block_special: bool = False
    prevent_shade: bool = False
    """Keep the bottom 15% free."""
    dmask: bool = False
    """Smart anti-occlusion mask (danmaku pass behind people)."""
    opacity: float = 0.0
    """0-1."""
    dm_area: int = 0
    """Display area in percent of the height (0 = unlimited)."""
    speed_plus: float = 0.0
    font_size: float = 0.0
    """Scale factor, 0.4-1.6."""
    screen_sync: bool = False
    speed_sync: bool = False
    font_family: str = ""
    bold: bool = False
    font_border: int = 0
    """0 heavy, 1 stroke, 2 45° shadow."""
    draw_type: str = ""
    senior_mode_switch: int = 0
    ai_level_v2: int = 0
    ai_level_v2_map: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class ImageDanmaku:
    """Keywords that turn a danmaku into an image (the view's `expressions`)."""

    texts: list[str] = field(default_factory=list)
    """Keywords that trigger the image."""
    image: str = ""
    """Image URL."""
    periods: list[tuple[int, int]] = field(default_factory=list)
    """(start, end) windows in which the keywords apply, as the server sends them."""


@dataclass(slots=True)
class DanmakuView:
    """Danmaku metadata of one part (DmWebViewReply)."""

    state: int = 0
    """1 when the danmaku are closed."""
    text: str = ""
    text_side: str = ""
    dm_seg: DmSegConfig = field(default_factory=DmSegConfig)
    flag: DanmakuFlagConfig = field(default_factory=DanmakuFlagConfig)
    special_dms: list[str] = field(default_factory=list)
    """URLs of BAS special-danmaku files; decode each with `parse_special`."""
    check_box: bool = False
    count: int = 0
    """Number of danmaku in the pool (capped by the part's limit)."""
    command_dms: list[CommandDanmaku] = field(default_factory=list)
    dm_setting: DanmakuPlayerSetting | None = None
    """The viewer's settings; None for requests without a login."""
    report_filter: list[str] = field(default_factory=list)
    """Regular expressions of danmaku that viewers' reports hid in this part."""
    image_dms: list[ImageDanmaku] = field(default_factory=list)
    activity_meta: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """Whether the danmaku of this part are closed."""
        return self.state == 1


_SEG: Schema = {1: ("page_size", "int"), 2: ("total", "int")}
_FLAG: Schema = {1: ("rec_flag", "int"), 2: ("rec_text", "str"), 3: ("rec_switch", "int")}
_MAP_ENTRY: Schema = {1: ("key", "int"), 2: ("value", "int")}
_SETTING: Schema = {
    1: ("dm_switch", "bool"),
    2: ("ai_switch", "bool"),
    3: ("ai_level", "int"),
    4: ("block_top", "bool"),
    5: ("block_scroll", "bool"),
    6: ("block_bottom", "bool"),
    7: ("block_color", "bool"),
    8: ("block_special", "bool"),
    9: ("prevent_shade", "bool"),
    10: ("dmask", "bool"),
    11: ("opacity", "f32"),
    12: ("dm_area", "int"),
    13: ("speed_plus", "f32"),
    14: ("font_size", "f32"),
    15: ("screen_sync", "bool"),
    16: ("speed_sync", "bool"),
    17: ("font_family", "str"),
    18: ("bold", "bool"),
    19: ("font_border", "int"),
    20: ("draw_type", "str"),
    21: ("senior_mode_switch", "int"),
    22: ("ai_level_v2", "int"),
    23: ("ai_level_v2_map", "msg*", _MAP_ENTRY),
}
_PERIOD: Schema = {1: ("start", "int"), 2: ("end", "int")}
_EXPRESSION: Schema = {1: ("texts", "str*"), 2: ("image", "str"), 3: ("periods", "msg*", _PERIOD)}
_EXPRESSIONS: Schema = {1: ("data", "msg*", _EXPRESSION)}
_VIEW: Schema = {
    1: ("state", "int"),
    2: ("text", "str"),
    3: ("text_side", "str"),
    4: ("dm_seg", "msg", _SEG),
    5: ("flag", "msg", _FLAG),
    6: ("special_dms", "str*"),
    7: ("check_box", "bool"),
    8: ("count", "int"),
    9: ("command_dms", "bytes*"),
    10: ("dm_setting", "msg", _SETTING),
    11: ("report_filter", "str*"),
    12: ("expressions", "msg*", _EXPRESSIONS),
    14: ("activity_meta", "str*"),
}
_COMMAND_STR = {4: "command", 5: "content", 7: "ctime", 8: "mtime", 9: "extra", 10: "id_str"}


def _command(buf: bytes) -> CommandDanmaku:
    # Hand-decoded: `mid` is an int64 on the web but a string in the app's proto; take both.
    cmd = CommandDanmaku()
    for number, wire, value in iter_fields(buf):
        if isinstance(value, bytes):
            text = value.decode("utf-8", "replace")
            if number == 3:
                cmd.mid = int(text) if text.isascii() and text.isdigit() else 0
            elif number in _COMMAND_STR:
                setattr(cmd, _COMMAND_STR[number], text)
        elif wire == 0 and number in (1, 2, 3, 6):
            v = signed64(value)
            if number == 1:
                cmd.id_ = v
            elif number == 2:
                cmd.oid = v
            elif number == 3:
                cmd.mid = v
            else:
                cmd.progress = v
    return cmd


def parse_view(payload: bytes | bytearray | memoryview) -> DanmakuView:
    """Decode an `x/v2/dm/web/view` response body (DmWebViewReply).

    Raises:
        DecodeError: the bytes are not a well-formed DmWebViewReply.
        ArgsException: `payload` is not bytes-like.
    """
    if isinstance(payload, (bytearray, memoryview)):
        payload = bytes(payload)
    if not isinstance(payload, bytes):
        raise ArgsException(
            f"payload: expected bytes (or bytearray, memoryview), got {type(payload).__name__}",
            "payload",
        )
    raw = decode_message(payload, _VIEW)
    setting = raw["dm_setting"]
    if setting is not None:
        pairs = setting.pop("ai_level_v2_map")
        setting = DanmakuPlayerSetting(
            **setting, ai_level_v2_map={p["key"]: p["value"] for p in pairs}
        )
    images = [
        ImageDanmaku(e["texts"], e["image"], [(p["start"], p["end"]) for p in e["periods"]])
        for group in raw["expressions"]
        for e in group["data"]
    ]
    seg, flag = raw["dm_seg"], raw["flag"]
    try:
        commands = [_command(c) for c in raw["command_dms"]]
    except DecodeError as e:
        raise DecodeError(f"command_dms: {e}") from None
    return DanmakuView(
        state=raw["state"],
        text=raw["text"],
        text_side=raw["text_side"],
        dm_seg=DmSegConfig(**seg) if seg is not None else DmSegConfig(),
        flag=DanmakuFlagConfig(**flag) if flag is not None else DanmakuFlagConfig(),
        special_dms=raw["special_dms"],
        check_box=raw["check_box"],
        count=raw["count"],
        command_dms=commands,
        dm_setting=setting,
        report_filter=raw["report_filter"],
        image_dms=images,
        activity_meta=raw["activity_meta"],
    )
