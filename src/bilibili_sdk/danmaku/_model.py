"""The danmaku value types, and the XML text rules they share with `_xml`."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import cache
from operator import attrgetter
from typing import Any, NamedTuple

__all__ = [
    "VIP_GRADIENT",
    "Danmaku",
    "DmFontSize",
    "DmMode",
    "SpecialDanmaku",
    "sort_danmakus",
]

VIP_GRADIENT = 60001
"""`Danmaku.colorful` of a VIP gradient-colour danmaku (DmColorfulType.VipGradualColor)."""


class DmMode(int, Enum):
    """Display mode of a danmaku."""

    FLY = 1
    BOTTOM = 4
    TOP = 5
    REVERSE = 6
    ADVANCE = 7
    CODE = 8
    SPECIAL = 9


class DmFontSize(int, Enum):
    """Font size of a danmaku, in pixels (25 is the normal size)."""

    EXTREME_SMALL = 12
    SUPER_SMALL = 16
    SMALL = 18
    NORMAL = 25
    BIG = 36
    SUPER_BIG = 45
    EXTREME_BIG = 64


_MODES = DmMode._value2member_map_
_SIZES = DmFontSize._value2member_map_


def _now() -> int:
    return int(time.time())


class _DanmakuFields(NamedTuple):
    # The first nine fields are in the order of the XML `p` attribute, then the text: a whole
    # batch of danmaku formats into an XML document with one `%` (see `to_xml`).
    dm_time: float
    """Position in the video, in seconds (protobuf `progress` / 1000)."""
    mode: int
    """A `DmMode` value (1-3 all scroll right to left)."""
    font_size: int
    """Font size in pixels at the player's reference size; see `DmFontSize`."""
    color: int
    """RGB colour as an int (0xRRGGBB); `color_hex` gives "rrggbb"."""
    send_time: int
    """When it was sent, in seconds since the epoch (`ctime`)."""
    pool: int
    """0 normal, 1 subtitle, 2 special (code/BAS)."""
    crc32_id: str
    """CRC-32 of the sender's uid as lowercase hex (`midHash`); see `crack_uid`."""
    id_: int
    """Danmaku id (dmid); may exceed 2^53."""
    weight: int
    """Shield level 0-11: players hide danmaku below the viewer's chosen level."""
    text: str
    id_str: str
    """The same id as a decimal string."""
    action: str
    attr: int
    """Attribute bits: bit 0 protected, bit 1 from a live stream, bit 2 highly liked."""
    uid: int
    """Sender uid where the server discloses it (protobuf field 14), else 0 / -1."""
    colorful: int
    """`VIP_GRADIENT` (60001) for a VIP gradient-colour danmaku, else 0."""


class Danmaku(_DanmakuFields):
    """One danmaku (a comment shown over the video): an immutable, hashable record.

    A tuple underneath, because a long video has 10^5 of them: the decoders build them in C
    (no Python `__init__` per danmaku), they take little memory, and they can go in sets.
    Change one with `d._replace(text=...)`. Danmaku decoded from protobuf follow proto3: a
    field the server left out is 0 or empty (a black danmaku has `color == 0`); the defaults
    of the constructor are for danmaku built by hand. `mode` and `font_size` are plain ints
    so that a value Bilibili adds later is kept; `mode_enum` / `font_size_enum` give the enum
    member when there is one. The constructor takes the seed's arguments in the seed's
    order; the tuple's own order (`_fields`) starts with the nine values of the XML `p`.
    """

    __slots__ = ()

    def __new__(
        cls,
        text: str,
        dm_time: float = 0.0,
        send_time: int | None = None,
        crc32_id: str = "",
        color: int = 0xFFFFFF,
        weight: int = -1,
        id_: int = -1,
        id_str: str = "",
        action: str = "",
        mode: int = DmMode.FLY,
        font_size: int = DmFontSize.NORMAL,
        is_sub: bool = False,
        pool: int = 0,
        attr: int = -1,
        uid: int = -1,
        colorful: int = 0,
    ) -> Danmaku:
        if is_sub and pool == 0:  # the seed's flag: a subtitle danmaku lives in pool 1
            pool = 1
        return _new(
            cls,
            (
                dm_time,
                mode,
                font_size,
                color,
                _now() if send_time is None else send_time,
                pool,
                crc32_id,
                id_,
                weight,
                text,
                id_str,
                action,
                attr,
                uid,
                colorful,
            ),
        )

    @property
    def is_sub(self) -> bool:
        """Whether it is a subtitle danmaku (pool 1)."""
        return self.pool == 1

    @property
    def color_hex(self) -> str:
        """The colour as six lowercase hex digits, e.g. "ffffff"."""
        return f"{self.color & 0xFFFFFF:06x}"

    @property
    def mode_enum(self) -> DmMode | None:
        """`mode` as a `DmMode`, or None for a value the enum does not know."""
        return _MODES.get(self.mode)  # type: ignore[return-value]

    @property
    def font_size_enum(self) -> DmFontSize | None:
        """`font_size` as a `DmFontSize`, or None for a value the enum does not know."""
        return _SIZES.get(self.font_size)  # type: ignore[return-value]

    @property
    def is_vip_colorful(self) -> bool:
        """Whether this is a VIP gradient-colour danmaku (shown with a gradient fill)."""
        return self.colorful == VIP_GRADIENT

    @staticmethod
    def crack_uid(crc32_id: str | int) -> int | None:
        """Guess the sender uid from `crc32_id`; see `bilibili_sdk.danmaku.crack_uid`."""
        from ._crack import crack_uid

        return crack_uid(crc32_id)

    def to_xml(self) -> str:
        """This danmaku as one `<d p="...">text</d>` line of Bilibili's XML format.

        `p` is dm_time (5 decimals), mode, font_size, color (decimal), send_time, pool,
        crc32_id, id_, weight: the 9 fields comment.bilibili.com serves today. (The seed wrote
        repr(dm_time) and a constant 11 as the weight, and crashed on VIP colours.)
        """
        return d_line(self, xml_text(self.text))


_new = tuple.__new__


def make_danmaku(values: tuple[Any, ...]) -> Danmaku:
    """A Danmaku from its 15 fields in tuple order (`Danmaku._fields`), as decoders build it."""
    return _new(Danmaku, values)


@dataclass(slots=True)
class SpecialDanmaku:
    """One special (BAS / code) danmaku; `content` is its script."""

    content: str
    id_: int = -1
    id_str: str = ""
    mode: int = DmMode.SPECIAL
    pool: int = 2
    dm_time: float = 0.0
    """Position in the video, in seconds."""


_BY_TIME = attrgetter("dm_time", "id_")


def sort_danmakus(items: Iterable[Danmaku]) -> list[Danmaku]:
    """A new list ordered by (dm_time, id_), the order players show them in; stable."""
    return sorted(items, key=_BY_TIME)


# ---------------------------------------------------------------- XML text rules
# XML 1.0 forbids these code points anywhere in a document (surrogates cannot even be
# encoded); they are dropped rather than escaped, as there is no way to escape them.
_BAD = "\x01-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"


@cache
def _patterns(keep_nul: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(what needs escaping, what is dropped); with `keep_nul`, NUL is neither (`_xml` joins
    batches of texts with it). Compiled on first use: they cost 1 ms at import."""
    nul = "" if keep_nul else "\x00"
    return re.compile(f"[&<>\r{nul}{_BAD}]"), re.compile(f"[{nul}{_BAD}]")


def needs_escape(s: str, *, keep_nul: bool = False) -> bool:
    """Whether `xml_text` would change `s`."""
    return _patterns(keep_nul)[0].search(s) is not None


def xml_text(s: str, *, keep_nul: bool = False) -> str:
    """`s` made safe as XML character data (`keep_nul`: leave NUL in place)."""
    special, forbidden = _patterns(keep_nul)
    if special.search(s) is None:
        return s
    s = forbidden.sub("", s)
    # \r would come back as \n (XML end-of-line handling), so it is kept as a reference.
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def xml_attr(s: str) -> str:
    """`s` made safe inside a double-quoted XML attribute."""
    if not needs_escape(s) and '"' not in s and "\n" not in s and "\t" not in s:
        return s
    s = xml_text(s).replace('"', "&quot;")
    return s.replace("\n", "&#10;").replace("\t", "&#9;")


def d_line(d: Danmaku, text: str) -> str:
    """The `<d>` element of `d`, with `text` already escaped."""
    crc = d.crc32_id
    if not crc.isalnum():
        crc = xml_attr(crc)
    # %d, not an f-string: it prints an int-valued enum member (DmMode.TOP) as its number.
    return '<d p="%.5f,%d,%d,%d,%d,%d,%s,%d,%d">%s</d>' % (  # noqa: UP031
        d.dm_time,
        d.mode,
        d.font_size,
        d.color,
        d.send_time,
        d.pool,
        crc,
        d.id_,
        d.weight,
        text,
    )
