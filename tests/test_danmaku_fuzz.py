"""Differential fuzzing of the danmaku decoders.

Payloads are protobuf wire bytes built field by field (every DanmakuElem field, every wire
type, groups, duplicates, overlong and non-canonical varints, lying lengths, bad UTF-8),
then mutated (bit flips, truncation, splices). Properties:

- `parse_segment` (upb, falling back to the hand-written decoder on what upb refuses) and
  `parse_segment_pure` give the same danmaku, or raise the same exception type;
- each hand-written decoder (segment, special, view) agrees with a reference decode by
  protobuf's own parser (a descriptor built here, strings as bytes so that UTF-8 does not
  matter) whenever protobuf accepts the bytes, raises only DecodeError (or
  DanmakuClosedException), and finishes fast.

CI runs a few hundred examples per property; `HYPOTHESIS_PROFILE=fuzz` runs many more.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bilibili_sdk import DanmakuClosedException
from bilibili_sdk._protobuf import DecodeError
from bilibili_sdk.danmaku import (
    CommandDanmaku,
    Danmaku,
    DanmakuView,
    SpecialDanmaku,
    _segment,
    parse_segment,
    parse_special,
    parse_view,
)
from bilibili_sdk.danmaku._segment import parse_segment_pure

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "20000")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ = settings.get_profile("fuzz" if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else "ci")
SLOW = 0.5  # seconds: these payloads are under a few KB; a linear decoder takes microseconds


# ---------------------------------------------------------------- wire building
def vint(n: int, pad: int = 0) -> bytes:
    """`n` (0 <= n < 2**70) as a varint, with `pad` redundant continuation bytes."""
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n or pad:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)
        if not n:
            while pad > 1:
                out.append(0x80)
                pad -= 1
            out.append(0)
            return bytes(out)


def test_vint() -> None:
    assert vint(0) == b"\x00" and vint(300) == b"\xac\x02"
    assert vint(1, pad=2) == b"\x81\x80\x00"
    assert vint(2**64 - 1) == b"\xff" * 9 + b"\x01"


# Field kinds: "v" varint, "s" string/bytes, "f4"/"f8" fixed, ("m", schema) message.
Schema = dict[int, Any]
ELEM: Schema = {
    1: "v", 2: "v", 3: "v", 4: "v", 5: "v", 6: "s", 7: "s", 8: "v", 9: "v", 10: "s",
    11: "v", 12: "s", 13: "v", 14: "v", 22: "s", 24: "v",
}  # fmt: skip
SEGMENT: Schema = {1: ("m", ELEM), 2: "v", 3: "v", 5: "s"}
SPECIAL: Schema = {1: ("m", ELEM), 2: "v"}
SEG_CONFIG: Schema = {1: "v", 2: "v"}
FLAG: Schema = {1: "v", 2: "s", 3: "v"}
MAP_ENTRY: Schema = {1: "v", 2: "v"}
SETTING: Schema = {n: "v" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 16, 18, 19, 21, 22)}
SETTING.update({11: "f4", 13: "f4", 14: "f4", 17: "s", 20: "s", 23: ("m", MAP_ENTRY)})
PERIOD: Schema = {1: "v", 2: "v"}
EXPRESSION: Schema = {1: "s", 2: "s", 3: ("m", PERIOD)}
EXPRESSIONS: Schema = {1: ("m", EXPRESSION)}
COMMAND: Schema = {1: "v", 2: "v", 3: "v", 4: "s", 5: "s", 6: "v", 7: "s", 8: "s", 9: "s"}
COMMAND[10] = "s"
VIEW: Schema = {
    1: "v", 2: "s", 3: "s", 4: ("m", SEG_CONFIG), 5: ("m", FLAG), 6: "s", 7: "v", 8: "v",
    9: ("m", COMMAND), 10: ("m", SETTING), 11: "s", 12: ("m", EXPRESSIONS), 13: "s", 14: "s",
}  # fmt: skip

WIRE = {"v": 0, "f8": 1, "s": 2, "f4": 5}

values = st.one_of(
    st.integers(0, 300),
    st.integers(0, 2**32),
    st.sampled_from([2**31 - 1, 2**31, 2**32 - 1, 2**32 + 1, 2**63 - 1, 2**63, 2**64 - 1]),
    st.integers(0, 2**64 - 1),
    st.integers(2**64, 2**70 - 1),  # a 10-byte varint carrying more than 64 bits
)
pads = st.sampled_from([0] * 12 + [1, 2, 3, 10])  # 10: an overlong varint
texts = st.one_of(
    st.text(max_size=12).map(lambda s: s.encode("utf-8", "surrogatepass")),  # lone surrogates
    st.binary(max_size=12),  # mostly bad UTF-8
    st.sampled_from([b"", b"ok", "弹幕".encode(), b"\xff", b"\xc0\x80", b"\xed\xa0\x80"]),
)
numbers = st.one_of(
    st.integers(1, 30),
    st.sampled_from([0, 2**29 - 1, 2**29, 2**31, 2**32 - 1, 2**61 - 1]),
)


@st.composite
def message(draw: st.DrawFn, schema: Schema, depth: int = 3) -> bytes:
    """A message of `schema`: mostly its own fields with their wire types, sometimes
    unknown numbers, wrong wire types, groups, lying lengths."""
    out = bytearray()
    for _ in range(draw(st.integers(0, 6))):
        if draw(st.integers(0, 9)) < 7 and schema:
            number = draw(st.sampled_from(sorted(schema)))
        else:
            number = draw(numbers)
        kind = schema.get(number, "v")
        own = 2 if isinstance(kind, tuple) else WIRE[kind]
        wire = own if draw(st.integers(0, 19)) < 18 else draw(st.integers(0, 7))
        out += vint(number << 3 | wire, draw(pads))
        if wire == 0:
            out += vint(draw(values), draw(pads))
        elif wire == 1 or wire == 5:
            out += draw(st.binary(min_size=8 if wire == 1 else 4, max_size=8 if wire == 1 else 4))
        elif wire == 2:
            if isinstance(kind, tuple) and depth > 0 and draw(st.integers(0, 9)) < 8:
                body = draw(message(kind[1], depth - 1))
            elif kind == "v" and draw(st.booleans()):  # packed varints
                body = b"".join(vint(v) for v in draw(st.lists(values, max_size=3)))
            else:
                body = draw(texts)
            lie = draw(st.sampled_from([0] * 12 + [-1, 1, 2**31, 2**64 - 1]))
            out += vint(max(0, len(body) + lie) % 2**70, draw(pads)) + body
        elif wire == 3 and depth > 0:
            out += draw(message({}, depth - 1))
            end = draw(st.sampled_from([number, number, number, number + 1, None]))
            if end is not None:
                out += vint(end << 3 | 4)
    return bytes(out)


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A valid-ish payload, then bit flips, truncation and splices."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["flip", "cut", "splice", "dup"]))
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at:]
        elif op == "splice":
            other = draw(base)
            stop = draw(st.integers(at, len(data)))
            data[at:stop] = other[: draw(st.integers(0, len(other)))]
        else:
            stop = draw(st.integers(at, len(data)))
            data[at:at] = data[at:stop]
    return bytes(data)


def payloads(schema: Schema) -> st.SearchStrategy[bytes]:
    return st.one_of(message(schema), message(schema), mutated(message(schema)))


# ---------------------------------------------------------------- running decoders
def outcome(decode: Callable[[bytes], Any], payload: bytes) -> tuple[str, Any]:
    """('ok', result) or ('raised', (exception type, message)); anything else fails."""
    start = time.perf_counter()
    try:
        result: tuple[str, Any] = ("ok", decode(payload))
    except (DecodeError, DanmakuClosedException) as e:
        result = ("raised", (type(e), str(e)))
    assert time.perf_counter() - start < SLOW
    return result


# ---------------------------------------------------------------- protobuf references
def _reference_classes() -> dict[str, Any]:
    """Messages mirroring the decoders' schemas, built with protobuf's own parser; strings are
    bytes (the decoders replace bad UTF-8, protobuf would refuse it)."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(
        name="bilibili_sdk_fuzz.proto", package="fuzz", syntax="proto3"
    )

    def add(name: str, fields: list[tuple[int, str, str, str]]) -> None:
        msg = fdp.message_type.add(name=name)
        for number, fname, type_, label in fields:
            kw: dict[str, Any] = {}
            if type_.startswith("."):
                kw["type_name"] = type_
                type_ = "MESSAGE"
            msg.field.add(
                name=fname,
                number=number,
                type=getattr(f, "TYPE_" + type_),
                label=getattr(f, "LABEL_" + label),
                **kw,
            )

    o, r = "OPTIONAL", "REPEATED"
    add(
        "Elem",
        [
            (1, "id", "INT64", o), (2, "progress", "INT32", o), (3, "mode", "INT32", o),
            (4, "fontsize", "INT32", o), (5, "color", "UINT32", o), (6, "midHash", "BYTES", o),
            (7, "content", "BYTES", o), (8, "ctime", "INT64", o), (9, "weight", "INT32", o),
            (10, "action", "BYTES", o), (11, "pool", "INT32", o), (12, "idStr", "BYTES", o),
            (13, "attr", "INT32", o), (14, "uid", "INT64", o), (24, "colorful", "INT32", o),
        ],
    )  # fmt: skip
    add("Segment", [(1, "elems", ".fuzz.Elem", r), (2, "state", "INT32", o)])
    add("SegConfig", [(1, "page_size", "INT64", o), (2, "total", "INT64", o)])
    add("Flag", [(1, "rec_flag", "INT64", o), (2, "rec_text", "BYTES", o), (3, "rec_switch", "INT64", o)])  # fmt: skip
    add("MapEntry", [(1, "key", "INT64", o), (2, "value", "INT64", o)])
    setting = [(n, f"b{n}", "BOOL", o) for n in (1, 2, 4, 5, 6, 7, 8, 9, 10, 15, 16, 18)]
    setting += [(n, f"i{n}", "INT64", o) for n in (3, 12, 19, 21, 22)]
    setting += [(n, f"f{n}", "FLOAT", o) for n in (11, 13, 14)]
    setting += [(17, "font_family", "BYTES", o), (20, "draw_type", "BYTES", o)]
    setting += [(23, "ai_map", ".fuzz.MapEntry", r)]
    add("Setting", setting)
    add("Period", [(1, "start", "INT64", o), (2, "end", "INT64", o)])
    add("Expression", [(1, "texts", "BYTES", r), (2, "image", "BYTES", o), (3, "periods", ".fuzz.Period", r)])  # fmt: skip
    add("Expressions", [(1, "data", ".fuzz.Expression", r)])
    add(
        "View",
        [
            (1, "state", "INT64", o), (2, "text", "BYTES", o), (3, "text_side", "BYTES", o),
            (4, "dm_seg", ".fuzz.SegConfig", o), (5, "flag", ".fuzz.Flag", o),
            (6, "special_dms", "BYTES", r), (7, "check_box", "BOOL", o), (8, "count", "INT64", o),
            (9, "command_dms", "BYTES", r), (10, "dm_setting", ".fuzz.Setting", o),
            (11, "report_filter", "BYTES", r), (12, "expressions", ".fuzz.Expressions", r),
            (14, "activity_meta", "BYTES", r),
        ],
    )  # fmt: skip
    # CommandDanmaku.mid is an int64 on the web and a string in the app: one reference each.
    command = [(1, "id", "INT64", o), (2, "oid", "INT64", o), (6, "progress", "INT64", o)]
    command += [(n, f"s{n}", "BYTES", o) for n in (4, 5, 7, 8, 9, 10)]
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    classes = {
        m.name: message_factory.GetMessageClass(pool.FindMessageTypeByName("fuzz." + m.name))
        for m in fdp.message_type
    }
    # proto2, for HasField: which form(s) of mid the bytes hold.
    fdp = descriptor_pb2.FileDescriptorProto(
        name="bilibili_sdk_fuzz2.proto", package="fuzz2", syntax="proto2"
    )
    add("CommandInt", [*command, (3, "mid", "INT64", o)])
    add("CommandStr", [*command, (3, "mid", "BYTES", o)])
    pool.Add(fdp)
    for m in fdp.message_type:
        classes[m.name] = message_factory.GetMessageClass(
            pool.FindMessageTypeByName("fuzz2." + m.name)
        )
    return classes


REF = _reference_classes()


def reference(name: str, payload: bytes) -> Any:
    """protobuf's decode of `payload`, or None when protobuf refuses it."""
    from google.protobuf.message import DecodeError as PbDecodeError

    try:
        return REF[name].FromString(payload)
    except PbDecodeError:
        return None


def text(b: bytes) -> str:
    return b.decode("utf-8", "replace")


def ref_danmaku(e: Any) -> Danmaku:
    return Danmaku(
        text(e.content), e.progress / 1000, e.ctime, text(e.midHash), e.color, e.weight,
        e.id, text(e.idStr), text(e.action), e.mode, e.fontsize, e.pool == 1, e.pool,
        e.attr, e.uid, e.colorful,
    )  # fmt: skip


# ---------------------------------------------------------------- segment
@pytest.fixture(scope="module")
def upb() -> Any:
    saved = list(_segment._UPB)
    _segment._UPB[:] = []
    reply = _segment._upb_reply()
    assert reply is not None, "protobuf's upb backend is not installed"
    yield reply
    _segment._UPB[:] = saved


def check_segment(payload: bytes, upb: Any) -> None:
    fast = outcome(parse_segment, payload)
    pure = outcome(parse_segment_pure, payload)
    assert fast == pure
    try:
        upb.FromString(payload)
        event("upb accepted")
    except Exception:
        event("upb refused")
    ref = reference("Segment", payload)
    event(f"protobuf (strings as bytes): {'refused' if ref is None else 'accepted'}")
    if ref is not None:
        if ref.state == 1:
            assert pure[0] == "raised" and pure[1][0] in (DanmakuClosedException, DecodeError)
        else:
            assert pure == ("ok", [ref_danmaku(e) for e in ref.elems])
    else:  # what protobuf refuses is a DecodeError from both, never danmaku
        assert pure[0] == "raised" and pure[1][0] is DecodeError, pure
    event(f"pure: {pure[0]}")


@FUZZ
@given(
    payload=st.one_of(payloads(SEGMENT), payloads(ELEM).map(lambda e: vint(10) + vint(len(e)) + e))
)
def test_segment_decoders_agree(payload: bytes, upb: Any) -> None:
    check_segment(payload, upb)


# ---------------------------------------------------------------- special
def check_special(payload: bytes) -> None:
    got = outcome(parse_special, payload)
    assert got[0] == "ok" or got[1][0] is DecodeError
    ref = reference("Segment", payload)
    event(f"protobuf (strings as bytes): {'refused' if ref is None else 'accepted'}")
    if ref is not None:
        expected = [
            SpecialDanmaku(text(e.content), e.id, text(e.idStr), e.mode, e.pool, e.progress / 1000)
            for e in ref.elems
        ]
        assert got == ("ok", expected)
    else:
        assert got[0] == "raised", got


@FUZZ
@given(payload=payloads(SPECIAL))
def test_special_decoder_agrees_with_protobuf(payload: bytes) -> None:
    check_special(payload)


# ---------------------------------------------------------------- view
def ref_command(payload: bytes) -> CommandDanmaku | None:
    as_int, as_str = reference("CommandInt", payload), reference("CommandStr", payload)
    if as_int is None or as_str is None:
        return None
    mid: int | None = 0  # None: both forms present, which came last is not known here
    if as_int.HasField("mid") and as_str.HasField("mid"):
        mid = None
    elif as_int.HasField("mid"):
        mid = as_int.mid
    elif as_str.HasField("mid"):
        digits = text(as_str.mid)
        mid = int(digits) if digits.isascii() and digits.isdigit() else 0
    cmd = CommandDanmaku(
        as_int.id, as_int.oid, mid, text(as_int.s4), text(as_int.s5), as_int.progress,
        text(as_int.s7), text(as_int.s8), text(as_int.s9), text(as_int.s10),
    )  # fmt: skip
    return cmd


def check_view(payload: bytes) -> None:
    got = outcome(parse_view, payload)
    assert got[0] == "ok" or got[1][0] is DecodeError
    ref = reference("View", payload)
    event(f"protobuf (strings as bytes): {'refused' if ref is None else 'accepted'}")
    if ref is None:
        return
    commands = [ref_command(c) for c in ref.command_dms]
    if any(c is None for c in commands):
        assert got[0] == "raised"
        return
    assert got[0] == "ok", got
    view: DanmakuView = got[1]
    assert (view.state, view.text, view.text_side) == (
        ref.state,
        text(ref.text),
        text(ref.text_side),
    )
    assert (view.dm_seg.page_size, view.dm_seg.total) == (ref.dm_seg.page_size, ref.dm_seg.total)
    assert (view.flag.rec_flag, view.flag.rec_text, view.flag.rec_switch) == (
        ref.flag.rec_flag, text(ref.flag.rec_text), ref.flag.rec_switch,
    )  # fmt: skip
    assert view.special_dms == [text(s) for s in ref.special_dms]
    assert (view.check_box, view.count) == (ref.check_box, ref.count)
    assert view.report_filter == [text(s) for s in ref.report_filter]
    assert view.activity_meta == [text(s) for s in ref.activity_meta]
    assert len(view.command_dms) == len(commands)
    for ours, theirs in zip(view.command_dms, commands, strict=True):
        assert theirs is not None
        if theirs.mid is None:
            theirs.mid = ours.mid
        assert ours == theirs
    images = [
        (list(map(text, e.texts)), text(e.image), [(p.start, p.end) for p in e.periods])
        for group in ref.expressions
        for e in group.data
    ]
    assert [(i.texts, i.image, i.periods) for i in view.image_dms] == images
    if not ref.HasField("dm_setting"):
        assert view.dm_setting is None
        return
    s, r = view.dm_setting, ref.dm_setting
    assert s is not None
    bools = (1, 2, 4, 5, 6, 7, 8, 9, 10, 15, 16, 18)
    names = ["dm_switch", "ai_switch", "block_top", "block_scroll", "block_bottom",
             "block_color", "block_special", "prevent_shade", "dmask", "screen_sync",
             "speed_sync", "bold"]  # fmt: skip
    assert [getattr(s, n) for n in names] == [getattr(r, f"b{n}") for n in bools]
    assert (s.ai_level, s.dm_area, s.font_border, s.senior_mode_switch, s.ai_level_v2) == (
        r.i3, r.i12, r.i19, r.i21, r.i22,
    )  # fmt: skip
    floats = [(s.opacity, r.f11), (s.speed_plus, r.f13), (s.font_size, r.f14)]
    for ours, theirs in floats:
        assert ours == theirs or (ours != ours and theirs != theirs)  # NaN
    assert (s.font_family, s.draw_type) == (text(r.font_family), text(r.draw_type))
    assert s.ai_level_v2_map == {e.key: e.value for e in r.ai_map}


@FUZZ
@given(payload=payloads(VIEW))
def test_view_decoder_agrees_with_protobuf(payload: bytes) -> None:
    check_view(payload)


# ---------------------------------------------------------------- what the fuzzer found
def test_found_padded_elems_key(upb: Any) -> None:
    # 0x8a 0x00 is key 10 (elems, length-delimited) in two bytes: upb reads an element, the
    # hand-written decoder looked at the first byte only and skipped it as unknown.
    empty = Danmaku("", 0.0, 0, "", 0, 0, 0, "", "", 0, 0, False, 0, 0, 0, 0)
    payload = b"\x8a\x00\x00"
    assert parse_segment(payload) == parse_segment_pure(payload) == [empty]
    padded = b"\x8a\x80\x00" + vint(len(ELEM_BYTES)) + ELEM_BYTES
    assert parse_segment(padded) == parse_segment_pure(padded) == parse_segment(PLAIN)


def test_found_state_cut_to_int32(upb: Any) -> None:
    # state is an int32: 2**32 + 1 on the wire is 1 (closed) to protobuf.
    payload = b"\x10" + vint(2**32 + 1)
    for decode in (parse_segment, parse_segment_pure):
        with pytest.raises(DanmakuClosedException):
            decode(payload)
    assert parse_segment_pure(b"\x10" + vint(2**32 + 2)) == []


def test_found_view_varints_past_64_bits() -> None:
    # A 10-byte varint carries 70 bits; protobuf keeps the low 64 (then two's complement).
    wide = vint(2**64 + 2**63)
    view = parse_view(b"\x08" + wide + b"\x22" + vint(len(wide) + 1) + b"\x08" + wide)
    assert view.state == view.dm_seg.page_size == -(2**63)


def test_found_view_repeated_message_fields_merge() -> None:
    # A singular message field seen twice is merged (protobuf's rule), not replaced.
    payload = b'"\x02\x08\x05' + b'"\x02\x10\x03' + b"*\x02\x08\x01*\x00"
    view = parse_view(payload)
    assert (view.dm_seg.page_size, view.dm_seg.total, view.flag.rec_flag) == (5, 3, 1)
    setting = b"R\x02\x18\x02" + b"R\x03\xba\x01\x00" + b"R\x02\x08\x01"
    s = parse_view(setting).dm_setting
    assert s is not None and (s.ai_level, s.ai_level_v2_map, s.dm_switch) == (2, {0: 0}, True)
    # each occurrence must be well-formed on its own, as for protobuf
    with pytest.raises(DecodeError):
        parse_view(b'"\x01\x08' + b'"\x01\x05')


def test_found_field_zero_inside_a_skipped_group(upb: Any) -> None:
    # The disagreement between the two segment decoders: upb skips a group without checking
    # the field numbers inside it (protobuf's Python parser does the same), so it returned []
    # where the hand-written decoder raised "invalid field number 0". They now agree with
    # protobuf; field 0 outside a group stays an error for all of them.
    for payload in (b"\x0b\x00\x00\x0c", b"\x1b\x02\x01x\x03\x04\x1c" + PLAIN):
        assert parse_segment(payload) == parse_segment_pure(payload)
        assert parse_special(payload) == parse_special(PLAIN if len(payload) > 8 else b"")
    assert parse_segment_pure(b"\x0b\x00\x00\x0c") == []
    elem = b"\x0a\x06\xa3\x01\x00\x07\xa4\x01"  # field 20 group in an element
    assert parse_segment(elem) == parse_segment_pure(elem) == [EMPTY]
    assert parse_view(b"\x1b\x00\x00\x1c\x40\x07").count == 7
    for bad in (b"\x00\x00", b"\x0a\x02\x00\x00", b"\x03\x04"):
        with pytest.raises(DecodeError):
            parse_segment_pure(bad)


def test_found_view_scalars_with_another_wire_type_are_skipped() -> None:
    # state (int) as a fixed32, opacity (float) as a varint: unknown fields to protobuf.
    assert parse_view(b"\x0d\x00\x00\x00\x01").state == 0
    assert parse_view(b"\x09" + b"\x01" * 8 + b"\x40\x02") == DanmakuView(count=2)
    s = parse_view(b"\x52\x02\x58\x05").dm_setting
    assert s is not None and s.opacity == 0.0
    s = parse_view(b"\x52\x05\x5d\x00\x00\x40\x3f").dm_setting
    assert s is not None and s.opacity == 0.75


def test_view_refuses_what_protobuf_refuses() -> None:
    # A group closed by another field's end-group, and field numbers past 2**29 - 1: the
    # segment decoder refused them, the generic reader behind parse_view did not.
    for bad in (b"\x1b\x24", b"\x1b\x0b\x1c\x0c", vint(2**29 << 3) + b"\x00"):
        assert reference("View", bad) is None
        with pytest.raises(DecodeError):
            parse_view(bad)
        with pytest.raises(DecodeError):
            parse_segment_pure(bad)


EMPTY = Danmaku("", 0.0, 0, "", 0, 0, 0, "", "", 0, 0, False, 0, 0, 0, 0)
ELEM_BYTES = b"\x08\x2a\x3a\x02hi"
PLAIN = b"\x0a" + vint(len(ELEM_BYTES)) + ELEM_BYTES
