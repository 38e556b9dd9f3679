"""Parity cases of the `upload` namespace (the seed's video_uploader and audio_uploader)."""

from __future__ import annotations

import os
import tempfile
from typing import Any

import bilibili_api
from bilibili_api import audio_uploader as seed_audio
from bilibili_api import video_uploader as seed_vu
from bilibili_api.utils.picture import Picture as SeedPicture

from bilibili_sdk.testing._mock import placeholder_png

from .._parity_base import Case, Diff, _d

NAMESPACES: tuple[str, ...] = ("upload",)

BVID = "BV181vnexEmB"
PNG = placeholder_png(20, 20)
_DIR = tempfile.mkdtemp(prefix="bili-parity-upload-")
VIDEO = os.path.join(_DIR, "clip.mp4")
with open(VIDEO, "wb") as _f:
    _f.write(b"\0" * 1000)

META: dict[str, Any] = {
    "title": "t",
    "copyright": 1,
    "tid": 122,
    "tag": "a,b",
    "desc_format_id": 9999,
    "desc": "d",
    "recreate": -1,
    "dynamic": "",
    "interactive": 0,
    "act_reserve_create": 0,
    "no_reprint": 1,
    "web_os": 1,
}


def _uploader(c: bilibili_api.Credential) -> Any:
    page = seed_vu.VideoUploaderPage(VIDEO, "t")
    cover = SeedPicture()  # built by hand: the seed's constructors leave files open
    cover.content, cover.imageType, cover.width, cover.height = PNG, "png", 20, 20
    up = seed_vu.VideoUploader([page], dict(META), c, cover=cover, line=seed_vu.Lines.QN)
    up.line = seed_vu.LINES_INFO["qn"]
    return up, page


async def _seed_preupload(c: bilibili_api.Credential) -> Any:
    up, page = _uploader(c)
    return await up._preupload(page)


async def _seed_submit(c: bilibili_api.Credential) -> Any:
    up, _ = _uploader(c)
    return await up._submit([], cover_url="")


def _editor(c: bilibili_api.Credential) -> Any:
    return seed_vu.VideoEditor(BVID, dict(META), "", c)


async def _seed_pre(c: bilibili_api.Credential) -> Any:
    meta = seed_vu.VideoMeta.__new__(seed_vu.VideoMeta)
    meta._VideoMeta__credential = c  # its constructor checks a cover file; _pre needs only this
    return await meta._pre()


CASES: list[Case] = [
    ("upload", "get_pre", {}, _seed_pre),
    (
        "upload",
        "check_tag",
        {"tag": "测试"},
        lambda c: seed_vu.VideoMeta._check_tag_name("测试", c),
    ),
    ("upload", "get_topics", {"tid": 122}, lambda c: seed_vu.get_available_topics(122, c)),
    (
        "upload",
        "_preupload",
        {"name": "clip.mp4", "size": 1000, "upcdn": "qn", "probe_version": 20221109},
        _seed_preupload,
    ),
    ("upload", "_submit", {**META, "t": 1}, _seed_submit),
    ("upload", "get_archive", {"bvid": BVID}, lambda c: _editor(c)._fetch_configs()),
    ("upload", "_edit", {"aid": 112861976201494, **META, "t": 1}, lambda c: _editor(c)._submit()),
    ("upload", "get_missions", {"tid": 122}, lambda c: seed_vu.get_missions(122, c)),
    (
        "upload",
        "_upload_lyrics",
        {"song_id": 7, "lrc": "[00:01.00]la"},
        lambda c: seed_audio.upload_lrc("[00:01.00]la", 7, c),
    ),
]

DELIBERATE: dict[tuple[str, str], Diff] = {
    ("upload", "get_pre"): _d(
        "seed's table gives lang as `const: cn` but its Api sends the placeholder empty; we send cn",
        values="lang",
    ),
    ("upload", "_submit"): _d(
        "`t` is the sending time in both; `videos` is a list the engine (`upload.video`) adds "
        "to the prepared call, not a parameter of the private endpoint",
        missing="videos",
        values="t",
    ),
    ("upload", "_edit"): _d("`t` is the sending time in both", values="t"),
    ("upload", "get_archive"): _d(
        "the seed's URL carries ?topic_grey=1 but its params replace the URL's query, so it "
        "never sends it; we send it as a fixed query value",
        extra="topic_grey",
    ),
}

NO_SEED_CALL: dict[tuple[str, str], str] = {
    ("upload", "_upload_cover"): (
        "seed's upload_cover converts through Picture.convert_format, which writes /tmp/test.png "
        "and leaves it open (ResourceWarning, an error here); tests/test_upload.py checks the "
        "PNG data URL"
    ),
    ("upload", "_upload_audio_cover"): (
        "seed broken: audio_uploader.upload_cover passes a BiliAPIFile where its client "
        "expects a readable file, raising AttributeError before sending"
    ),
    ("upload", "_probe"): (
        "seed's _probe has the preupload?r=probe request commented out: it times the bundled "
        "lines' probe URLs instead, as `upload.video` does"
    ),
    ("upload", "_submit_song"): (
        "seed's AudioUploader._submit needs a full SongMeta and the uploader from "
        "user.get_self_info; the body is built by `upload.audio` (tests/test_upload.py checks it)"
    ),
}
