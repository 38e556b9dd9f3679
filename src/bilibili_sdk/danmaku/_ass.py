"""Danmaku to ASS subtitles: lay the danmaku out in lanes so that none overlap.

The screen (minus `reserve_bottom`) is cut into lanes one normal line high (`font_size +
lane_spacing`); a bigger or multi-line danmaku takes several adjacent lanes. Each danmaku, in
(dm_time, id) order, takes the topmost run of free lanes of its family, or is dropped:

* scrolling (modes 1-3 right to left, 6 left to right) share lanes. Every danmaku crosses the
  screen in `scroll_duration`, so a longer one moves faster. A lane is free when its last
  danmaku, if it went the same way, has fully entered the screen and will not be caught up
  before it leaves; if it went the other way, when it has left.
* top (5) and bottom (4) danmaku stay `fixed_duration`, centred; their lanes count from the
  top and from the bottom, and are free once the previous one's time is over.

Text width is an estimate (no font metrics): full-width and wide characters (CJK, most emoji)
are 1 em, everything else half an em.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .._exceptions import ArgsException
from ._model import Danmaku, sort_danmakus

__all__ = ["AssEvent", "AssLayout", "layout_ass", "to_ass"]

_SCROLL_MODES = {1: 1, 2: 1, 3: 1, 6: -1}  # mode -> direction (1: right to left)
_EPS = 1e-9


@dataclass(slots=True)
class AssEvent:
    """Where and when one danmaku is shown."""

    danmaku: Danmaku
    kind: str
    """"scroll", "reverse", "top" or "bottom"."""
    lane: int
    """First lane taken; counted from the top, for "bottom" from the bottom."""
    lanes: int
    """Number of lanes taken."""
    start: float
    end: float
    x1: float
    """Start position (for fixed danmaku also the end position) of the anchor point: the
    top-left corner when scrolling, the top centre for "top", the bottom centre for "bottom"."""
    y1: float
    x2: float
    y2: float
    width: float
    """Estimated text width, in pixels."""
    height: float
    """Text height (font size x lines), in pixels."""


@dataclass(slots=True)
class AssLayout:
    """The result of `layout_ass`: the file text and what happened to each danmaku."""

    text: str
    events: list[AssEvent] = field(default_factory=list)
    dropped: list[Danmaku] = field(default_factory=list)
    """Danmaku that found no free lane."""
    skipped: list[Danmaku] = field(default_factory=list)
    """Danmaku of modes that are not laid out (7 advanced, 8 code, 9 BAS, unknown)."""


def _num(x: float) -> str:
    """A number for the ASS text: integral values without a fraction, else 2 decimals."""
    r = round(x, 2)
    if r == int(r):
        return str(int(r))
    return f"{r:.2f}".rstrip("0")


def _time(t: float) -> str:
    cs = max(0, round(t * 100))
    h, cs = divmod(cs, 360000)
    m, cs = divmod(cs, 6000)
    s, cs = divmod(cs, 100)
    return f"{h}:{m:02d}:{s:02d}.{cs:02d}"


def ass_escape(text: str) -> str:
    """`text` as literal ASS event text: override braces escaped, newlines as \\N.

    A backslash gets an invisible word joiner after it, so that "\\N", "\\h" or "\\{" typed
    in a danmaku stay text instead of becoming commands.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\\" in text:
        text = text.replace("\\", "\\\u2060")
    if "{" in text or "}" in text:
        text = text.replace("{", "\\{").replace("}", "\\}")
    return text.replace("\n", "\\N")


def text_width(line: str) -> float:
    """Estimated width of one line, in em."""
    if line.isascii():
        return len(line) * 0.5
    eaw = unicodedata.east_asian_width
    return sum(1.0 if eaw(c) in "WF" else 0.5 for c in line)


def _check(name: str, value: object, *, minimum: float, strict: bool, integer: bool) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or (integer and not isinstance(value, int))
        or not math.isfinite(value)
        or value < minimum
        or (strict and value == minimum)
    ):
        kind = "an int" if integer else "a finite number"
        op = ">" if strict else ">="
        raise ArgsException(f"{name}: expected {kind} {op} {minimum}, got {value!r}", name)


def layout_ass(
    danmakus: Iterable[Danmaku],
    *,
    width: int = 1920,
    height: int = 1080,
    font: str = "Microsoft YaHei",
    font_size: float = 25.0,
    opacity: float = 0.8,
    scroll_duration: float = 8.0,
    fixed_duration: float = 4.0,
    lane_spacing: float = 2.0,
    reserve_bottom: float = 0.0,
    title: str = "Danmaku",
) -> AssLayout:
    """Lay out `danmakus` as an ASS file (see the module docstring for the rules).

    Args:
        width, height: The script resolution (PlayResX/PlayResY), in pixels.
        font: Font name of the style.
        font_size: Size of a NORMAL (25) danmaku, in pixels; others scale by font_size / 25.
        opacity: 0 (invisible) to 1 (opaque).
        scroll_duration: Seconds a scrolling danmaku takes to cross the screen.
        fixed_duration: Seconds a top or bottom danmaku stays.
        lane_spacing: Pixels between lanes.
        reserve_bottom: Pixels kept free at the bottom (e.g. for the video's own subtitles).
        title: The script's Title.

    Danmaku of modes 7 (advanced), 8 (code) and 9 (BAS) need a script engine and are
    skipped, as are unknown modes; see `AssLayout.skipped`. Danmaku without a free lane are
    dropped (`AssLayout.dropped`), never drawn over another.

    Raises:
        ArgsException: a size, duration or opacity out of range, or a font or title that
            would break the file (a comma in `font`, a line break in either).
    """
    _check("width", width, minimum=0, strict=True, integer=True)
    _check("height", height, minimum=0, strict=True, integer=True)
    _check("font_size", font_size, minimum=0, strict=True, integer=False)
    _check("opacity", opacity, minimum=0, strict=False, integer=False)
    if opacity > 1:
        raise ArgsException(f"opacity: expected a number from 0 to 1, got {opacity!r}", "opacity")
    _check("scroll_duration", scroll_duration, minimum=0, strict=True, integer=False)
    _check("fixed_duration", fixed_duration, minimum=0, strict=True, integer=False)
    _check("lane_spacing", lane_spacing, minimum=0, strict=False, integer=False)
    _check("reserve_bottom", reserve_bottom, minimum=0, strict=False, integer=False)
    if reserve_bottom >= height:
        raise ArgsException(
            f"reserve_bottom: expected a number >= 0 and < height ({height}), "
            f"got {reserve_bottom!r}",
            "reserve_bottom",
        )
    if not isinstance(font, str) or not font.strip() or any(c in font for c in ",\r\n"):
        raise ArgsException(
            f"font: expected a non-empty font name without commas or line breaks, got {font!r}",
            "font",
        )
    if not isinstance(title, str) or "\n" in title or "\r" in title:
        raise ArgsException(f"title: expected a str without line breaks, got {title!r}", "title")

    W = float(width)
    usable = height - reserve_bottom
    lane_h = font_size + lane_spacing
    n_lanes = int(usable // lane_h + _EPS)
    scroll: list[tuple[float, float, int] | None] = [None] * n_lanes  # (start, width, dir)
    top: list[float] = [-math.inf] * n_lanes  # end time of the last one
    bottom: list[float] = [-math.inf] * n_lanes
    D, F = float(scroll_duration), float(fixed_duration)

    result = AssLayout("")
    lines: list[str] = []
    for d in sort_danmakus(danmakus):
        direction = _SCROLL_MODES.get(d.mode, 0)
        if not direction and d.mode not in (4, 5):
            result.skipped.append(d)
            continue
        size = font_size * d.font_size / 25 if d.font_size > 0 else font_size
        text_lines = d.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        w = float(math.ceil(max(map(text_width, text_lines)) * size - _EPS))
        h = size * len(text_lines)
        k = max(1, math.ceil((h + lane_spacing) / lane_h - _EPS))
        t = d.dm_time

        lane = -1
        if direction:
            # Same direction: wait until the last one has entered (w_last / speed_last) and
            # start late enough not to catch it up: both are t_last + D * w / (W + w).
            need = D * w / (W + w)
            for i in range(n_lanes - k + 1):
                for j in range(i, i + k):
                    last = scroll[j]
                    if last is None:
                        continue
                    ta, wa, da = last
                    if da == direction:
                        if t - ta < max(need, D * wa / (W + wa)) - _EPS:
                            break
                    elif t < ta + D - _EPS:
                        break
                else:
                    lane = i
                    break
            if lane >= 0:
                scroll[lane : lane + k] = [(t, w, direction)] * k
        else:
            ends = top if d.mode == 5 else bottom
            for i in range(n_lanes - k + 1):
                if all(ends[j] <= t + _EPS for j in range(i, i + k)):
                    lane = i
                    ends[i : i + k] = [t + F] * k
                    break
        if lane < 0:
            result.dropped.append(d)
            continue

        tags = []
        if direction == 1:
            kind, end = "scroll", t + D
            y1 = y2 = lane * lane_h
            x1, x2 = W, -w
            tags.append(f"\\move({_num(x1)},{_num(y1)},{_num(x2)},{_num(y2)})")
        elif direction == -1:
            kind, end = "reverse", t + D
            y1 = y2 = lane * lane_h
            x1, x2 = -w, W
            tags.append(f"\\move({_num(x1)},{_num(y1)},{_num(x2)},{_num(y2)})")
        elif d.mode == 5:
            kind, end = "top", t + F
            x1 = x2 = W / 2
            y1 = y2 = lane * lane_h
            tags.append(f"\\an8\\pos({_num(x1)},{_num(y1)})")
        else:
            kind, end = "bottom", t + F
            x1 = x2 = W / 2
            y1 = y2 = usable - lane * lane_h
            tags.append(f"\\an2\\pos({_num(x1)},{_num(y1)})")
        if abs(size - font_size) > 0.005:
            tags.append(f"\\fs{_num(size)}")
        rgb = d.color & 0xFFFFFF
        if rgb != 0xFFFFFF:
            tags.append(f"\\c&H{rgb & 0xFF:02X}{rgb >> 8 & 0xFF:02X}{rgb >> 16:02X}&")
            if rgb == 0:  # black text on a black outline would vanish
                tags.append("\\3c&HFFFFFF&")
        layer = 0 if direction else 1
        lines.append(
            f"Dialogue: {layer},{_time(t)},{_time(end)},Danmaku,,0,0,0,,"
            f"{{{''.join(tags)}}}{ass_escape(d.text)}"
        )
        result.events.append(AssEvent(d, kind, lane, k, t, end, x1, y1, x2, y2, w, h))

    alpha = f"{255 - round(opacity * 255):02X}"
    head = [
        "[Script Info]",
        "; Script generated by bilibili_sdk",
        f"Title: {title}",
        "ScriptType: v4.00+",
        "WrapStyle: 2",
        "ScaledBorderAndShadow: yes",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Danmaku,{font.strip()},{_num(font_size)},&H{alpha}FFFFFF,&H{alpha}FFFFFF,"
        f"&H{alpha}000000,&H{alpha}000000,0,0,0,0,100,100,0,0,1,"
        f"{_num(max(1.0, font_size / 25))},0,7,0,0,0,1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    result.text = "\n".join(head + lines) + "\n"
    return result


def to_ass(
    danmakus: Iterable[Danmaku],
    *,
    width: int = 1920,
    height: int = 1080,
    font: str = "Microsoft YaHei",
    font_size: float = 25.0,
    opacity: float = 0.8,
    scroll_duration: float = 8.0,
    fixed_duration: float = 4.0,
    lane_spacing: float = 2.0,
    reserve_bottom: float = 0.0,
    title: str = "Danmaku",
) -> str:
    """`danmakus` as the text of an ASS subtitle file; `layout_ass` documents the arguments
    and also reports which danmaku were dropped (no free lane) or skipped (modes 7-9)."""
    return layout_ass(
        danmakus,
        width=width,
        height=height,
        font=font,
        font_size=font_size,
        opacity=opacity,
        scroll_duration=scroll_duration,
        fixed_duration=fixed_duration,
        lane_spacing=lane_spacing,
        reserve_bottom=reserve_bottom,
        title=title,
    ).text
