"""`video.download` and `video.download_batch` against the mock CDN, in both flavours: the
stream choice and its notes, the bytes on disk, resume after a dropped connection (and from
a `.part` of an earlier process), mirrors, atomic completion, ffmpeg merging (a fake ffmpeg
on PATH), danmaku and subtitles beside the video, batches with a concurrency limit, and
argument errors before any I/O."""

from __future__ import annotations

import asyncio
import copy
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoSessdataException,
    DownloadException,
)
from bilibili_sdk import _download as dl
from bilibili_sdk.danmaku import parse_xml
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._cdn import BACKUP_HOSTS, PRIMARY_HOST
from bilibili_sdk.testing._mock import RecordedRequest

from . import _pb
from ._hardening import FLAVOURS
from .conftest import BILI_JCT, SESSDATA

BVID = "BV117411r7R1"  # the mock's get_info example
CID = 146044693
CRED = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


@pytest.fixture(autouse=True)
def _fast(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dl, "RETRY_BACKOFF", 0.0)
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))  # no ffmpeg unless a test puts its fake one there


def run(aio: bool, mock: MockBilibili, method: str, *args: Any, cred: Any = None, **kw: Any) -> Any:
    """`client.video.<method>(*args, **kw)` in either flavour."""
    if not aio:
        with Client(transport=mock.transport(), credential=cred) as bili:
            return getattr(bili.video, method)(*args, **kw)

    async def main() -> Any:
        async with AsyncClient(transport=mock.transport(), credential=cred) as bili:
            return await getattr(bili.video, method)(*args, **kw)

    return asyncio.run(main())


def cdn_gets(mock: MockBilibili) -> list[tuple[str, str, str | None]]:
    """(host, stream file name, Range) of every CDN GET, in order."""
    return [(r.host, r.path.rsplit("/", 1)[1], r.range) for r in mock.cdn.requests]


def stream_url(name: str, key: int = CID) -> str:
    return f"https://{PRIMARY_HOST}/upgcxcode/{key % 100:02d}/{key // 100 % 100:02d}/{key}/{name}"


def stream_bytes(mock: MockBilibili, name: str, key: int = CID) -> bytes:
    return mock.cdn.content(stream_url(name, key))


def video_part(folder: Path, name: str) -> Path:
    """The `.part` a download of stream `name` into `folder` writes to."""
    return dl.part_path(folder / f"{title()}.video.m4s", stream_url(name))


def title() -> str:
    return MockBilibili().examples["video.get_info"]["data"]["title"]


def fake_ffmpeg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exit_code: int = 0) -> Path:
    """An `ffmpeg` on PATH that records its argv and writes its inputs, joined, as output."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    log = tmp_path / "ffmpeg-argv.json"
    script = bindir / "ffmpeg"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "args = sys.argv[1:]\n"
        f"if {exit_code}:\n"
        "    sys.stderr.write('mock ffmpeg: Invalid data found\\n'); sys.exit("
        + str(exit_code)
        + ")\n"
        "inputs = [args[i + 1] for i, a in enumerate(args) if a == '-i']\n"
        "if '-f' in args[:args.index('-i')]:\n"
        "    inputs = [l[6:-1] for l in open(inputs[0]).read().splitlines()]\n"
        "with open(args[-1], 'wb') as out:\n"
        "    for p in inputs:\n"
        "        out.write(open(p, 'rb').read())\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir))
    return log


def argv_log(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


# ---------------------------------------------------------------------------- the happy paths
@FLAVOURS
def test_dash_download_writes_the_cdn_bytes(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    seen: list[tuple[int, int]] = []
    result = run(
        aio, mock, "download", BVID, tmp_path / "out", progress=lambda d, t: seen.append((d, t))
    )
    out = tmp_path / "out"
    name = title()
    assert result.video_path == out / f"{name}.video.m4s"
    assert result.audio_path == out / f"{name}.audio.m4s"
    assert result.output_path is None  # no ffmpeg here
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    assert result.audio_path.read_bytes() == stream_bytes(mock, f"{CID}-1-a30280.m4s")
    assert (result.video_size, result.audio_size) == (64 * 1024, 16 * 1024 + 1)
    assert result.downloaded == 64 * 1024 + 16 * 1024 + 1
    assert (result.quality, result.codec, result.audio_quality) == (32, "avc", 30280)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{name}.video.m4s", f"{name}.audio.m4s"]
    )
    assert any("ffmpeg is not on PATH" in n for n in result.notes)
    assert seen[-1] == (64 * 1024 + 16 * 1024 + 1,) * 2
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)  # progress never goes back
    gets = cdn_gets(mock)
    assert gets == [
        (PRIMARY_HOST, f"{CID}-1-v32c7.m4s", None),
        (PRIMARY_HOST, f"{CID}-1-a30280.m4s", None),
    ]
    play = next(r for r in mock.requests if r.endpoint == "video.get_play_url")
    assert play.query["cid"] == str(CID) and play.query["fnval"] == "4048"


@FLAVOURS
def test_cdn_requests_carry_referer_and_user_agent_and_never_cookies(
    aio: bool, tmp_path: Path
) -> None:
    mock = MockBilibili()
    run(aio, mock, "download", BVID, tmp_path, cred=CRED)
    cdn = [r for r in mock.requests if r.path.startswith("/upgcxcode/")]
    assert len(cdn) == 2
    for r in cdn:
        assert r.headers["referer"] == "https://www.bilibili.com"
        assert "Mozilla" in r.headers["user-agent"]
        assert "cookie" not in r.headers  # the stream URLs are signed: no login goes there
    play = next(r for r in mock.requests if r.endpoint == "video.get_play_url")
    assert play.cookies["SESSDATA"] == SESSDATA  # the login decides the qualities offered


@FLAVOURS
def test_durl_single_file(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.set_durl(True)
    result = run(aio, mock, "download", BVID, tmp_path, quality=64, cred=CRED)
    assert result.output_path == result.video_path == tmp_path / f"{title()}.mp4"
    assert result.output_path.read_bytes() == stream_bytes(mock, f"{CID}-1-q64s1.mp4")
    assert result.quality == 64 and result.audio_path is None and result.notes == []
    play = next(r for r in mock.requests if r.endpoint == "video.get_play_url")
    assert play.query["qn"] == "64"


@FLAVOURS
def test_durl_segments_joined_by_ffmpeg_or_kept(
    aio: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = MockBilibili()
    mock.cdn.set_durl(True, segments=3)
    kept = run(aio, mock, "download", BVID, tmp_path / "a")
    names = [f"{title()}.part{i}.flv" for i in (1, 2, 3)]
    assert [p.name for p in kept.segment_paths] == names and kept.output_path is None
    for i, p in enumerate(kept.segment_paths):
        assert p.read_bytes() == stream_bytes(mock, f"{CID}-1-q32s{i + 1}.flv")
    log = fake_ffmpeg(tmp_path, monkeypatch)
    joined = run(aio, mock, "download", BVID, tmp_path / "b")
    (argv,) = argv_log(log)
    assert argv[argv.index("-f") : argv.index("-f") + 6] == [
        "-f", "concat", "-safe", "0", "-i", argv[argv.index("-i") + 1]
    ]  # fmt: skip
    assert argv[-4:] == ["copy", "-f", "mp4", str(tmp_path / "b" / f"{title()}.mp4.part")]
    want = b"".join(stream_bytes(mock, f"{CID}-1-q32s{i}.flv") for i in (1, 2, 3))
    assert joined.output_path.read_bytes() == want
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == [f"{title()}.mp4"]


# ---------------------------------------------------------------------------- stream choice
@FLAVOURS
def test_quality_fallbacks_say_why(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    anon = run(aio, mock, "download", BVID, tmp_path / "a", quality=80)
    assert anon.quality == 32
    assert anon.notes[0] == (
        "1080P (80) not allowed to this account (it needs a login or VIP); chose 480P (32)"
    )
    best = run(aio, mock, "download", BVID, tmp_path / "b", quality=127, cred=CRED)
    assert best.quality == 80
    assert best.notes[0] == "8K (127) not offered by this video; chose 1080P (80)"
    exact = run(aio, mock, "download", BVID, tmp_path / "c", quality=64, cred=CRED)
    assert exact.quality == 64 and not any("chose" in n for n in exact.notes)
    default = run(aio, mock, "download", BVID, tmp_path / "d", cred=CRED)
    assert default.quality == 80 and default.video_path.name.endswith(".video.m4s")
    assert cdn_gets(mock)[-2][1] == f"{CID}-1-v80c7.m4s"


@FLAVOURS
def test_codec_preference_and_fallback(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    hevc = run(aio, mock, "download", BVID, tmp_path / "a", codec="hevc")
    assert hevc.codec == "hevc" and cdn_gets(mock)[-2][1] == f"{CID}-1-v32c12.m4s"
    av1 = run(aio, mock, "download", BVID, tmp_path / "b", codec=["av1", "hevc"])
    assert av1.codec == "av1" and cdn_gets(mock)[-2][1] == f"{CID}-1-v32c13.m4s"
    mock.cdn.set_qualities(codecs={32: (7, 12)})
    second = run(aio, mock, "download", BVID, tmp_path / "c", codec=("av1", "hevc"))
    assert second.codec == "hevc" and not any("codec" in n for n in second.notes)
    mock.cdn.set_qualities(codecs={32: (7,)})
    fallback = run(aio, mock, "download", BVID, tmp_path / "d", codec="av1")
    assert fallback.codec == "avc"
    assert "codec av1 not offered at 480P (32); chose avc" in fallback.notes
    assert fallback.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")


@FLAVOURS
def test_audio_quality_choice(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mid = run(aio, mock, "download", BVID, tmp_path / "a", audio_quality=30232)
    assert mid.audio_quality == 30232
    assert mid.audio_path.read_bytes() == stream_bytes(mock, f"{CID}-1-a30232.m4s")
    no_dolby = run(aio, mock, "download", BVID, tmp_path / "b", audio_quality="dolby")
    assert no_dolby.audio_quality == 30280
    assert "audio Dolby (30250) not offered; chose 192K (30280)" in no_dolby.notes
    mock.cdn.set_qualities(dolby=True, flac=True, audio=[30232, 30216])
    dolby = run(aio, mock, "download", BVID, tmp_path / "c", audio_quality="dolby")
    assert dolby.audio_quality == 30250 and cdn_gets(mock)[-1][1] == f"{CID}-1-a30250.m4s"
    hires = run(aio, mock, "download", BVID, tmp_path / "d", audio_quality="hires")
    assert hires.audio_quality == 30251
    plain = run(aio, mock, "download", BVID, tmp_path / "e", audio_quality=30280)
    assert plain.audio_quality == 30232  # the next AAC below, not Dolby or Hi-Res
    default = run(aio, mock, "download", BVID, tmp_path / "f")
    assert default.audio_quality == 30232 and default.notes[:1] != ["audio"]


# ---------------------------------------------------------------------------- mirrors, resume
@FLAVOURS
def test_a_failing_mirror_falls_back_to_the_backups_in_order(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.fail(PRIMARY_HOST, status=404, times=-1)
    mock.cdn.fail(BACKUP_HOSTS[0], status=503, times=-1)
    result = run(aio, mock, "download", BVID, tmp_path)
    hosts = [h for h, name, _ in cdn_gets(mock) if name.endswith("v32c7.m4s")]
    # 404: next mirror at once; 503: retried (max_retries=2), then the next one
    assert hosts == [PRIMARY_HOST, *[BACKUP_HOSTS[0]] * 3, BACKUP_HOSTS[1]]
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")


@FLAVOURS
def test_every_mirror_failing_leaves_no_file(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    for host in (PRIMARY_HOST, *BACKUP_HOSTS):
        mock.cdn.fail(host, status=404, times=-1)
    with pytest.raises(DownloadException, match="every URL failed") as info:
        run(aio, mock, "download", BVID, tmp_path / "out")
    assert "HTTP 404" in str(info.value)
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


@FLAVOURS
def test_a_dropped_connection_is_resumed_with_range(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.drop_after(20_000)
    result = run(aio, mock, "download", BVID, tmp_path)
    assert cdn_gets(mock)[:2] == [
        (PRIMARY_HOST, f"{CID}-1-v32c7.m4s", None),
        (PRIMARY_HOST, f"{CID}-1-v32c7.m4s", "bytes=20000-"),
    ]
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    assert not list(tmp_path.glob("*.part"))


def test_a_dropped_socket_on_the_loopback_server_is_resumed(tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.set_size(300_000)
    mock.cdn.drop_after(100_000, times=2)
    with mock.serve() as server, Client(base_urls=server.base_urls) as bili:
        result = bili.video.download(BVID, tmp_path)
    ranges = [r for _, name, r in cdn_gets(mock) if name.endswith("v32c7.m4s")]
    assert ranges == [None, "bytes=100000-", "bytes=200000-"]
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")


@FLAVOURS
def test_a_part_left_by_an_earlier_process_is_resumed(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    full = stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    part = video_part(tmp_path, f"{CID}-1-v32c7.m4s")
    part.write_bytes(full[:12_345])
    result = run(aio, mock, "download", BVID, tmp_path)
    assert cdn_gets(mock)[0] == (PRIMARY_HOST, f"{CID}-1-v32c7.m4s", "bytes=12345-")
    assert result.video_path.read_bytes() == full
    assert result.downloaded == len(full) - 12_345 + result.audio_size
    assert not part.exists()


@FLAVOURS
def test_a_part_of_another_stream_is_never_resumed_and_goes_once_done(
    aio: bool, tmp_path: Path
) -> None:
    """A .part left by a download of another quality (the same size here, so sizes cannot
    tell them apart) must not become the start of this one."""
    mock = MockBilibili()
    other = video_part(tmp_path, f"{CID}-1-v80c7.m4s")
    other.write_bytes(stream_bytes(mock, f"{CID}-1-v80c7.m4s")[:30_000])
    result = run(aio, mock, "download", BVID, tmp_path)  # anonymous: 480P (32)
    assert cdn_gets(mock)[0] == (PRIMARY_HOST, f"{CID}-1-v32c7.m4s", None)
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    assert not other.exists()


@FLAVOURS
def test_a_part_longer_than_the_stream_starts_over(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    part = video_part(tmp_path, f"{CID}-1-v32c7.m4s")
    part.write_bytes(b"x" * 70_000)  # more than the 65536 bytes the CDN has
    result = run(aio, mock, "download", BVID, tmp_path)
    assert [r for _, n, r in cdn_gets(mock) if "v32" in n] == ["bytes=70000-", None]
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")


@FLAVOURS
def test_a_short_body_is_resumed_then_given_up(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.truncate(30_000)  # Content-Length says 65536, the body ends at 30000
    result = run(aio, mock, "download", BVID, tmp_path / "a")
    assert [r for _, n, r in cdn_gets(mock) if "v32" in n] == [None, "bytes=30000-"]
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    mock = MockBilibili()
    mock.cdn.truncate(0, times=100)  # every answer empty: no progress, on every mirror
    with pytest.raises(DownloadException, match="every URL failed"):
        run(aio, mock, "download", BVID, tmp_path / "b")
    assert not (tmp_path / "b" / f"{title()}.video.m4s").exists()
    assert len(mock.cdn.requests) == 3 * 3  # 1 + 2 retries on each of the 3 mirrors


@FLAVOURS
def test_a_stream_that_changes_size_restarts(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.drop_after(10_000)

    seen: list[int] = []

    def grow(done: int, total: int) -> None:
        seen.append(done)
        if done == 10_000:
            mock.cdn.set_size(80_000)

    result = run(aio, mock, "download", BVID, tmp_path, progress=grow)
    assert [r for _, n, r in cdn_gets(mock) if "v32" in n] == [None, "bytes=10000-", None]
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    assert result.video_size == 80_000


# ---------------------------------------------------------------------------- merge
@FLAVOURS
def test_ffmpeg_merges_and_the_streams_go(
    aio: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = MockBilibili()
    log = fake_ffmpeg(tmp_path, monkeypatch)
    out = tmp_path / "out"
    result = run(aio, mock, "download", BVID, out)
    name = title()
    (argv,) = argv_log(log)
    assert argv == [
        "-y", "-hide_banner", "-loglevel", "error",
        "-i", str(out / f"{name}.video.m4s"), "-i", str(out / f"{name}.audio.m4s"),
        "-c", "copy", "-f", "mp4", str(out / f"{name}.mp4.part"),
    ]  # fmt: skip
    assert result.output_path == out / f"{name}.mp4" == result.path
    assert result.output_path.read_bytes() == stream_bytes(
        mock, f"{CID}-1-v32c7.m4s"
    ) + stream_bytes(mock, f"{CID}-1-a30280.m4s")
    assert result.video_path is None and result.audio_path is None
    assert [p.name for p in out.iterdir()] == [f"{name}.mp4"]
    again = run(aio, mock, "download", BVID, out)  # the output is there: nothing fetched
    assert again.skipped and again.output_path == result.output_path
    assert len(mock.cdn.requests) == 2


@FLAVOURS
def test_hires_audio_merges_into_mkv(
    aio: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = MockBilibili()
    mock.cdn.set_qualities(flac=True)
    log = fake_ffmpeg(tmp_path, monkeypatch)
    result = run(aio, mock, "download", BVID, tmp_path / "o", audio_quality="hires")
    assert result.output_path.name == f"{title()}.mkv"
    assert argv_log(log)[0][-3:-1] == ["-f", "matroska"]


@FLAVOURS
def test_ffmpeg_failing_or_merge_false_keeps_the_streams(
    aio: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mock = MockBilibili()
    fake_ffmpeg(tmp_path, monkeypatch, exit_code=1)
    failed = run(aio, mock, "download", BVID, tmp_path / "a")
    assert failed.output_path is None and failed.video_path.exists()
    assert any("ffmpeg failed (exit 1: mock ffmpeg: Invalid data found)" in n for n in failed.notes)
    assert not list((tmp_path / "a").glob("*.mp4*"))
    unmerged = run(aio, mock, "download", BVID, tmp_path / "b", merge=False)
    assert unmerged.output_path is None and unmerged.audio_path.exists()
    assert not any("ffmpeg" in n for n in unmerged.notes)


# ---------------------------------------------------------------------------- danmaku, subtitles
def _with_parts(mock: MockBilibili, parts: list[tuple[int, str]], duration: int = 300) -> None:
    info = copy.deepcopy(mock.examples["video.get_info"])
    info["data"]["pages"] = [
        {"cid": cid, "page": i + 1, "part": part, "duration": duration, "from": "vupload"}
        for i, (cid, part) in enumerate(parts)
    ]
    mock.set_response("video.get_info", info)
    mock.set_response("video.get_pages", {"code": 0, "data": info["data"]["pages"]})


@FLAVOURS
def test_danmaku_and_subtitles_beside_the_video(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    _with_parts(mock, [(CID, "one")])
    seg = _pb.segment(_pb.elem(1, 1_000, "hello"), _pb.elem(2, 2_000, "world"))
    mock.set_response(
        "video.get_danmaku_segment",
        lambda rec: httpx.Response(200, content=seg if rec.query["segment_index"] == "1" else b""),
    )
    track = {
        "id": 1,
        "lan": "zh-CN",
        "lan_doc": "中文",
        "subtitle_url": "//aisubtitle.hdslb.com/bfs/subtitle/s.json",
    }
    player = copy.deepcopy(mock.examples["video.get_player_info"])
    player["data"]["subtitle"] = {"allow_submit": False, "subtitles": [track]}
    mock.set_response("video.get_player_info", player)
    sub = {"body": [{"from": 0.5, "to": 1.5, "location": 2, "content": "你好"}]}
    mock.set_file("https://aisubtitle.hdslb.com/bfs/subtitle/s.json", json.dumps(sub).encode())
    xml = run(
        aio, mock, "download", BVID, tmp_path / "x", danmaku="xml", subtitles="zh-CN", cred=CRED
    )
    assert xml.danmaku_path == tmp_path / "x" / f"{title()}.xml"
    assert [d.text for d in parse_xml(xml.danmaku_path.read_text("utf-8"))] == ["hello", "world"]
    assert xml.subtitle_path == tmp_path / "x" / f"{title()}.zh-CN.srt"
    assert xml.subtitle_path.read_text("utf-8") == "1\n00:00:00,500 --> 00:00:01,500\n你好\n"
    ass = run(aio, mock, "download", BVID, tmp_path / "a", danmaku="ass")
    text = ass.danmaku_path.read_text("utf-8")
    assert ass.danmaku_path.suffix == ".ass" and text.startswith("[Script Info]")
    assert "PlayResX: 852" in text and "hello" in text  # laid out for the 480P stream
    none = run(aio, mock, "download", BVID, tmp_path / "n", subtitles="en", cred=CRED)
    assert none.subtitle_path is None
    assert any(n.startswith("no subtitles written: lan:") for n in none.notes)


@FLAVOURS
def test_danmaku_segments_are_bounded_by_the_play_length(aio: bool, tmp_path: Path) -> None:
    """A server that never answers an empty segment (the plain mock) must not be read for
    ever: the play answer's length says how many 6-minute segments there are."""
    mock = MockBilibili()
    mock.cdn.timelength = 13 * 60 * 1000  # three segments: 0-6, 6-12, 12-13 minutes
    seg = _pb.segment(_pb.elem(1, 1_000, "hello"))
    asked: list[int] = []

    def segment(rec: Any) -> httpx.Response:
        asked.append(int(rec.query["segment_index"]))  # data up to segment 5, then empty
        return httpx.Response(200, content=seg if asked[-1] <= 5 else b"")

    mock.set_response("video.get_danmaku_segment", segment)
    mock.set_response("video.get_pages", {"code": 0, "data": []})  # no length from the pages
    result = run(aio, mock, "download", BVID, tmp_path, danmaku="xml")
    assert result.danmaku_path is not None and result.danmaku_path.exists()
    assert sorted(asked) == [1, 2, 3]


# ---------------------------------------------------------------------------- batches
class InFlight:
    """A transport that counts CDN requests in flight (each held a little)."""

    def __init__(self, mock: MockBilibili) -> None:
        self.mock = mock
        self.now = 0
        self.max = 0
        self.lock = threading.Lock()

    def handle(self, request: httpx.Request) -> httpx.Response:
        cdn = request.url.path.startswith("/upgcxcode/")
        if cdn:
            with self.lock:
                self.now += 1
                self.max = max(self.max, self.now)
            time.sleep(0.05)
        try:
            response = self.mock.handle(request)
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.read()
            )
        finally:
            if cdn:
                with self.lock:
                    self.now -= 1

    async def ahandle(self, request: httpx.Request) -> httpx.Response:
        cdn = request.url.path.startswith("/upgcxcode/")
        if cdn:
            self.now += 1
            self.max = max(self.max, self.now)
            await asyncio.sleep(0.05)
        try:
            response = self.mock.handle(request)
            return httpx.Response(
                response.status_code, headers=response.headers, content=response.read()
            )
        finally:
            if cdn:
                self.now -= 1


def batch(
    aio: bool, mock: MockBilibili, *args: Any, counter: InFlight | None = None, **kw: Any
) -> Any:
    if not aio:
        handler: Callable[..., Any] = counter.handle if counter else mock.handle
        with Client(transport=httpx.MockTransport(handler)) as bili:
            return bili.video.download_batch(*args, **kw)

    async def main() -> Any:
        handler = counter.ahandle if counter else mock.handle
        async with AsyncClient(transport=httpx.MockTransport(handler)) as bili:
            return await bili.video.download_batch(*args, **kw)

    return asyncio.run(main())


@FLAVOURS
def test_batch_of_a_multi_part_video_respects_the_limit(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    parts = [(1001, "a"), (1002, "b"), (1003, "c"), (1004, "d"), (1005, "e")]
    _with_parts(mock, parts)
    counter = InFlight(mock)
    done: list[tuple[int, int]] = []
    result = batch(aio, mock, BVID, tmp_path, concurrency=2, counter=counter,
                   progress=lambda d, t: done.append((d, t)))  # fmt: skip
    assert result.ok and len(result.results) == 5
    assert counter.max == 2
    folder = tmp_path / title()
    for (cid, part), r in zip(parts, result.results, strict=True):
        assert r.cid == cid and r.video_path == folder / f"P{cid - 1000} {part}.video.m4s"
        assert r.video_path.read_bytes() == stream_bytes(mock, f"{cid}-1-v32c7.m4s", cid)
    assert done[-1][0] == done[-1][1] == 5 * (64 * 1024 + 16 * 1024 + 1)
    some = batch(aio, mock, BVID, tmp_path / "some", pages=[0, 4], concurrency=1)
    assert [r.cid for r in some.results] == [1001, 1005]


def _titles_by_bvid(mock: MockBilibili) -> None:
    base = mock.examples["video.get_info"]

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        body = copy.deepcopy(base)
        bvid = rec.query["bvid"]
        body["data"].update(bvid=bvid, title=f"title of {bvid}")
        body["data"]["pages"][0]["cid"] = 500 + sum(map(ord, bvid)) % 100
        return body

    mock.set_response("video.get_info", answer)


@FLAVOURS
def test_batch_of_a_favourite_folder(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    _titles_by_bvid(mock)
    result = batch(aio, mock, "https://space.bilibili.com/2/favlist?fid=123", tmp_path)
    bvids = ["BV1CZ4y1T7gC", "BV1oA411a72k", "BV1fK4y1e7Yj"]
    assert sorted(r.bvid for r in result.results) == sorted(bvids) and result.ok
    folder = tmp_path / "猛 男 生 存"  # the folder's title
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"title of {b}.{k}.m4s" for b in bvids for k in ("video", "audio")
    )
    listed = [r for r in mock.requests if r.endpoint == "favorite.get_folder_content"]
    assert listed[0].query["media_id"] == "123"
    keyword = batch(aio, mock, None, tmp_path / "k", media_id=123)
    assert len(keyword.results) == 3


@FLAVOURS
def test_batch_of_a_bangumi_season(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    counter = InFlight(mock)
    result = batch(aio, mock, "ss41410", tmp_path, concurrency=1, counter=counter)
    assert [r.ep_id for r in result.results] == [508404, 508405]
    assert counter.max == 1
    season = next(r for r in mock.requests if r.endpoint == "bangumi.get_season")
    assert season.query["season_id"] == "41410"
    plays = [r.query["ep_id"] for r in mock.requests if r.endpoint == "bangumi.get_play_url"]
    assert sorted(plays) == ["508404", "508405"]
    for r in result.results:
        assert r.output_path is not None and r.output_path.parent == tmp_path / "间谍过家家"
        assert r.output_path.read_bytes() == stream_bytes(mock, f"{r.ep_id}-1-q32s1.mp4", r.ep_id)
    by_media = batch(aio, mock, "md28229233", tmp_path / "md", concurrency=2)
    assert [r.ep_id for r in by_media.results] == [508404, 508405]
    media = next(r for r in mock.requests if r.endpoint == "bangumi.get_media_info")
    assert media.query["media_id"] == "28229233"
    seasons = [r.query["season_id"] for r in mock.requests if r.endpoint == "bangumi.get_season"]
    assert seasons == ["41410", "1172"]  # the media's current season
    one = run(
        aio, mock, "download", "https://www.bilibili.com/bangumi/play/ep508405", tmp_path / "e"
    )
    assert one.ep_id == 508405 and one.title == "间谍过家家 - 2 " + one.title.split(" - 2 ", 1)[1]


@FLAVOURS
def test_a_failed_item_does_not_stop_the_batch(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    _with_parts(mock, [(1001, "a"), (1002, "b")])
    for host in (PRIMARY_HOST, *BACKUP_HOSTS):
        mock.cdn.fail(f"https://{host}/upgcxcode/01/10/1001/1001-1-v32c7.m4s", 404, times=-1)
    result = batch(aio, mock, BVID, tmp_path)
    assert [r.cid for r in result.results] == [1002]
    (failure,) = result.failures
    assert failure.item == f"{BVID} P1" and isinstance(failure.error, DownloadException)
    for host in (PRIMARY_HOST, *BACKUP_HOSTS):
        mock.cdn.fail(host, 404, times=-1)
    with pytest.raises(DownloadException, match=r"every item of the batch failed \(2\)"):
        batch(aio, mock, BVID, tmp_path / "none")


# ---------------------------------------------------------------------------- bad input
BAD: list[tuple[str, dict[str, Any], str]] = [
    ("negative page", {"page": -1}, "page"),
    ("bool page", {"page": True}, "page"),
    ("unknown codec", {"codec": "vp9"}, "codec"),
    ("empty codec list", {"codec": []}, "codec"),
    ("quality as str", {"quality": "80"}, "quality"),
    ("unknown quality", {"quality": 81}, "quality"),
    ("audio quality", {"audio_quality": 128}, "audio_quality"),
    ("danmaku format", {"danmaku": "srt"}, "danmaku"),
    ("empty subtitles", {"subtitles": " "}, "subtitles"),
    ("filename with a directory", {"filename": "a/b"}, "filename"),
    ("progress", {"progress": 3}, "progress"),
    ("merge", {"merge": "yes"}, "merge"),
]


@FLAVOURS
@pytest.mark.parametrize(("case", "kw", "argument"), BAD, ids=[b[0] for b in BAD])
def test_bad_arguments_fail_before_any_io(
    aio: bool, tmp_path: Path, case: str, kw: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        run(aio, mock, "download", BVID, tmp_path / "new", **kw)
    assert info.value.argument == argument
    assert mock.requests == [] and not (tmp_path / "new").exists()


@FLAVOURS
def test_bad_targets_fail_before_any_io(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    afile = tmp_path / "file.txt"
    afile.write_text("x")
    cases = [
        ("download", (BVID, afile), {}, "dest"),
        ("download", ("not a video", tmp_path), {}, "video"),
        ("download", ("http://[::1", tmp_path), {}, "video"),
        ("download", (0, tmp_path), {}, "video"),
        ("download", ("https://space.bilibili.com/2/favlist?fid=1", tmp_path), {}, "video"),
        ("download_batch", (BVID, tmp_path), {"concurrency": 0}, "concurrency"),
        ("download_batch", (BVID, tmp_path), {"pages": [-1]}, "pages"),
        ("download_batch", ("https://www.bilibili.com/read/cv1", tmp_path), {}, "source"),
        ("download_batch", (BVID, tmp_path), {"media_id": 1}, "source"),
        ("download_batch", (None, tmp_path), {"series_id": 1}, "mid"),
    ]
    for method, args, kw, argument in cases:
        with pytest.raises(ArgsException) as info:
            run(aio, mock, method, *args, **kw)
        assert info.value.argument == argument, (method, args, kw)
    with pytest.raises(CredentialNoSessdataException, match="subtitles"):
        run(aio, mock, "download", BVID, tmp_path, subtitles=True)
    assert mock.requests == []
    assert afile.read_text() == "x"


@FLAVOURS
def test_a_page_past_the_last_part_is_a_typed_error(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException, match=r"page: expected an int from 0 to 0") as info:
        run(aio, mock, "download", BVID, tmp_path, page=3)
    assert info.value.argument == "page"
    assert mock.cdn.requests == [] and not list(tmp_path.glob("*.m4s*"))


@FLAVOURS
def test_a_link_picks_the_part(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    _with_parts(mock, [(1001, "a"), (1002, "b")])
    result = run(aio, mock, "download", f"https://www.bilibili.com/video/{BVID}?p=2", tmp_path)
    assert result.cid == 1002 and result.title == f"{title()} - P2 b"
    assert run(aio, mock, "download", 85440373, tmp_path / "aid", filename="mine").video_path == (
        tmp_path / "aid" / "mine.video.m4s"
    )


# ---------------------------------------------------------------------------- the mock's answers
@FLAVOURS
@pytest.mark.parametrize("durl", [False, True], ids=["dash", "durl"])
def test_the_mock_play_urls_fit_the_models_strictly(aio: bool, durl: bool) -> None:
    mock = MockBilibili()
    mock.cdn.set_durl(durl)
    mock.cdn.set_qualities(dolby=True, flac=True)

    async def both(bili: Any) -> tuple[Any, Any]:
        video = bili.video.get_play_url(bvid=BVID, cid=CID)
        episode = bili.bangumi.get_play_url(508404)
        if aio:
            return await video, await episode
        return video, episode

    if aio:

        async def main() -> tuple[Any, Any]:
            async with AsyncClient(transport=mock.transport(), strict=True, credential=CRED) as b:
                return await both(b)

        video, episode = asyncio.run(main())
    else:
        with Client(transport=mock.transport(), strict=True, credential=CRED) as b:
            video, episode = asyncio.run(both(b))
    assert video.accept_quality == [80, 64, 32, 16]
    if durl:
        assert video.dash is None and video.durl[0].url.startswith(f"https://{PRIMARY_HOST}/")
        assert video.durl[0].backup_url[1].startswith(f"https://{BACKUP_HOSTS[1]}/")
        assert episode.video_info.durl[0].size == 64 * 1024
    else:
        ids = [(s.id, s.codecid) for s in video.dash.video]
        assert ids == [(q, c) for q in (80, 64, 32) for c in (7, 12, 13)] + [(16, 7)]
        assert [a.id for a in video.dash.audio] == [30280, 30232, 30216]
        assert video.dash.dolby.audio[0].id == 30250 and video.dash.flac.audio.id == 30251
        assert episode.video_info.dash["video"][0]["id"] == 80


def run_with(
    aio: bool, handler: Callable[[httpx.Request], httpx.Response], *args: Any, **kw: Any
) -> Any:
    """`client.video.download(*args, **kw)` over a transport calling `handler`."""
    if not aio:
        with Client(transport=httpx.MockTransport(handler)) as bili:
            return bili.video.download(*args, **kw)

    async def main() -> Any:
        async with AsyncClient(transport=httpx.MockTransport(handler)) as bili:
            return await bili.video.download(*args, **kw)

    return asyncio.run(main())


@FLAVOURS
@pytest.mark.parametrize("server", ["ignores Range", "answers another range"])
def test_a_server_that_does_not_resume_where_asked_gets_a_fresh_start(
    aio: bool, tmp_path: Path, server: str
) -> None:
    mock = MockBilibili()
    mock.cdn.drop_after(20_000)

    def handler(request: httpx.Request) -> httpx.Response:
        if "range" in request.headers:
            if server == "ignores Range":
                del request.headers["range"]
            else:
                request.headers["range"] = "bytes=5-"
        return mock.handle(request)

    result = run_with(aio, handler, BVID, tmp_path)
    assert result.video_path.read_bytes() == stream_bytes(mock, f"{CID}-1-v32c7.m4s")
    sent = [r for _, n, r in cdn_gets(mock) if "v32" in n]
    if server == "ignores Range":
        assert sent == [None, None]  # the 200 body replaced the partial file
    else:
        assert sent == [None, "bytes=5-", None]  # a wrong start: dropped, fetched again


def test_the_mock_cdn_speaks_range_head_and_failures() -> None:
    mock = MockBilibili()
    mock.cdn.set_size(1000)
    url = f"https://{PRIMARY_HOST}/upgcxcode/93/46/{CID}/{CID}-1-v80c7.m4s?deadline=1"
    full = mock.cdn.content(url)
    assert len(full) == 1000 and full != mock.cdn.content(url.replace("v80c7", "v80c12"))
    with mock.serve() as server, httpx.Client(base_url=server.base_url) as http:
        path = f"/{PRIMARY_HOST}/upgcxcode/93/46/{CID}/{CID}-1-v80c7.m4s"
        head = http.head(path)
        assert head.status_code == 200 and head.headers["content-length"] == "1000"
        assert head.content == b"" and head.headers["accept-ranges"] == "bytes"
        part = http.get(path, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206 and part.content == full[100:200]
        assert part.headers["content-range"] == "bytes 100-199/1000"
        tail = http.get(path, headers={"Range": "bytes=-10"})
        assert tail.content == full[-10:] and tail.headers["content-range"] == "bytes 990-999/1000"
        past = http.get(path, headers={"Range": "bytes=1000-"})
        assert past.status_code == 416 and past.headers["content-range"] == "bytes */1000"
        mock.cdn.fail(PRIMARY_HOST, 503, times=2)
        assert [http.get(path).status_code for _ in range(3)] == [503, 503, 200]
        assert http.get(f"/{PRIMARY_HOST}/upgcxcode/1/2/3/nothing.m4s").status_code == 404
    assert [r.range for r in mock.cdn.requests[:4]] == [
        None,
        "bytes=100-199",
        "bytes=-10",
        "bytes=1000-",
    ]
    assert mock.cdn.requests[0].method == "HEAD"


@FLAVOURS
def test_a_body_longer_than_announced_is_an_error_and_leaves_nothing(
    aio: bool, tmp_path: Path
) -> None:
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        response = mock.handle(request)
        if request.url.path.endswith("v32c7.m4s"):  # says 1000 bytes, sends 65536
            body = response.read()
            return httpx.Response(
                200, headers={"content-length": "1000"}, stream=httpx.ByteStream(body)
            )
        return response

    with pytest.raises(DownloadException, match=r"sent 65536 bytes of 1000") as info:
        run_with(aio, handler, BVID, tmp_path / "out")
    assert "partial file was removed" in str(info.value)
    assert list((tmp_path / "out").iterdir()) == []  # neither the file nor its .part


@FLAVOURS
def test_an_episode_with_dash_streams(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.set_durl(False)
    result = run(aio, mock, "download", video="ep508404", dest=tmp_path, codec="hevc")
    assert (result.ep_id, result.quality, result.codec) == (508404, 32, "hevc")
    assert result.title.startswith("间谍过家家 - 1 ")
    assert result.video_path.read_bytes() == stream_bytes(mock, "508404-1-v32c12.m4s", 508404)
    play = next(r for r in mock.requests if r.endpoint == "bangumi.get_play_url")
    assert play.query["ep_id"] == "508404" and play.query["qn"] == "127"


@FLAVOURS
def test_batch_of_an_uploaders_season_and_series(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    mock.cdn.set_size(1000)
    _titles_by_bvid(mock)
    season = batch(
        aio, mock, "https://space.bilibili.com/2/channel/collectiondetail?sid=77", tmp_path
    )
    assert [r.bvid for r in season.results] == ["BV1XN411K7g9"]
    assert season.results[0].video_path.parent == tmp_path / "Example season"
    listed = next(
        r for r in mock.requests if r.path.endswith("/fav/season/list") and r.query.get("pn")
    )
    assert listed.query["season_id"] == "77"
    series = batch(aio, mock, None, tmp_path, series_id=88, mid=2, concurrency=4)
    assert len(series.results) == 16 and series.ok
    assert {r.video_path.parent for r in series.results} == {tmp_path / "Example list"}
    sent = next(r for r in mock.requests if r.endpoint == "user.get_channel_videos_series")
    assert (sent.query["mid"], sent.query["series_id"]) == ("2", "88")


@FLAVOURS
def test_a_share_link_is_resolved_first(aio: bool, tmp_path: Path) -> None:
    mock = MockBilibili()
    _with_parts(mock, [(1001, "a"), (1002, "b")])
    mock.set_redirect("https://b23.tv/Ab12Cd", f"https://www.bilibili.com/video/{BVID}?p=2")
    result = run(aio, mock, "download", "https://b23.tv/Ab12Cd", tmp_path)
    assert result.cid == 1002 and result.bvid == BVID
    assert mock.requests[0].host == "b23.tv"


def test_the_plain_mock_serves_the_subtitles_its_player_info_lists(tmp_path: Path) -> None:
    mock = MockBilibili()
    result = run(False, mock, "download", BVID, tmp_path, subtitles=True, cred=CRED)
    assert result.subtitle_path is not None
    assert "mock subtitle" in result.subtitle_path.read_text("utf-8")
