"""`bili.upload`: video uploads over the mock upos server (chunks, threads, retries, resume),
multi-part videos, edits, audio, images and argument checks, in both flavours."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import logging
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bilibili_sdk import AsyncClient, Client, Credential
from bilibili_sdk import upload as up
from bilibili_sdk._exceptions import (
    ArgsException,
    CredentialNoSessdataException,
    VideoUploadException,
)
from bilibili_sdk.testing import MockBilibili
from bilibili_sdk.testing._mock import placeholder_png

from .conftest import BILI_JCT, SESSDATA

FLAVOURS = ["sync", "async"]
CHUNK = 1000


class Killed(BaseException):
    """Stands for the process being killed mid-upload."""


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(up, "RETRY_BACKOFF", 0.0)


@pytest.fixture
def mock() -> MockBilibili:
    m = MockBilibili()
    m.upos.chunk_size = CHUNK
    return m


def _cred() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


def run(
    flavour: str,
    mock: MockBilibili,
    method: str,
    *args: Any,
    credential: Credential | None = None,
    server: bool = False,
    **kw: Any,
) -> Any:
    """Call `bili.upload.<method>` in the given flavour (over a loopback server if asked)."""
    cred = credential if credential is not None else _cred()
    if flavour == "sync":
        if server:
            with mock.serve() as srv, Client(credential=cred, base_urls=srv.base_urls) as bili:
                return getattr(bili.upload, method)(*args, **kw)
        with Client(credential=cred, transport=mock.transport()) as bili:
            return getattr(bili.upload, method)(*args, **kw)

    async def go() -> Any:
        if server:
            with mock.serve() as srv:
                async with AsyncClient(credential=cred, base_urls=srv.base_urls) as bili:
                    return await getattr(bili.upload, method)(*args, **kw)
        async with AsyncClient(credential=cred, transport=mock.transport()) as bili:
            return await getattr(bili.upload, method)(*args, **kw)

    return asyncio.run(go())


def _video(tmp_path: Path, size: int = 4500, name: str = "clip.mp4") -> tuple[str, bytes]:
    data = os.urandom(size)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path), data


META: dict[str, Any] = {"title": "测试投稿", "tid": 122, "tags": ["测试", "mock"], "line": "qn"}


def _puts(mock: MockBilibili) -> list[Any]:
    return [r for r in mock.requests if r.method == "PUT"]


def _submit(mock: MockBilibili) -> Any:
    return next(r for r in mock.requests if r.path == "/x/vu/web/add/v3")


# ---------------------------------------------------------------- happy path
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_video_upload_reassembles_the_file(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    path, data = _video(tmp_path)
    seen: list[tuple[int, int]] = []
    from bilibili_sdk.picture import Picture

    cover = Picture.from_bytes(placeholder_png(32, 18)).convert_format("gif").content
    assert cover[:3] == b"GIF"  # sent as PNG all the same
    result = run(
        flavour, mock, "video", path, **META, desc="简介", cover=cover, dynamic="新视频",
        progress=lambda d, t: seen.append((d, t)),
    )  # fmt: skip
    assert result == up.UploadResult(aid=112861976201494, bvid="BV181vnexEmB")
    assert mock.upos.files["clip.mp4"] == data
    # every chunk once, with consistent parameters
    puts = _puts(mock)
    assert sorted(int(r.query["partNumber"]) for r in puts) == [1, 2, 3, 4, 5]
    for r in puts:
        n = int(r.query["partNumber"])
        start = (n - 1) * CHUNK
        end = min(start + CHUNK, len(data))
        assert r.query["chunk"] == str(n - 1) and r.query["chunks"] == "5"
        assert (r.query["start"], r.query["end"], r.query["total"]) == (
            str(start), str(end), str(len(data)),
        )  # fmt: skip
        assert r.host == "upos-cs-upcdnqn.bilivideo.com"  # the chosen line
        assert r.cookies == {}  # upos gets the upload's token, never the login
        assert r.headers["x-upos-auth"].startswith("ak=")
    # progress: monotonic, by chunk, ending at the total
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert seen[-1] == (len(data), len(data)) and len(seen) == 5
    # the cover went as a PNG data URL
    cov = next(r for r in mock.requests if r.path == "/x/vu/web/cover/up")
    assert cov.form["cover"].startswith("data:image/png;base64,")
    png = base64.b64decode(cov.form["cover"].split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (32, 18)
    # submit: csrf in the query, the meta in the JSON body
    sub = _submit(mock)
    assert sub.query["csrf"] == BILI_JCT and "csrf" not in sub.json
    body = sub.json
    assert (body["title"], body["tid"], body["tag"], body["copyright"]) == (
        "测试投稿", 122, "测试,mock", 1,
    )  # fmt: skip
    assert (body["desc"], body["dynamic"]) == ("简介", "新视频")
    assert body["cover"].startswith("https://archive.biliimg.com/")
    assert body["videos"] == [
        {"title": "测试投稿", "desc": "简介", "filename": "mock0001", "cid": 500000001}
    ]
    assert not os.path.exists(path + up.STATE_SUFFIX)  # removed on success


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_line_probe_picks_a_line_that_answers(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    path, _ = _video(tmp_path, 1500)
    mock.upos.fail_lines = {"bda2", "ws", "bldsa"}
    meta = {**META, "line": None}
    run(flavour, mock, "video", path, **meta)
    probes = [r for r in mock.requests if r.path == "/OK"]
    assert sorted(r.host for r in probes) == sorted(
        f"upos-cs-upcdn{x}.bilivideo.com" for x in up.LINES
    )
    assert all(len(r.headers.get("content-length", "")) and r.method == "POST" for r in probes)
    pre = next(r for r in mock.requests if r.path == "/preupload")
    assert (pre.query["upcdn"], pre.query["probe_version"]) == ("qn", "20221109")
    assert {r.host for r in _puts(mock)} == {"upos-cs-upcdnqn.bilivideo.com"}


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("threads", [1, 3])
def test_threads_in_flight_are_bounded(
    flavour: str, threads: int, mock: MockBilibili, tmp_path: Path
) -> None:
    path, data = _video(tmp_path, 8 * CHUNK)
    mock.upos.put_delay = 0.15
    run(flavour, mock, "video", path, **META, threads=threads, server=True)
    assert mock.upos.files["clip.mp4"] == data
    assert mock.upos.max_in_flight == threads


# ---------------------------------------------------------------- retries and resume
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_failed_chunk_is_retried(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    path, data = _video(tmp_path)
    mock.upos.fail_part(2, times=2, status=503)
    run(flavour, mock, "video", path, **META, threads=1)
    assert [n for _, n in mock.upos.puts] == [1, 2, 2, 2, 3, 4, 5]
    assert mock.upos.files["clip.mp4"] == data


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dropped_connection_is_retried(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    path, data = _video(tmp_path)
    mock.upos.fail_part(4, times=1, status=0)
    run(flavour, mock, "video", path, **META, threads=1)
    assert [n for _, n in mock.upos.puts] == [1, 2, 3, 4, 4, 5]
    assert mock.upos.files["clip.mp4"] == data


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_chunk_failing_past_retries_raises_and_keeps_state(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    path, _ = _video(tmp_path)
    mock.upos.fail_part(3, times=10, status=500)
    with pytest.raises(VideoUploadException, match="part 3"):
        run(flavour, mock, "video", path, **META, threads=1, retries=2)
    assert [n for _, n in mock.upos.puts].count(3) == 3
    state = json.loads(Path(path + up.STATE_SUFFIX).read_text())
    assert sorted(state["parts"]) == ["1", "2"]
    assert not any(r.path == "/x/vu/web/add/v3" for r in mock.requests)


def _kill_after(k: int) -> Callable[[int, int], None]:
    calls = [0]

    def progress(done: int, total: int) -> None:
        calls[0] += 1
        if calls[0] == k:
            raise Killed

    return progress


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_interrupted_upload_resumes_missing_parts_only(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    path, data = _video(tmp_path, 6 * CHUNK + 7)
    with pytest.raises(Killed):
        run(flavour, mock, "video", path, **META, threads=1, progress=_kill_after(3))
    state_file = Path(path + up.STATE_SUFFIX)
    assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
    text = state_file.read_text()
    assert SESSDATA not in text and BILI_JCT not in text  # no cookies in the state
    state = json.loads(text)
    assert sorted(int(n) for n in state["parts"]) == [1, 2, 3]
    first_upload = state["upload_id"]
    mock.upos.puts.clear()
    seen: list[int] = []
    run(flavour, mock, "video", path, **META, threads=2, progress=lambda d, t: seen.append(d))
    assert sorted(n for _, n in mock.upos.puts) == [4, 5, 6, 7]
    assert {u for u, _ in mock.upos.puts} == {first_upload}
    assert sum(1 for r in mock.requests if r.path == "/preupload") == 1  # no new preupload
    assert mock.upos.files["clip.mp4"] == data
    assert seen[0] == 3 * CHUNK and seen[-1] == len(data)  # resumed bytes count
    assert not state_file.exists()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_forgotten_upload_id_starts_over(
    flavour: str, mock: MockBilibili, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, data = _video(tmp_path)
    with pytest.raises(Killed):
        run(flavour, mock, "video", path, **META, threads=1, progress=_kill_after(2))
    mock.upos.forget_uploads()
    mock.upos.puts.clear()
    with caplog.at_level(logging.INFO, logger="bilibili_sdk.upload"):
        run(flavour, mock, "video", path, **META, threads=1)
    assert "starting over" in caplog.text
    ids = [u for u, _ in mock.upos.puts]
    assert ids[0] == "mock-upload-500000001"  # the old id was tried once, refused
    assert [n for u, n in mock.upos.puts if u == "mock-upload-500000002"] == [1, 2, 3, 4, 5]
    assert mock.upos.files["clip.mp4"] == data


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_changed_file_does_not_resume(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    path, _ = _video(tmp_path)
    with pytest.raises(Killed):
        run(flavour, mock, "video", path, **META, threads=1, progress=_kill_after(2))
    data = os.urandom(5 * CHUNK)
    Path(path).write_bytes(data)
    mock.upos.puts.clear()
    run(flavour, mock, "video", path, **META, threads=1)
    assert [n for _, n in mock.upos.puts] == [1, 2, 3, 4, 5]
    assert mock.upos.files["clip.mp4"] == data


# ---------------------------------------------------------------- parts, edit, audio, images
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_multi_part_video(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    p1, d1 = _video(tmp_path, 2500, "p1.mp4")
    p2, d2 = _video(tmp_path, 1200, "p2.mkv")
    seen: list[tuple[int, int]] = []
    run(
        flavour, mock, "video", p1, **META,
        pages=[up.VideoPart(p2, title="第二集", desc="P2")],
        progress=lambda d, t: seen.append((d, t)),
    )  # fmt: skip
    assert (mock.upos.files["p1.mp4"], mock.upos.files["p2.mkv"]) == (d1, d2)
    videos = _submit(mock).json["videos"]
    assert [(v["title"], v["desc"], v["filename"], v["cid"]) for v in videos] == [
        ("p1", "", "mock0001", 500000001),
        ("第二集", "P2", "mock0002", 500000002),
    ]
    assert seen[-1] == (3700, 3700)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_edit_merges_the_archive(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    result = run(flavour, mock, "edit", "BV181vnexEmB", title="新标题", tags="a,b")
    assert result == up.UploadResult(aid=112861976201494, bvid="BV181vnexEmB")
    view = next(r for r in mock.requests if r.path == "/x/vupre/web/archive/view")
    assert (view.endpoint, view.query["topic_grey"]) == ("upload.get_archive", "1")
    edit = next(r for r in mock.requests if r.path == "/x/vu/web/edit")
    assert edit.query["csrf"] == BILI_JCT
    b = edit.json
    assert (b["aid"], b["title"], b["tag"], b["tid"]) == (112861976201494, "新标题", "a,b", 122)
    assert b["desc"] == "a video uploaded to the mock"  # kept
    assert b["videos"] == [
        {"title": "P1", "desc": "", "filename": "n240728ad1p51if4g3ke4s3o95sznogy",
         "cid": 500001630152509}
    ]  # fmt: skip


def test_interactive_creator_pages_still_answer(mock: MockBilibili) -> None:
    """Same URL in two namespaces: the mock tells them apart by topic_grey."""
    with Client(credential=_cred(), transport=mock.transport()) as bili:
        bili.interactive.get_creator_pages(bvid="BV181vnexEmB")
        bili.upload.get_archive(bvid="BV181vnexEmB")
    assert [r.endpoint for r in mock.requests if "archive/view" in r.path] == [
        "interactive.get_creator_pages",
        "upload.get_archive",
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_audio_upload_with_lyrics_and_cover(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    path, data = _video(tmp_path, 2100, "song.mp3")
    result = run(
        flavour, mock, "audio", path, title="歌", lyrics="[00:01.00]la", intro="介绍",
        cover=placeholder_png(20, 20), tags=["原创"],
    )  # fmt: skip
    assert result == up.AudioUploadResult(
        500000001,
        "https://i0.hdslb.com/bfs/music/mock-lyrics.lrc",
        "https://i0.hdslb.com/bfs/music/mock-cover.png",
    )
    assert mock.upos.files["song.mp3"] == data
    pre = next(r for r in mock.requests if r.path == "/preupload")
    assert (pre.query["profile"], pre.query["version"], pre.query["build"]) == (
        "uga/bup", "2.6.0", "2060400",
    )  # fmt: skip
    assert "upcdn" not in pre.query
    lrc = next(r for r in mock.requests if r.path.endswith("/songs/lrc"))
    assert (lrc.form["song_id"], lrc.form["lrc"]) == ("500000001", "[00:01.00]la")
    img = next(r for r in mock.requests if r.path.endswith("/songs/image"))
    assert img.files["file"][1][:8] == b"\x89PNG\r\n\x1a\n"
    song = next(r for r in mock.requests if r.path == "/audio/music-service/songs")
    b = song.json
    assert (b["song_id"], b["title"], b["intro"], b["mid"]) == (500000001, "歌", "介绍", 293793435)
    assert b["lyric_url"].endswith("mock-lyrics.lrc") and b["cover_url"].endswith(".png")
    assert b["song_tags"] == [{"tagName": "原创"}]
    assert b["member_with_type"][0]["m_type"] == 127


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kind", "path", "url"),
    [
        ("dynamic", "/x/dynamic/feed/draw/upload_bfs", "http://i0.hdslb.com/bfs/album/"),
        ("article", "/x/note/image/upload", "https://api.bilibili.com/x/note/image"),
        ("note", "/x/note/image/upload", "https://api.bilibili.com/x/note/image"),
        ("cover", "/x/vu/web/cover/up", "https://archive.biliimg.com/bfs/archive/"),
        ("audio", "/audio/music-service/songs/image", "https://i0.hdslb.com/bfs/music/"),
    ],
)
def test_image_upload_kinds(
    flavour: str, kind: str, path: str, url: str, mock: MockBilibili, tmp_path: Path
) -> None:
    img = tmp_path / "pic.png"
    img.write_bytes(placeholder_png(30, 20))
    result = run(flavour, mock, "image", str(img), kind=kind)
    assert result.kind == kind and result.url.startswith(url)
    assert [r.path for r in mock.requests if r.method == "POST"][-1] == path
    if kind == "dynamic":
        assert (result.width, result.height) == (1225, 850)  # the server's answer
    else:
        assert (result.width, result.height) == (30, 20)


# ---------------------------------------------------------------- bad input, no I/O
def _bad_cases(tmp_path: Path) -> list[tuple[str, dict[str, Any], str]]:
    path, _ = _video(tmp_path)
    (tmp_path / "empty.mp4").write_bytes(b"")
    ok: dict[str, Any] = dict(META)
    return [
        (str(tmp_path / "missing.mp4"), ok, "path"),
        (str(tmp_path / "empty.mp4"), ok, "path"),
        (str(tmp_path), ok, "path"),
        (path, {**ok, "tid": 99999}, "tid"),
        (path, {**ok, "tid": True}, "tid"),
        (path, {**ok, "tags": [f"t{i}" for i in range(11)]}, "tags"),
        (path, {**ok, "tags": ["x" * 21]}, "tags"),
        (path, {**ok, "tags": []}, "tags"),
        (path, {**ok, "title": "长" * 81}, "title"),
        (path, {**ok, "title": "  "}, "title"),
        (path, {**ok, "threads": 0}, "threads"),
        (path, {**ok, "copyright": 3}, "copyright"),
        (path, {**ok, "copyright": 2}, "source"),
        (path, {**ok, "line": "txa"}, "line"),
        (path, {**ok, "dtime": 1}, "dtime"),
        (path, {**ok, "dtime": int(time.time()) + 3600}, "dtime"),  # under 2 hours ahead
        (path, {**ok, "dtime": int(time.time()) + 16 * 86400}, "dtime"),  # over 15 days
        (path, {**ok, "tid": 36}, "tid"),  # a main zone (知识): videos go into a subzone
        (path, {**ok, "cover": b"not an image"}, "cover"),
        (path, {**ok, "cover": str(tmp_path / "nope.png")}, "cover"),
        (path, {**ok, "desc": "x" * 2001}, "desc"),
        (path, {**ok, "pages": ["p2.mp4"]}, "pages"),
        (path, {**ok, "progress": 3}, "progress"),
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_bad_arguments_fail_before_any_io(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    for path, kw, argument in _bad_cases(tmp_path):
        with pytest.raises(ArgsException) as e:
            run(flavour, mock, "video", path, **kw)
        assert e.value.argument == argument, (kw, e.value)
        assert mock.requests == [], kw
    assert not list(tmp_path.glob("*.bili-upload"))


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_other_methods_check_before_io(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    path, _ = _video(tmp_path, 100, "a.mp3")
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any], str]] = [
        ("edit", ("BVnotabvid",), {}, "bvid"),
        ("edit", ("BV181vnexEmB",), {"tags": ["y" * 30]}, "tags"),
        ("audio", (path,), {"title": ""}, "title"),
        ("audio", (path,), {"title": "t", "cover": placeholder_png(30, 20)}, "cover"),
        ("audio", (path,), {"title": "t", "creation_type": 7}, "creation_type"),
        ("image", (b"nope",), {}, "picture_or_path"),
        ("image", (placeholder_png(),), {"kind": "banner"}, "kind"),
    ]
    for method, args, kw, argument in cases:
        with pytest.raises(ArgsException) as e:
            run(flavour, mock, method, *args, **kw)
        assert e.value.argument == argument, (method, kw)
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_no_login_fails_before_io(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    path, _ = _video(tmp_path)
    for method, args, kw in [
        ("video", (path,), META),
        ("audio", (path,), {"title": "t"}),
        ("image", (placeholder_png(),), {}),
        ("edit", ("BV181vnexEmB",), {"title": "x"}),
    ]:
        with pytest.raises(CredentialNoSessdataException):
            run(flavour, mock, method, *args, credential=Credential(), **kw)
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_logs_hold_no_cookie_and_no_upload_token(
    flavour: str, mock: MockBilibili, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, _ = _video(tmp_path)
    mock.upos.fail_part(1)
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(Killed):
            run(flavour, mock, "video", path, **META, threads=1, progress=_kill_after(2))
        run(flavour, mock, "video", path, **META)
    assert "resuming" in caplog.text and "retry" in caplog.text
    for secret in (SESSDATA, BILI_JCT, "mock0001secret", "mock0002secret"):
        assert secret not in caplog.text
    state = up.UposState(
        name="a", size=1, mtime_ns=1, profile="p", upload_url="u", auth="TOKEN", biz_id=1,
        upload_id="i", chunk_size=1,
    )  # fmt: skip
    assert "TOKEN" not in repr(state)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_failed_submit_is_retried_without_uploading_again(
    flavour: str, mock: MockBilibili, tmp_path: Path
) -> None:
    from bilibili_sdk._exceptions import ResponseCodeException

    path, data = _video(tmp_path)
    mock.set_response("upload._submit", {"code": 21070, "message": "标签不合法", "ttl": 1})
    with pytest.raises(ResponseCodeException) as e:
        run(flavour, mock, "video", path, **META)
    assert e.value.code == 21070
    state = json.loads(Path(path + up.STATE_SUFFIX).read_text())
    assert state["filename"] == "mock0001"
    del mock.overrides["upload._submit"]
    mock.upos.puts.clear()
    n_pre = sum(1 for r in mock.requests if r.path == "/preupload")
    result = run(flavour, mock, "video", path, **META)
    assert result.bvid == "BV181vnexEmB"
    assert mock.upos.puts == []  # nothing uploaded again
    assert sum(1 for r in mock.requests if r.path == "/preupload") == n_pre
    subs = [r for r in mock.requests if r.path == "/x/vu/web/add/v3"]
    assert [s.json["videos"][0]["filename"] for s in subs] == ["mock0001", "mock0001"]
    assert mock.upos.files["clip.mp4"] == data
    assert not Path(path + up.STATE_SUFFIX).exists()


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_scheduled_publication(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    import datetime

    path, _ = _video(tmp_path, 100)
    when = datetime.datetime.now() + datetime.timedelta(days=1)
    run(flavour, mock, "video", path, **META, dtime=when)
    assert _submit(mock).json["dtime"] == int(when.timestamp())


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_edit_appends_new_parts(flavour: str, mock: MockBilibili, tmp_path: Path) -> None:
    path, data = _video(tmp_path, 1500, "p2.mp4")
    run(flavour, mock, "edit", "BV181vnexEmB", pages=[up.VideoPart(path, title="P2")], line="ws")
    assert mock.upos.files["p2.mp4"] == data
    assert {r.host for r in _puts(mock)} == {"upos-cs-upcdnws.bilivideo.com"}
    videos = next(r for r in mock.requests if r.path == "/x/vu/web/edit").json["videos"]
    assert [(v["title"], v["filename"]) for v in videos] == [
        ("P1", "n240728ad1p51if4g3ke4s3o95sznogy"),
        ("P2", "mock0001"),
    ]
    assert not Path(path + up.STATE_SUFFIX).exists()
