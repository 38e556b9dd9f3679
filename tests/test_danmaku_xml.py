"""parse_xml on hostile input: DTDs refused in every encoding, every malformed document a
DecodeError, and valid documents read the same in every encoding."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bilibili_sdk._protobuf import DecodeError
from bilibili_sdk.danmaku import Danmaku, parse_xml

DOC = (
    '<?xml version="1.0" encoding="{enc}"?>\n<i><chatid>1</chatid>'
    '<d p="1.5,1,25,16777215,1700000000,0,8a0f75dc,42,5">前方高能 &amp; ok</d>'
    '<d p="2,5,36,0,1700000001,1,e4b18b37,43">second</d></i>\n'
)
EXPECTED = [
    Danmaku("前方高能 & ok", 1.5, 1700000000, "8a0f75dc", 16777215, 5, 42, "42", "", 1, 25,
            False, 0, 0, 0, 0),
    Danmaku("second", 2.0, 1700000001, "e4b18b37", 0, 0, 43, "43", "", 5, 36, True, 1, 0, 0, 0),
]  # fmt: skip

# Python codec name, the name the declaration gives, and a BOM to put in front (the codecs
# "utf-16"/"utf-32" write their own).
ENCODINGS = {
    "utf-8": ("utf-8", "UTF-8", b""),
    "utf-8-bom": ("utf-8", "UTF-8", b"\xef\xbb\xbf"),
    "utf-16": ("utf-16", "UTF-16", b""),
    "utf-16-le-bom": ("utf-16-le", "UTF-16", b"\xff\xfe"),
    "utf-16-be-bom": ("utf-16-be", "UTF-16", b"\xfe\xff"),
    "utf-16-le": ("utf-16-le", "UTF-16LE", b""),
    "utf-16-be": ("utf-16-be", "UTF-16BE", b""),
    "utf-32": ("utf-32", "UTF-32", b""),
    "utf-32-le-bom": ("utf-32-le", "UTF-32", b"\xff\xfe\x00\x00"),
    "utf-32-be-bom": ("utf-32-be", "UTF-32", b"\x00\x00\xfe\xff"),
    "utf-32-le": ("utf-32-le", "UTF-32LE", b""),
    "utf-32-be": ("utf-32-be", "UTF-32BE", b""),
}


def encode(doc: str, name: str) -> bytes:
    codec, declared, bom = ENCODINGS[name]
    return bom + doc.replace("{enc}", declared).encode(codec)


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_valid_documents_parse_in_every_encoding(name: str) -> None:
    assert parse_xml(encode(DOC, name)) == EXPECTED


def test_str_and_single_byte_documents_still_parse() -> None:
    assert parse_xml(DOC.replace("{enc}", "UTF-8")) == EXPECTED
    latin = DOC.replace("前方高能", "caf\xe9").replace("{enc}", "ISO-8859-1").encode("latin-1")
    assert parse_xml(latin)[0].text == "caf\xe9 & ok"
    cp1252 = DOC.replace("前方高能", "\u20ac").replace("{enc}", "windows-1252").encode("cp1252")
    assert parse_xml(cp1252)[0].text == "\u20ac & ok"


# About 1 KB that expands to 300,000 characters: three references to 10^5 "a"s.
BOMB = (
    '<?xml version="1.0" encoding="{enc}"?>\n<!DOCTYPE i [\n'
    '<!ENTITY a "aaaaaaaaaa">\n'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">\n'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">\n'
    '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">\n'
    ']>\n<i><d p="1,1,25,0,0,0,h,1">&e;&e;&e;</d></i>\n'
)


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_entity_bombs_are_refused_in_every_encoding(name: str) -> None:
    data = encode(BOMB, name)
    assert len(data) < 2000
    start = time.perf_counter()
    with pytest.raises(DecodeError, match="DTD"):
        parse_xml(data)
    assert time.perf_counter() - start < 0.5


@pytest.mark.parametrize(
    "doc",
    [
        BOMB.replace("{enc}", "UTF-16"),  # as a str the declaration does not count
        '<!DOCTYPE i SYSTEM "http://example.invalid/i.dtd"><i/>',  # external: never fetched
        '<!DOCTYPE i [<!ENTITY % p "x">]><i/>',  # parameter entity
        "<!DOCTYPE i><i/>",  # a bare DOCTYPE: danmaku documents never have one
        "<!DOCTYPE i [<!ENTITY\ta 'x'>]><i>&a;</i>",
    ],
)
def test_any_dtd_is_refused(doc: str) -> None:
    with pytest.raises(DecodeError, match="DTD"):
        parse_xml(doc)
    with pytest.raises(DecodeError, match="DTD"):
        parse_xml(doc.encode("utf-16"))


@pytest.mark.parametrize(
    "encoding",
    [
        "bogus",  # unknown: LookupError before
        "rot13",  # a codec, not a text encoding: LookupError
        "hex",
        "utf-7",  # multi-byte: ValueError
        "shift_jis",
        "idna",  # UnicodeError
        "UTF-16",  # wrong for UTF-8 bytes
        "UTF-32",
        "",
    ],
)
def test_bad_encoding_declarations_raise_decode_error(encoding: str) -> None:
    with pytest.raises(DecodeError):
        parse_xml(DOC.replace("{enc}", encoding).encode())


@pytest.mark.parametrize(
    "data",
    [
        "<i><d p='1,1,25,0,0,0,h,1'>\ud800</d></i>",  # lone surrogate in a str
        b"<i><d p='1,1,25,0,0,0,h,1'>\xff\xfe</d></i>",  # invalid UTF-8
        b"\xff\xfe<\x00i\x00",  # odd length UTF-16
        b"\x00\x00\xfe\xff\x00\x00\x00",  # cut UTF-32
        b"\xff\xfe\x00\x00<\x00\x00\x00i\x00\x00\x00/\x00\x00\x00>\x00\x00\x00\x00\x00\x11\x00",
        b"\xef\xbb\xbf",
        b"\x00\x00\x00<\xff\xff\xff\xff",  # UTF-32 beyond U+10FFFF
    ],
)
def test_undecodable_text_raises_decode_error(data: str | bytes) -> None:
    with pytest.raises(DecodeError):
        parse_xml(data)


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_truncated_documents_raise_decode_error(name: str) -> None:
    data = encode(DOC, name)
    unit = 4 if "32" in name else 2 if "16" in name else 1
    for cut in range(1, len(data) - len("</i>\n") * unit, 7):
        with pytest.raises(DecodeError):
            parse_xml(data[:cut])


VALID = DOC.replace("{enc}", "UTF-8").encode()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(ENCODINGS)),
    st.lists(st.tuples(st.integers(0, 10_000), st.binary(max_size=4)), max_size=4),
    st.integers(0, 10_000),
)
def test_mutated_documents_parse_or_raise_decode_error(
    name: str, edits: list[tuple[int, bytes]], cut: int
) -> None:
    data = bytearray(encode(DOC, name))
    for at, new in edits:
        at %= len(data) + 1
        data[at : at + len(new)] = new
    data = data[: max(1, len(data) - cut % 40)]
    try:
        out = parse_xml(bytes(data))
    except DecodeError:
        return
    assert all(isinstance(d, Danmaku) for d in out)


CODECS = ["utf-8", "latin-1", "ascii", "cp1252", "koi8-r", "utf-16", "utf-32", "gbk", "big5",
          "utf-7", "idna", "punycode", "rot13", "hex", "base64", "zlib", "uu", "quopri",
          "unicode_escape", "raw_unicode_escape", "mbcs", "undefined", "charmap", "oem"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.sampled_from(CODECS), st.text(max_size=12)))
def test_any_declared_encoding_parses_or_raises_decode_error(encoding: str) -> None:
    try:
        out = parse_xml(DOC.replace("{enc}", encoding).encode())
    except DecodeError:
        return
    # a wrong single-byte encoding reads the UTF-8 text as other characters, nothing worse
    assert [d[:9] for d in out] == [d[:9] for d in EXPECTED]


def _tree_reference(text: str | bytes) -> list[tuple[str | None, str]]:
    # What parse_xml read before it went to expat: ElementTree, every <d> by iter().
    from xml.etree import ElementTree as ET

    return [(el.get("p"), el.text or "") for el in ET.fromstring(text).iter("d")]


P = "1,1,25,0,0,0,h,1"


@pytest.mark.parametrize(
    "doc",
    [
        f'<i><d p="{P}">a<b>inner</b>tail</d></i>',  # text up to the first child
        f'<i><d p="{P}">out<d p="{P}">in</d>after</d></i>',  # nested, in start order
        f'<d p="{P}">root</d>',
        f'<i><d p="{P}"><![CDATA[<x> & y]]></d></i>',
        f'<i><d p="{P}">a<!-- c -->b<?pi x?>c</d></i>',
        f'<i xmlns:x="urn:x"><x:d p="{P}">ns</x:d><d x:p="1" p="{P}">plain</d></i>',
        f'<i><d xmlns="urn:y" p="{P}">default ns</d></i>',
        f'<i><d p="{P}">{"long " * 5000}</d></i>',  # past expat's text buffer
        f"<i><d p='{P}'>&#x1F600;&lt;&#65;</d>\n<d p='{P}'/></i>",
    ],
)
def test_reads_what_elementtree_read(doc: str) -> None:
    expected = [_tree_reference(doc)]
    assert [[(f"{P}", d.text) for d in parse_xml(doc)]] == expected
    assert parse_xml(doc.encode("utf-16")) == parse_xml(doc)


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("<i><d p='1,1,25'>x</d></i>", "<d> #0: p has 3 fields, expected at least 8: '1,1,25'"),
        (
            f"<i><d p='{P}'>a</d><d p='a,1,25,0,0,0,h,1'>x</d></i>",
            "<d> #1: malformed p 'a,1,25,0,0,0,h,1'",
        ),
        (f"<i><d p='{P}'/><d>x</d></i>", "<d> #1 has no p attribute"),
        ("<!DOCTYPE i><i/>", "refusing an XML document with a DTD (entities could expand)"),
        ("<i>", "not well-formed XML: no element found: line 1, column 3"),
        (
            b'<?xml version="1.0" encoding="bogus"?><i/>',
            "XML text does not decode: unknown encoding: bogus",
        ),
        (
            b"\x00\x00\x00<\xff\xff\xff\xff",
            "XML text does not decode: 'utf-32-be' codec can't decode bytes in position 4-7: "
            "code point not in range(0x110000)",
        ),
    ],
)
def test_errors_name_the_fault(doc: str | bytes, message: str) -> None:
    with pytest.raises(DecodeError) as e:
        parse_xml(doc)
    assert str(e.value) == message


def test_bytearray_and_memoryview_are_read_as_bytes() -> None:
    data = encode(DOC, "utf-16")
    assert parse_xml(bytearray(data)) == parse_xml(memoryview(data)) == EXPECTED


def test_non_text_is_named() -> None:
    from bilibili_sdk import ArgsException
    from bilibili_sdk.danmaku import to_xml

    with pytest.raises(ArgsException) as e:
        parse_xml(12)  # type: ignore[arg-type]
    assert (str(e.value), e.value.argument) == (
        "text: expected the XML as str or bytes, got int",
        "text",
    )
    with pytest.raises(ArgsException) as e:
        to_xml([], cid="1")  # type: ignore[arg-type]
    assert (str(e.value), e.value.argument) == ("cid: expected an int or None, got '1'", "cid")
