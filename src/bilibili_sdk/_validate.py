"""Argument checks used by generated `_prepare_*` functions: fail before any I/O."""

from __future__ import annotations

import datetime as _dt
import json as _json
import re
import time as _time
from collections.abc import Sequence
from enum import Enum
from typing import Any, TypeVar

from ._exceptions import ArgsException

E = TypeVar("E", bound=Enum)

_BVID = re.compile(r"^BV1[1-9A-HJ-NP-Za-km-z]{9}$")


def _bad(name: str, expected: str, value: Any) -> ArgsException:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ArgsException(f"{name}: expected {expected}, got {shown}", argument=name)


def one_of(**values: Any) -> None:
    given = [k for k, v in values.items() if v is not None]
    if len(given) != 1:
        names = " or ".join(values)
        which = ("both " if len(given) == 2 else "") + " and ".join(given) if given else "none"
        raise ArgsException(
            f"{names}: give exactly one of {', '.join(f'{k}=' for k in values)}; got {which}",
            argument=next(iter(values)),
        )


def positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _bad(name, "a positive int (>= 1)", value)
    return value


def _int_range(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return f"an int from {lo} to {hi}"
    if lo is not None:
        return f"an int >= {lo}"
    if hi is not None:
        return f"an int <= {hi}"
    return "an int"


def integer(name: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or (lo is not None and value < lo)
        or (hi is not None and value > hi)
    ):
        raise _bad(name, _int_range(lo, hi), value)
    return value


def number(name: str, value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(name, "a number (int or float)", value)
    return value


def boolean(name: str, value: Any, as_str: bool = False) -> int | str:
    if not isinstance(value, bool):
        raise _bad(name, "True or False", value)
    if as_str:
        return "true" if value else "false"
    return 1 if value else 0


def string(name: str, value: Any) -> str:
    if isinstance(value, Enum):
        value = value.value
    if not isinstance(value, str):
        raise _bad(name, "a str", value)
    return value


def bvid(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _BVID.match(value):
        raise _bad(name, "a BV id like 'BV1xx411c7mD'", value)
    return value


_DATE_FORMS = "a datetime.date or a 'YYYY-MM-DD' string like '2024-01-02'"


def date(name: str, value: Any) -> str:
    if isinstance(value, _dt.datetime):  # a day is asked for: refuse to drop the time silently
        raise _bad(name, _DATE_FORMS, value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise _bad(name, _DATE_FORMS, value)


def json_value(name: str, value: Any) -> str:
    try:
        return _json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        raise _bad(name, "JSON-serialisable data", value) from None


def int_list(name: str, value: Any, sep: str = ",") -> str | list[str]:
    """Joined with `sep`, or (sep "repeat") a list: the key is repeated once per value."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise _bad(name, "a non-empty list of ints like [1, 2]", value)
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int):
            raise _bad(name, "a non-empty list of ints like [1, 2]", value)
    items = [str(i) for i in value]
    return items if sep == "repeat" else sep.join(items)


def str_list(name: str, value: Any, sep: str = ",") -> str | list[str]:
    """Joined with `sep`, or (sep "repeat") a list: the key is repeated once per value."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence) or not value:
        raise _bad(name, "a non-empty list of str like ['a', 'b']", value)
    for item in value:
        if not isinstance(item, str):
            raise _bad(name, "a non-empty list of str like ['a', 'b']", value)
    return list(value) if sep == "repeat" else sep.join(value)


def enum_value(name: str, value: Any, enum: type[E]) -> Any:
    if isinstance(value, enum):
        return value.value
    if not isinstance(value, bool):
        for member in enum:
            if member.value == value and type(member.value) is type(value):
                return member.value
    allowed = ", ".join(repr(m.value) for m in enum)
    raise _bad(name, f"one of {allowed} (or a {enum.__name__})", value)


def choice(name: str, value: Any, allowed: tuple[Any, ...]) -> Any:
    if value not in allowed:
        raise _bad(name, "one of " + ", ".join(repr(a) for a in allowed), value)
    return value


def unix_time() -> int:
    """The current time in whole seconds, for parameters the web client stamps on each call."""
    return int(_time.time())


_check_bvid = bvid  # the functions below take a parameter of that name
_AV = re.compile(r"^(?:av|AV)([1-9][0-9]*)$")
VIDEO_FORMS = "a BV id like 'BV1uv411q7Mv' or an av number like 170001"


def video(value: Any, aid: Any, bvid: Any) -> tuple[int | None, str | None]:
    """The video a call is about: the positional slot, or exactly one of aid= / bvid=."""
    if value is None:
        if aid is None and bvid is None:
            raise ArgsException(
                f"video: give the video, as {VIDEO_FORMS} (or aid= / bvid=)", argument="video"
            )
        if aid is not None and bvid is not None:
            raise ArgsException(
                "aid or bvid: give exactly one of aid=, bvid= (or the video positionally); "
                "got both aid and bvid",
                argument="aid",
            )
        return aid, bvid
    if aid is not None or bvid is not None:
        which = "aid=" if aid is not None else "bvid="
        raise ArgsException(
            f"video: given twice, positionally and as {which}; give it only one way",
            argument="video",
        )
    if isinstance(value, str):
        if _BVID.match(value):
            return None, value
        m = _AV.match(value)
        if m:
            return int(m.group(1)), None
    elif isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value, None
    raise _bad("video", VIDEO_FORMS, value)


def video_aid(value: Any, aid: Any) -> int:
    """The video as an av number, for endpoints that only take `aid` (a BV id is converted)."""
    got_aid, got_bvid = video(value, aid, None)
    if got_bvid is not None:
        from ._ids import bvid2aid

        return bvid2aid(got_bvid)
    return positive_int("aid", got_aid)


def video_bvid(value: Any, bvid: Any) -> str:
    """The video as a BV id, for endpoints that only take `bvid` (an av number is converted)."""
    got_aid, got_bvid = video(value, None, bvid)
    if got_aid is not None:
        from ._ids import aid2bvid

        return aid2bvid(positive_int("aid", got_aid))
    return _check_bvid("bvid", got_bvid)


def json_object(name: str, value: Any) -> dict[str, Any]:
    """A mapping that serialises to JSON, sent as a nested object of a JSON body."""
    if not isinstance(value, dict):
        raise _bad(name, "a JSON object (a dict)", value)
    try:
        _json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        raise _bad(name, "JSON-serialisable data", value) from None
    return value


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"GIF8", "gif", "image/gif"),
    (b"BM", "bmp", "image/bmp"),
)


def _sniff(data: bytes) -> tuple[str, str]:
    """(extension, MIME type) from an image's first bytes; octet-stream when unknown."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    for magic, ext, mime in _MAGIC:
        if data.startswith(magic):
            return ext, mime
    return "bin", "application/octet-stream"


def file_part(name: str, value: Any) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of a multipart file field: a `Picture`, bytes, or the
    path of a local file (read here, so a missing file fails before any request)."""
    import os

    content = getattr(value, "content", None)
    mime = getattr(value, "mime_type", None)
    if isinstance(content, bytes) and isinstance(mime, str):  # a Picture
        fmt = str(getattr(value, "format", "") or "bin")
        return f"{name}.{'jpg' if fmt == 'jpeg' else fmt}", content, mime
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if not data:
            raise _bad(name, "a Picture, non-empty bytes or a file path", value)
        ext, mime = _sniff(data)
        return f"{name}.{ext}", data, mime
    if isinstance(value, (str, os.PathLike)):
        path = os.fspath(value)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise ArgsException(
                f"{name}: cannot read {path!r} ({type(e).__name__}: {e.strerror or e})",
                argument=name,
            ) from e
        if not data:
            raise ArgsException(f"{name}: {path!r} is empty", argument=name)
        _, mime = _sniff(data)
        return os.path.basename(path) or name, data, mime
    raise _bad(name, "a Picture, bytes or a file path", value)
