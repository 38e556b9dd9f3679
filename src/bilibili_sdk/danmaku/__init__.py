"""Video danmaku (弹幕): decode Bilibili's protobuf payloads, convert to XML and ASS, and guess
senders' uids.

Standard library only. The decoders take the bytes a request returned, so they work with any
HTTP client:

    danmakus = parse_segment(body)              # x/v2/dm/wbi/web/seg.so
    view = parse_view(view_body)                # x/v2/dm/web/view
    xml = to_xml(sort_danmakus(danmakus), cid=cid)
    ass = to_ass(danmakus, width=1920, height=1080)

The model types load with the package; the decoders and converters on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._model import VIP_GRADIENT, Danmaku, DmFontSize, DmMode, SpecialDanmaku, sort_danmakus

if TYPE_CHECKING:
    from ._ass import AssEvent as AssEvent
    from ._ass import AssLayout as AssLayout
    from ._ass import layout_ass as layout_ass
    from ._ass import to_ass as to_ass
    from ._crack import crack_uid as crack_uid
    from ._crack import crack_uid_candidates as crack_uid_candidates
    from ._segment import parse_segment as parse_segment
    from ._segment import parse_special as parse_special
    from ._view import CommandDanmaku as CommandDanmaku
    from ._view import DanmakuFlagConfig as DanmakuFlagConfig
    from ._view import DanmakuPlayerSetting as DanmakuPlayerSetting
    from ._view import DanmakuView as DanmakuView
    from ._view import DmSegConfig as DmSegConfig
    from ._view import ImageDanmaku as ImageDanmaku
    from ._view import parse_view as parse_view
    from ._xml import parse_xml as parse_xml
    from ._xml import to_xml as to_xml

_LAZY = {
    "AssEvent": "._ass",
    "AssLayout": "._ass",
    "layout_ass": "._ass",
    "to_ass": "._ass",
    "crack_uid": "._crack",
    "crack_uid_candidates": "._crack",
    "parse_segment": "._segment",
    "parse_special": "._segment",
    "CommandDanmaku": "._view",
    "DanmakuFlagConfig": "._view",
    "DanmakuPlayerSetting": "._view",
    "DanmakuView": "._view",
    "DmSegConfig": "._view",
    "ImageDanmaku": "._view",
    "parse_view": "._view",
    "parse_xml": "._xml",
    "to_xml": "._xml",
}

__all__ = [
    "VIP_GRADIENT",
    "AssEvent",
    "AssLayout",
    "CommandDanmaku",
    "Danmaku",
    "DanmakuFlagConfig",
    "DanmakuPlayerSetting",
    "DanmakuView",
    "DmFontSize",
    "DmMode",
    "DmSegConfig",
    "ImageDanmaku",
    "SpecialDanmaku",
    "crack_uid",
    "crack_uid_candidates",
    "layout_ass",
    "parse_segment",
    "parse_special",
    "parse_view",
    "parse_xml",
    "sort_danmakus",
    "to_ass",
    "to_xml",
]


def __getattr__(name: str) -> Any:
    try:
        module = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(globals()))
