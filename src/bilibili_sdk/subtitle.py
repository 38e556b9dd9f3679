"""CC subtitles (the JSON behind a part's `subtitle_url`) to SRT, LRC and ASS.

The JSON is `{"font_size": 0.4, ..., "body": [{"from": 0.5, "to": 2.0, "location": 2,
"content": "..."}, ...]}` with times in seconds. Every function accepts that dict or its
`body` list. Times are rounded once, to the format's unit (ms for SRT, cs for LRC and ASS),
so 59.9996 s becomes 00:01:00,000, never 00:00:59,1000. Cues keep the order of the body.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ._exceptions import ArgsException
from .danmaku._ass import _num, _time, ass_escape

__all__ = ["Cue", "cues", "to_ass", "to_lrc", "to_srt"]

Subtitle = Mapping[str, Any] | Sequence[Mapping[str, Any]]
Cue = tuple[float, float, int, list[str]]
"""(from, to, location, lines): one cue, times in seconds, blank lines removed."""


_CUE = "{'from': seconds, 'to': seconds, 'content': str}"
_FORMS = f"a subtitle dict with a 'body' list of cues ({_CUE}), or that list"


def _number(item: Mapping[str, Any], key: str, where: str) -> float:
    v = item.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ArgsException(
            f"subtitle: expected {where}[{key!r}] to be a finite number of seconds, got {v!r}",
            "subtitle",
        )
    return float(v)


def cues(subtitle: Subtitle) -> list[Cue]:
    """The checked cues of `subtitle` (a dict with `body`, or the body list itself).

    A cue's lines are its content split at line breaks, without blank lines (a blank line
    would end an SRT cue early); a cue left with no text is dropped. A negative time counts
    as 0 and an end before the start as the start.

    Raises:
        ArgsException: not a subtitle dict or body list, or a cue without numeric `from`/`to`
            or string `content`.
    """
    if isinstance(subtitle, Mapping):
        body = subtitle.get("body")
        if body is None:
            raise ArgsException(
                f"subtitle: expected {_FORMS}, got a dict without 'body'", "subtitle"
            )
    else:
        body = subtitle
    if isinstance(body, (str, bytes)) or not isinstance(body, Sequence):
        raise ArgsException(f"subtitle: expected {_FORMS}, got {type(body).__name__}", "subtitle")
    out: list[Cue] = []
    for i, item in enumerate(body):
        where = f"body[{i}]"
        if not isinstance(item, Mapping):
            raise ArgsException(
                f"subtitle: expected {where} to be a cue dict ({_CUE}), got {type(item).__name__}",
                "subtitle",
            )
        start = max(0.0, _number(item, "from", where))
        end = max(start, _number(item, "to", where))
        content = item.get("content")
        if not isinstance(content, str):
            raise ArgsException(
                f"subtitle: expected {where}['content'] to be a str, got {type(content).__name__}",
                "subtitle",
            )
        location = item.get("location", 2)
        if isinstance(location, bool) or not isinstance(location, int):
            location = 2
        lines = content.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        lines = [line for line in lines if line.strip()]
        if lines:
            out.append((start, end, location, lines))
    return out


def _srt_time(t: float) -> str:
    ms = round(t * 1000)
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d},{ms:03d}"


def to_srt(subtitle: Subtitle) -> str:
    """SubRip text: numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, one line per content line.

    Raises:
        ArgsException: see `cues`.
    """
    blocks = [
        f"{n}\n{_srt_time(start)} --> {_srt_time(end)}\n" + "\n".join(lines) + "\n"
        for n, (start, end, _, lines) in enumerate(cues(subtitle), 1)
    ]
    return "\n".join(blocks)


def _lrc_time(cs: int) -> str:
    m, cs = divmod(cs, 6000)
    s, cs = divmod(cs, 100)
    return f"[{m:02d}:{s:02d}.{cs:02d}]"


def to_lrc(subtitle: Subtitle) -> str:
    """LRC text: `[mm:ss.xx]text` per cue (minutes go past 59; lines joined with " / ").

    LRC has no end times, so after a cue followed by a gap (or the last cue) an empty
    `[mm:ss.xx]` line at its end clears the text.

    Raises:
        ArgsException: see `cues`.
    """
    items = cues(subtitle)
    out: list[str] = []
    for i, (start, end, _, lines) in enumerate(items):
        out.append(_lrc_time(round(start * 100)) + " / ".join(lines))
        end_cs = round(end * 100)
        if i + 1 == len(items) or round(items[i + 1][0] * 100) > end_cs:
            out.append(_lrc_time(end_cs))
    return "".join(line + "\n" for line in out)


def to_ass(
    subtitle: Subtitle,
    *,
    width: int = 1920,
    height: int = 1080,
    font: str = "Microsoft YaHei",
    font_size: float | None = None,
) -> str:
    """An ASS file: white text with a black outline, bottom centre.

    `font_size` defaults to height / 20 (54 px at 1080p). A cue whose `location` is another
    numpad position (8: top centre...) gets that alignment (`\\anN`).

    Raises:
        ArgsException: see `cues`; or a bad width, height, font or font_size.
    """
    for name, v in (("width", width), ("height", height)):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise ArgsException(f"{name}: expected a positive int (pixels), got {v!r}", name)
    if font_size is None:
        font_size = height / 20
    if (
        isinstance(font_size, bool)
        or not isinstance(font_size, (int, float))
        or not math.isfinite(font_size)
        or font_size <= 0
    ):
        raise ArgsException(
            f"font_size: expected a finite number > 0 (pixels) or None, got {font_size!r}",
            "font_size",
        )
    if not isinstance(font, str) or not font.strip() or any(c in font for c in ",\r\n"):
        raise ArgsException(
            f"font: expected a non-empty font name without commas or line breaks, got {font!r}",
            "font",
        )
    items = cues(subtitle)
    margin = round(height / 30)
    head = [
        "[Script Info]",
        "; Script generated by bilibili_sdk",
        "ScriptType: v4.00+",
        "WrapStyle: 0",
        "ScaledBorderAndShadow: yes",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, "
        "BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Default,{font.strip()},{_num(font_size)},&H00FFFFFF,&H00FFFFFF,&H00000000,"
        f"&H80000000,0,0,0,0,100,100,0,0,1,{_num(font_size / 20)},0,2,"
        f"{margin},{margin},{margin},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for start, end, location, lines in items:
        tag = f"{{\\an{location}}}" if location != 2 and 1 <= location <= 9 else ""
        text = "\\N".join(ass_escape(line) for line in lines)
        head.append(f"Dialogue: 0,{_time(start)},{_time(end)},Default,,0,0,0,,{tag}{text}")
    return "\n".join(head) + "\n"
