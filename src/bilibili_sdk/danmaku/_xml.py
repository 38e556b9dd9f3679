"""Bilibili's XML danmaku format (comment.bilibili.com/{cid}.xml, x/v1/dm/list.so).

A document is `<i>` holding a few header elements and one `<d p="...">text</d>` per danmaku.
`p` has 8 comma-separated fields in older files and 9 today: dm_time in seconds, mode,
font_size, color (decimal RGB), send_time, pool, crc32_id, id, and weight (shield level).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import chain
from operator import add, itemgetter

from .._exceptions import ArgsException
from .._protobuf import DecodeError
from ._model import Danmaku, make_danmaku, needs_escape, xml_attr, xml_text

__all__ = ["parse_xml", "to_xml"]

# Escaping each text on its own costs a regex search per danmaku. Joined with NUL, which XML
# forbids (so a text holding NUL takes the slow path), one search and one pass of replaces
# cover the whole batch, and most batches need no escaping at all.
_SEP = "\x00"


_SAME: list[str] = []  # _escaped_texts: "every text is fine as it is"
_TEXT = itemgetter(9)
_CRC = itemgetter(6)
_HEAD = itemgetter(slice(0, 9))
_LINE = '<d p="%.5f,%d,%d,%d,%d,%d,%s,%d,%d">%s</d>\n'
_HEAD_TEXT = itemgetter(slice(0, 10))


def _escaped_texts(items: list[Danmaku]) -> list[str]:
    """The texts made XML-safe, or `_SAME` when none needs a change (the common case)."""
    texts = list(map(_TEXT, items))
    joined = _SEP.join(texts)
    if joined.count(_SEP) != len(texts) - 1:
        # A text holds NUL, which xml_text drops: that text at least changes.
        return [xml_text(t) for t in texts]
    if not needs_escape(joined, keep_nul=True):
        return _SAME
    return xml_text(joined, keep_nul=True).split(_SEP)


def to_xml(danmakus: Iterable[Danmaku], *, cid: int | None = None) -> str:
    """A whole XML danmaku document, in the layout comment.bilibili.com serves.

    The header mirrors the server's (`chatserver`, `chatid`, `mission`, `maxlimit`, `state`,
    `real_name`, `source`); `chatid` is `cid` (0 when None) and `maxlimit` is the number of
    danmaku. Each danmaku is one line (see `Danmaku.to_xml`), in the order given. Characters
    XML 1.0 forbids are dropped from texts; everything else round-trips through `parse_xml`
    (dm_time to 10 us: `p` has 5 decimals, as the server writes it; the seed wrote Python's
    repr of the float, and 11 in place of the weight).

    Raises:
        ArgsException: `cid` is not an int or None.
    """
    if cid is not None and (isinstance(cid, bool) or not isinstance(cid, int)):
        raise ArgsException(f"cid: expected an int or None, got {cid!r}", "cid")
    items = list(danmakus)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?><i><chatserver>chat.bilibili.com</chatserver>'
        f"<chatid>{cid or 0}</chatid><mission>0</mission><maxlimit>{len(items)}</maxlimit>"
        "<state>0</state><real_name>0</real_name><source>k-v</source>\n"
    )
    if not items:
        return head + "</i>\n"
    # A danmaku's tuple starts with the nine `p` values, then its text: the whole batch is
    # one % over the flattened tuple heads, all in C. Texts needing escapes, or an odd
    # crc32_id, take a path that re-pairs values.
    texts = _escaped_texts(items)
    if not "".join(map(_CRC, items)).isalnum():  # Bilibili's are hex; escape anything else
        items = [d._replace(crc32_id=xml_attr(d.crc32_id)) for d in items]  # alnum: as is
    if texts is not _SAME:
        flat = chain.from_iterable(map(add, map(_HEAD, items), zip(texts)))
        return head + (_LINE * len(items)) % tuple(flat) + "</i>\n"
    flat = chain.from_iterable(map(_HEAD_TEXT, items))
    return head + (_LINE * len(items)) % tuple(flat) + "</i>\n"


def _fields(text: str, p: str, index: int) -> Danmaku:
    f = p.split(",")
    if len(f) < 8:
        raise DecodeError(f"<d> #{index}: p has {len(f)} fields, expected at least 8: {p!r}")
    try:
        return make_danmaku(
            (
                float(f[0]),
                int(f[1]),
                int(f[2]),
                int(f[3]),
                int(f[4]),
                int(f[5]),
                f[6],
                int(f[7]),
                int(f[8]) if len(f) > 8 and f[8] else 0,
                text,
                f[7],
                "",
                0,
                0,
                0,
            )
        )
    except ValueError:
        raise DecodeError(f"<d> #{index}: malformed p {p!r}") from None


class _DoctypeRefused(Exception):
    pass


def _refuse_doctype(*_: object) -> None:
    raise _DoctypeRefused


# UTF-32 by its BOM or by "<" as the first code point (XML 1.0 appendix F); expat reads
# UTF-8, UTF-16 and single-byte encodings only, so UTF-32 is decoded here first.
_UTF32 = {
    b"\x00\x00\xfe\xff": "utf-32",
    b"\xff\xfe\x00\x00": "utf-32",
    b"\x00\x00\x00<": "utf-32-be",
    b"<\x00\x00\x00": "utf-32-le",
}


def parse_xml(text: str | bytes) -> list[Danmaku]:
    """Read an XML danmaku document (ours or comment.bilibili.com's) into danmaku, in order.

    Fields the XML does not carry are 0 or empty (attr, uid, action, colorful); `id_str` is
    the id as written and `is_sub` follows `pool`. An 8-field `p` (older files) has weight 0.
    Bytes may be UTF-8 (with or without a BOM), UTF-16, UTF-32 or a single-byte encoding
    that the XML declaration names; a str is read as it is, whatever its declaration says.

    Raises:
        DecodeError: not well-formed XML, text that does not decode (unknown or unsupported
            encoding, bad bytes, lone surrogates), any DTD (refused: entity declarations
            expand without bound), or a `<d>` whose `p` has fewer than 8 comma-separated
            fields or one of the wrong type.
        ArgsException: `text` is neither str nor bytes.
    """
    # expat straight, not ElementTree: its DOCTYPE handler fires before the DTD is read, on
    # text already decoded, so the refusal holds in every encoding (a byte search for
    # "<!ENTITY" missed UTF-16), and raising there stops the parse at once. defusedxml does
    # the same with more machinery (and allows DTDs); danmaku documents never have one.
    from xml.parsers import expat

    if isinstance(text, (bytearray, memoryview)):
        text = bytes(text)
    if not isinstance(text, (str, bytes)):
        raise ArgsException(
            f"text: expected the XML as str or bytes, got {type(text).__name__}", "text"
        )
    found: list[tuple[str | None, list[str]]] = []
    current: list[str] | None = None

    def start(name: str, attrs: dict[str, str]) -> None:
        # Like ElementTree's `el.text`: the text of a <d> up to its first child.
        nonlocal current
        if name == "d":
            current = []
            found.append((attrs.get("p"), current))
        else:
            current = None

    def end(name: str) -> None:
        nonlocal current
        current = None

    def data(chunk: str) -> None:
        if current is not None:
            current.append(chunk)

    # "}" as ElementTree sets it: a namespaced <x:d> or <d xmlns="..."> is not a <d>.
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_doctype
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        if isinstance(text, bytes) and text[:4] in _UTF32:
            text = text.decode(_UTF32[text[:4]])
        parser.Parse(text, True)
    except _DoctypeRefused:
        raise DecodeError("refusing an XML document with a DTD (entities could expand)") from None
    except expat.ExpatError as e:
        raise DecodeError(f"not well-formed XML: {e}") from None
    except (LookupError, ValueError, Warning) as e:
        # An unknown or multi-byte encoding, bad bytes, a lone surrogate; Warning when a
        # declared codec warns (unicode_escape) and warnings are errors.
        raise DecodeError(f"XML text does not decode: {e}") from None
    out: list[Danmaku] = []
    for i, (p, chunks) in enumerate(found):
        if p is None:
            raise DecodeError(f"<d> #{i} has no p attribute")
        out.append(_fields("".join(chunks), p, i))
    return out
