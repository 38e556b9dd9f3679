"""`bilibili_sdk.Picture` on images made here with Pillow: reading, resize, convert, save
(atomically), download through a client (sync and async, cookie policy), without Pillow, and
the import cost."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

import bilibili_sdk
from bilibili_sdk import (
    ApiException,
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    MissingExtraException,
    NotFoundException,
    Picture,
    ResponseException,
)
from bilibili_sdk.testing import MockBilibili

from .conftest import BILI_JCT, SESSDATA

COLORS = [(255, 0, 0, 255), (0, 160, 0, 255), (0, 0, 255, 255)]
GIF_DURATIONS = [100, 200, 300]
WEBP_DURATIONS = [80, 160, 240]
CDN = "https://i0.hdslb.com/bfs/archive/mock-cover.png"
ELSEWHERE = "https://images.example.org/img/cover.png"


# ---------------------------------------------------------------- images made here


def _save(img: Image.Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **options)
    return buf.getvalue()


def rgba_png() -> bytes:
    """64x48, left half opaque red, right half fully transparent."""
    img = Image.new("RGBA", (64, 48), (0, 0, 0, 0))
    ImageDraw.Draw(img).rectangle((0, 0, 31, 47), fill=(255, 0, 0, 255))
    return _save(img, "PNG")


def jpeg() -> bytes:
    return _save(Image.new("RGB", (80, 60), (30, 120, 200)), "JPEG", quality=95)


def _frames(size: tuple[int, int] = (40, 30)) -> list[Image.Image]:
    """Three different frames (Pillow merges identical neighbours), on transparency."""
    out = []
    for i, color in enumerate(COLORS):
        frame = Image.new("RGBA", size, (0, 0, 0, 0))
        ImageDraw.Draw(frame).rectangle((i * 10, 0, i * 10 + 15, 15), fill=color)
        out.append(frame)
    return out


def animated_gif(loop: int | None = 0) -> bytes:
    first, *rest = _frames()
    options: dict[str, Any] = {"disposal": 2}
    if loop is not None:
        options["loop"] = loop
    return _save(first, "GIF", save_all=True, append_images=rest, duration=GIF_DURATIONS, **options)


def animated_webp() -> bytes:
    first, *rest = _frames()
    return _save(
        first,
        "WEBP",
        save_all=True,
        append_images=rest,
        duration=WEBP_DURATIONS,
        loop=3,
        lossless=True,
        kmax=1,  # key frames only: otherwise libwebp drops the alpha flag (see picture.py)
    )


def animated_png() -> bytes:
    first, *rest = _frames()
    return _save(first, "PNG", save_all=True, append_images=rest, duration=GIF_DURATIONS, loop=2)


def timing(content: bytes) -> tuple[int, list[int], int | None]:
    """(frames, durations in ms, loop) as Pillow reads them back."""
    img = Image.open(io.BytesIO(content))
    loop = img.info.get("loop")
    durations = []
    n = getattr(img, "n_frames", 1)
    for i in range(n):
        img.seek(i)
        img.load()
        durations.append(round(float(img.info.get("duration") or 0)))
    return n, durations, loop


def pixel(content: bytes, xy: tuple[int, int], frame: int = 0) -> tuple[int, ...]:
    img = Image.open(io.BytesIO(content))
    img.seek(frame)
    value = img.convert("RGBA").getpixel(xy)
    assert isinstance(value, tuple)
    return value


def close(a: tuple[int, ...], b: tuple[int, ...], tolerance: int = 8) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------- reading

KINDS = {
    "png": (rgba_png, "png", "image/png", 64, 48, 1, False),
    "jpeg": (jpeg, "jpeg", "image/jpeg", 80, 60, 1, False),
    "gif": (animated_gif, "gif", "image/gif", 40, 30, 3, True),
    "webp": (animated_webp, "webp", "image/webp", 40, 30, 3, True),
    "apng": (animated_png, "png", "image/apng", 40, 30, 3, True),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_from_bytes_reads_the_header(kind: str) -> None:
    make, fmt, mime, width, height, frames, animated = KINDS[kind]
    data = make()
    pic = Picture.from_bytes(data)
    assert (pic.format, pic.mime_type, pic.width, pic.height) == (fmt, mime, width, height)
    assert (pic.n_frames, pic.is_animated) == (frames, animated)
    assert pic.content == data and pic.size == len(data)
    assert pic.url is None
    assert Picture.from_bytes(bytearray(data)) == pic == Picture(data)


def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "cover.gif"
    path.write_bytes(animated_gif())
    for given in (path, str(path)):
        pic = Picture.from_file(given)
        assert pic.content == path.read_bytes() and pic.n_frames == 3
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ArgsException, match=r"notes\.png") as info:
        Picture.from_file(tmp_path / "notes.png")
    assert info.value.argument == "path"
    with pytest.raises(FileNotFoundError):
        Picture.from_file(tmp_path / "missing.png")


def test_the_format_comes_from_the_bytes_not_a_name(tmp_path: Path) -> None:
    path = tmp_path / "really-a-gif.jpg"
    path.write_bytes(animated_gif())
    assert Picture.from_file(path).format == "gif"


@pytest.mark.parametrize("bad", [b"", b"not an image", b"\x89PNG\r\n\x1a\n", "text", None, 5])
def test_from_bytes_rejects_what_is_not_an_image(bad: Any) -> None:
    with pytest.raises(ArgsException) as info:
        Picture.from_bytes(bad)
    assert info.value.argument == "data"


def test_a_phone_jpeg_with_a_second_picture_is_a_still_jpeg() -> None:
    img = Image.new("RGB", (20, 10), (10, 20, 30))
    mpo = _save(img, "MPO", save_all=True, append_images=[img.copy()])
    assert Image.open(io.BytesIO(mpo)).format == "MPO"
    pic = Picture.from_bytes(mpo)
    assert (pic.format, pic.mime_type, pic.n_frames, pic.is_animated) == (
        "jpeg",
        "image/jpeg",
        1,
        False,
    )
    assert pic.resize(10, None).format == "jpeg"


def test_repr_shows_no_bytes_and_no_query() -> None:
    pic = Picture(animated_gif(), url="https://i0.hdslb.com/bfs/a.gif?token=SECRET#x")
    text = repr(pic)
    assert text == (
        "Picture(format='gif', width=40, height=30, size="
        f"{pic.size}, n_frames=3, url='https://i0.hdslb.com/bfs/a.gif')"
    )
    assert "SECRET" not in text and "b'" not in text
    assert repr(Picture(jpeg())).startswith("Picture(format='jpeg', width=80, height=60, ")


def test_equal_pictures_have_equal_bytes() -> None:
    a, b = Picture(rgba_png()), Picture(rgba_png())
    assert a == b and hash(a) == hash(b) and a != Picture(jpeg())
    assert a.__eq__("png") is NotImplemented
    assert len({a, b}) == 1


# ---------------------------------------------------------------- resize


def test_resize_returns_a_new_picture_in_the_same_format() -> None:
    original = Picture(rgba_png())
    small = original.resize(32, 16)
    assert (small.format, small.width, small.height) == ("png", 32, 16)
    assert (original.width, original.height) == (64, 48)  # unchanged
    assert close(pixel(small.content, (2, 2)), (255, 0, 0, 255))
    assert pixel(small.content, (30, 2))[3] == 0  # transparency kept
    assert Picture(jpeg()).resize(40, 30).format == "jpeg"


def test_resize_smooths_palette_images() -> None:
    stripes = Image.new("P", (40, 40), 0)
    stripes.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    for x in range(0, 40, 2):
        stripes.paste(1, (x, 0, x + 1, 40))  # one-pixel black and white stripes
    small = Picture(_save(stripes, "PNG")).resize(20, 20)
    assert 64 < pixel(small.content, (10, 10))[0] < 192  # grey, not one of the stripes


@pytest.mark.parametrize(
    ("width", "height", "expected"),
    [(32, None, (32, 24)), (None, 12, (16, 12)), (100, None, (100, 75)), (1, None, (1, 1))],
)
def test_resize_keeps_the_aspect_ratio_when_a_side_is_none(
    width: int | None, height: int | None, expected: tuple[int, int]
) -> None:
    pic = Picture(rgba_png()).resize(width, height)
    assert (pic.width, pic.height) == expected
    assert Image.open(io.BytesIO(pic.content)).size == expected


@pytest.mark.parametrize(
    ("width", "height", "argument"),
    [(None, None, "width"), (0, 10, "width"), (-1, None, "width"), (True, None, "width"),
     (10.5, None, "width"), (10, "5", "height"), (None, 0, "height")],
)  # fmt: skip
def test_resize_rejects_bad_sides(width: Any, height: Any, argument: str) -> None:
    with pytest.raises(ArgsException) as info:
        Picture(rgba_png()).resize(width, height)
    assert info.value.argument == argument


@pytest.mark.parametrize(
    ("make", "durations", "loop"),
    [
        (animated_gif, GIF_DURATIONS, 0),
        (animated_webp, WEBP_DURATIONS, 3),
        (animated_png, GIF_DURATIONS, 2),
    ],
    ids=["gif", "webp", "apng"],
)
def test_resize_keeps_every_frame_of_an_animation(
    make: Any, durations: list[int], loop: int
) -> None:
    source = Picture(make())
    small = source.resize(20, None)
    assert (small.format, small.width, small.height) == (source.format, 20, 15)
    assert small.is_animated and small.n_frames == 3
    assert timing(small.content) == (3, durations, loop)
    for i, color in enumerate(COLORS):  # each frame is its own (scaled) frame
        assert close(pixel(small.content, (i * 5 + 3, 3), frame=i), color, 40)


# ---------------------------------------------------------------- convert


@pytest.mark.parametrize("name", ["jpeg", "JPEG", "jpg", ".jpg", " Jpg "])
def test_convert_to_jpeg_puts_transparency_on_white(name: str) -> None:
    pic = Picture(rgba_png()).convert_format(name)
    assert (pic.format, pic.mime_type, pic.width, pic.height) == ("jpeg", "image/jpeg", 64, 48)
    assert Image.open(io.BytesIO(pic.content)).mode == "RGB"
    assert close(pixel(pic.content, (5, 5)), (255, 0, 0, 255), 12)
    assert close(pixel(pic.content, (60, 5)), (255, 255, 255, 255), 4)  # was transparent


def test_convert_a_palette_png_with_transparency_to_jpeg() -> None:
    img = Image.new("P", (10, 10), 1)
    img.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    img.info["transparency"] = 1
    pic = Picture(_save(img, "PNG", transparency=1)).convert_format("jpeg")
    assert close(pixel(pic.content, (5, 5)), (255, 255, 255, 255), 4)


@pytest.mark.parametrize("target", ["png", "webp", "gif", "bmp", "tiff", "jpeg"])
def test_convert_still_images(target: str) -> None:
    pic = Picture(jpeg()).convert_format(target)
    assert pic.format == target and (pic.width, pic.height) == (80, 60)
    assert Image.open(io.BytesIO(pic.content)).format == target.upper()
    assert close(pixel(pic.content, (10, 10)), (30, 120, 200, 255), 12)


def test_convert_to_the_same_format_is_the_same_picture() -> None:
    pic = Picture(rgba_png())
    assert pic.convert_format("PNG") is pic
    assert Picture(animated_gif()).convert_format("gif").n_frames == 3


def test_convert_falls_back_to_a_mode_the_writer_takes() -> None:
    cmyk = Picture(_save(Image.new("CMYK", (8, 8), (0, 255, 0, 0)), "JPEG"))
    png = cmyk.convert_format("png")  # PNG has no CMYK
    assert Image.open(io.BytesIO(png.content)).mode == "RGB"
    la = Picture(_save(Image.new("LA", (8, 8), (100, 200)), "PNG"))
    assert la.convert_format("bmp").format == "bmp"


@pytest.mark.parametrize("bad", ["xyz", "", ".", "mpo", None, 3])
def test_convert_rejects_unknown_formats(bad: Any) -> None:
    with pytest.raises(ArgsException) as info:
        Picture(rgba_png()).convert_format(bad)
    assert info.value.argument == "fmt"


@pytest.mark.parametrize(
    ("make", "target", "durations", "loop"),
    [
        (animated_gif, "webp", GIF_DURATIONS, 0),
        (animated_gif, "png", GIF_DURATIONS, 0),
        (animated_webp, "gif", WEBP_DURATIONS, 3),
        (animated_webp, "png", WEBP_DURATIONS, 3),
        (animated_png, "webp", GIF_DURATIONS, 2),
        (animated_png, "gif", GIF_DURATIONS, 2),
    ],
)
def test_convert_keeps_an_animation_where_the_format_can_hold_it(
    make: Any, target: str, durations: list[int], loop: int
) -> None:
    pic = Picture(make()).convert_format(target)
    assert (pic.format, pic.n_frames, pic.is_animated) == (target, 3, True)
    assert timing(pic.content) == (3, durations, loop)
    for i, color in enumerate(COLORS):
        assert close(pixel(pic.content, (i * 10 + 5, 5), frame=i), color, 12)
        assert pixel(pic.content, (39, 29), frame=i)[3] == 0  # the background stays clear
    assert pixel(pic.content, (5, 5), frame=2)[3] == 0  # frame 0's square does not linger


def test_a_gif_without_a_loop_count_still_plays_once_after_conversion() -> None:
    once = Picture(animated_gif(loop=None))
    assert "loop" not in Image.open(io.BytesIO(once.content)).info
    assert timing(once.convert_format("webp").content)[2] == 1
    assert "loop" not in Image.open(io.BytesIO(once.resize(20, None).content)).info


@pytest.mark.parametrize("target", ["jpeg", "bmp"])
def test_convert_keeps_the_first_frame_where_the_format_has_no_animation(target: str) -> None:
    pic = Picture(animated_gif()).convert_format(target)
    assert (pic.format, pic.n_frames, pic.is_animated) == (target, 1, False)
    assert close(pixel(pic.content, (5, 5)), COLORS[0], 12)
    assert close(
        pixel(pic.content, (35, 5)), (255, 255, 255, 255) if target == "jpeg" else (0, 0, 0, 255), 4
    )


def test_first_frame() -> None:
    anim = Picture(animated_webp())
    still = anim.first_frame()
    assert (still.format, still.n_frames, still.is_animated) == ("webp", 1, False)
    assert close(pixel(still.content, (5, 5)), COLORS[0], 12)
    assert still.first_frame() is still
    gif = Picture(animated_gif()).first_frame()
    assert gif.n_frames == 1 and pixel(gif.content, (39, 29))[3] == 0


def test_round_trips() -> None:
    def rgba(pic: Picture) -> bytes:
        return Image.open(io.BytesIO(pic.content)).convert("RGBA").tobytes()

    png = Picture(rgba_png())
    for lossless in ("tiff", "png"):  # formats with alpha
        assert rgba(png.convert_format(lossless).convert_format("png")) == rgba(png), lossless
    lossy = png.convert_format("webp").convert_format("png")  # webp: lossy, quality 90
    assert close(pixel(lossy.content, (5, 5)), (255, 0, 0, 255), 8)
    assert pixel(lossy.content, (60, 5))[3] == 0
    opaque = Picture(jpeg())
    assert rgba(opaque.convert_format("bmp").convert_format("png")) == rgba(opaque)
    gif = Picture(animated_gif())
    again = gif.convert_format("webp").convert_format("png").convert_format("gif")
    assert timing(again.content) == (3, GIF_DURATIONS, 0)
    assert again.resize(40, 30).convert_format("webp").n_frames == 3


def test_damaged_data_fails_when_decoded() -> None:
    noise = Image.effect_noise((200, 200), 64)
    data = _save(noise, "PNG")
    pic = Picture(data[: len(data) // 2])  # the header is intact
    assert (pic.width, pic.height) == (200, 200)
    with pytest.raises(ApiException, match="cannot re-encode the png picture"):
        pic.resize(10, 10)
    with pytest.raises(ApiException, match="truncated"):
        pic.convert_format("jpeg")


# ---------------------------------------------------------------- to_file


def test_to_file_writes_the_bytes_as_they_are(tmp_path: Path) -> None:
    for make in (animated_gif, animated_webp, animated_png, jpeg):
        pic = Picture(make())
        path = tmp_path / f"out.{pic.format}"
        pic.to_file(path)
        assert path.read_bytes() == pic.content
    plain = tmp_path / "no-suffix"
    Picture(animated_webp()).to_file(str(plain))
    assert timing(plain.read_bytes()) == (3, WEBP_DURATIONS, 3)
    odd = tmp_path / "cover.unknown-suffix"
    Picture(jpeg()).to_file(odd)
    assert odd.read_bytes() == jpeg()


def test_to_file_keeps_every_frame_of_an_animation(tmp_path: Path) -> None:
    Picture(animated_gif()).to_file(tmp_path / "a.gif")
    Picture(animated_webp()).to_file(tmp_path / "a.webp")
    assert timing((tmp_path / "a.gif").read_bytes()) == (3, GIF_DURATIONS, 0)
    assert timing((tmp_path / "a.webp").read_bytes()) == (3, WEBP_DURATIONS, 3)
    Picture(animated_gif()).to_file(tmp_path / "b.webp")  # converted, still animated
    assert timing((tmp_path / "b.webp").read_bytes()) == (3, GIF_DURATIONS, 0)


def test_to_file_converts_to_the_format_its_suffix_names(tmp_path: Path) -> None:
    Picture(rgba_png()).to_file(tmp_path / "cover.JPG")
    with Image.open(tmp_path / "cover.JPG") as written:
        assert written.format == "JPEG" and written.size == (64, 48)
    Picture(jpeg()).to_file(tmp_path / "cover.webp")
    assert Picture.from_file(tmp_path / "cover.webp").format == "webp"


def test_to_file_replaces_an_old_file_and_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "cover.png"
    path.write_bytes(b"old")
    if os.name == "posix":
        path.chmod(0o640)
    Picture(rgba_png()).to_file(path)
    assert path.read_bytes() == rgba_png()
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o640
        fresh = tmp_path / "fresh.png"
        Picture(rgba_png()).to_file(fresh)
        umask = os.umask(0)
        os.umask(umask)
        assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask  # as open() would make it
    assert (
        sorted(p.name for p in tmp_path.iterdir())
        == ["cover.png", "fresh.png"][: 2 if os.name == "posix" else 1]
    )


def _boom(*args: Any, **kwargs: Any) -> None:
    raise OSError("disk on fire")


@pytest.mark.parametrize("where", ["os.replace", "os.fsync", "encoder"])
def test_a_failed_write_leaves_the_old_file_intact(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cover.jpg"
    path.write_bytes(b"the old cover")
    pic = Picture(rgba_png())  # a PNG saved as .jpg: converted, so the encoder runs
    if where == "encoder":
        monkeypatch.setattr(Image.Image, "save", _boom)
        expected: type[Exception] = ApiException
    else:
        monkeypatch.setattr(where, _boom)
        expected = OSError
    with pytest.raises(expected, match="disk on fire"):
        pic.to_file(path)
    monkeypatch.undo()
    assert path.read_bytes() == b"the old cover"
    assert [p.name for p in tmp_path.iterdir()] == ["cover.jpg"]  # no temporary file left


# ---------------------------------------------------------------- load_url


def _served(mock: MockBilibili) -> tuple[bytes, bytes]:
    png, gif = rgba_png(), animated_gif()
    mock.set_file(CDN, png, "image/png")
    mock.set_file(ELSEWHERE, gif, "image/gif")
    return png, gif


def _credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, buvid3="MY-BUVID3")


def _check_cookies(mock: MockBilibili) -> None:
    cdn = next(r for r in mock.requests if r.path == "/bfs/archive/mock-cover.png")
    assert cdn.host == "i0.hdslb.com"
    assert cdn.cookies.get("buvid3") == "MY-BUVID3"  # the client's cookies, on Bilibili's host
    assert "SESSDATA" not in cdn.cookies and "bili_jct" not in cdn.cookies  # never the login
    other = next(r for r in mock.requests if r.host == "images.example.org")
    assert other.cookies == {} and "cookie" not in other.headers


def test_load_url(mock: MockBilibili) -> None:
    png, gif = _served(mock)
    with Client(_credential(), transport=mock.transport()) as bili:
        pic = Picture.load_url(CDN, client=bili)
        other = Picture.load_url(ELSEWHERE, client=bili)
    assert pic == Picture(png) and (pic.format, pic.url) == ("png", CDN)
    assert other.content == gif and other.is_animated and other.url == ELSEWHERE
    _check_cookies(mock)


@pytest.mark.anyio
async def test_load_url_async(mock: MockBilibili) -> None:
    png, gif = _served(mock)
    async with AsyncClient(_credential(), transport=mock.transport()) as bili:
        pending = Picture.load_url(CDN, client=bili)
        assert not mock.requests  # nothing is sent before the await
        pic = await pending
        other = await Picture.load_url(ELSEWHERE, client=bili)
    assert pic == Picture(png) and pic.url == CDN
    assert other.content == gif and other.n_frames == 3
    _check_cookies(mock)


def test_load_url_uses_the_clients_headers_timeout_and_proxy_map() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=jpeg(), headers={"content-type": "image/jpeg"})

    with Client(
        transport=httpx.MockTransport(answer),
        timeout=3.5,
        default_headers={"X-Trace": "picture"},
        base_urls={"images.example.org": "http://127.0.0.1:9"},
    ) as bili:
        Picture.load_url(ELSEWHERE, client=bili)
    (request,) = [r for r in seen if r.url.path == "/img/cover.png"]
    assert str(request.url) == "http://127.0.0.1:9/img/cover.png"
    assert request.headers["X-Trace"] == "picture" and "Mozilla" in request.headers["User-Agent"]
    assert request.extensions["timeout"]["read"] == 3.5


@pytest.mark.parametrize(
    ("given", "fetched"),
    [
        ("//i0.hdslb.com/bfs/archive/mock-cover.png", CDN),
        ("http://i0.hdslb.com/bfs/archive/mock-cover.png", CDN),  # Bilibili: https
        ("http://images.example.org/img/a.png", "http://images.example.org/img/a.png"),
    ],
)
def test_load_url_schemes(given: str, fetched: str) -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=jpeg())

    with Client(transport=httpx.MockTransport(answer)) as bili:
        assert Picture.load_url(given, client=bili).url == fetched
    assert seen[-1] == fetched


@pytest.mark.parametrize("bad", ["", "ftp://host/a.png", "/bfs/a.png", "https://", None, 5])
def test_load_url_rejects_bad_urls_before_any_io(bad: Any, mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili, pytest.raises(ArgsException) as info:
        Picture.load_url(bad, client=bili)
    assert info.value.argument == "url" and not mock.requests


def test_load_url_needs_a_client() -> None:
    with pytest.raises(ArgsException) as info:
        Picture.load_url(CDN, client=httpx.Client())  # type: ignore[call-overload]
    assert info.value.argument == "client"


def test_load_url_errors(mock: MockBilibili) -> None:
    mock.set_file("https://i0.hdslb.com/bfs/page.png", b"<html>busy</html>", "text/html")
    with Client(transport=mock.transport(), max_retries=0) as bili:
        with pytest.raises(ResponseException, match=r"not an image.*\[picture\.load_url GET "):
            Picture.load_url("https://i0.hdslb.com/bfs/page.png", client=bili)
        with pytest.raises(NotFoundException) as info:  # the mock's 404 envelope
            Picture.load_url("https://i0.hdslb.com/bfs/gone?token=SECRET", client=bili)
    assert "SECRET" not in str(info.value)


def test_the_mock_serves_placeholder_images(mock: MockBilibili) -> None:
    with Client(transport=mock.transport()) as bili:
        info = bili.video.get_info("BV1uv411q7Mv")
        assert info.pic.startswith("http://i1.hdslb.com/bfs/archive/")
        cover = Picture.load_url(info.pic, client=bili)
    assert (cover.format, cover.width, cover.height) == ("png", 16, 10)
    assert cover.url == "https://" + info.pic[len("http://") :]
    assert pixel(cover.content, (3, 3)) == (251, 114, 153, 255)


@pytest.mark.anyio
async def test_load_url_async_checks_on_await(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        pending = Picture.load_url("ftp://x/y.png", client=bili)
        with pytest.raises(ArgsException):
            await pending
    assert not mock.requests


# ---------------------------------------------------------------- without Pillow


@pytest.fixture
def no_pillow(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)  # `import PIL` now raises ImportError


def _check_missing(error: MissingExtraException) -> None:
    assert isinstance(error, ImportError) and isinstance(error, ApiException)
    assert 'pip install "bilibili_sdk[login]"' in str(error)
    assert error.extra == "login" and error.name == "PIL"
    assert isinstance(error.__cause__, ImportError)


def test_without_pillow_every_entry_point_says_what_to_install(
    tmp_path: Path, mock: MockBilibili, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = rgba_png()
    pic, anim = Picture(data), Picture(animated_gif())  # made while Pillow is there
    calls = [
        lambda: Picture.from_bytes(data),
        lambda: Picture(data),
        lambda: Picture.from_file(tmp_path / "missing.png"),  # before opening the file
        lambda: pic.resize(10, 10),
        lambda: pic.convert_format("jpeg"),
        lambda: pic.to_file(tmp_path / "x.png"),
        anim.first_frame,
    ]
    monkeypatch.setitem(sys.modules, "PIL", None)  # `import PIL` now raises ImportError
    for call in calls:
        with pytest.raises(MissingExtraException) as info:
            call()
        _check_missing(info.value)
    with Client(transport=mock.transport()) as bili, pytest.raises(ImportError) as caught:
        Picture.load_url(CDN, client=bili)
    assert isinstance(caught.value, MissingExtraException)
    assert (pic.width, pic.format, pic.size) == (64, "png", len(data))  # what needs no Pillow
    monkeypatch.undo()
    assert not mock.requests and not (tmp_path / "x.png").exists()


@pytest.mark.anyio
@pytest.mark.usefixtures("no_pillow")
async def test_without_pillow_async_load_url_fails_before_io(mock: MockBilibili) -> None:
    async with AsyncClient(transport=mock.transport()) as bili:
        with pytest.raises(MissingExtraException) as info:
            await Picture.load_url(CDN, client=bili)
    _check_missing(info.value)
    assert not mock.requests


# ---------------------------------------------------------------- import cost


def test_import_does_not_load_pillow() -> None:
    code = (
        "import sys, bilibili_sdk\n"
        "assert 'PIL' not in sys.modules and 'bilibili_sdk.picture' not in sys.modules\n"
        "from bilibili_sdk import Picture\n"
        "assert Picture is bilibili_sdk.picture.Picture and 'Picture' in dir(bilibili_sdk)\n"
        "print(sorted(m for m in sys.modules if m == 'PIL' or m.startswith('PIL.')))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "BILIBILI_SDK_EAGER"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"


def test_eager_mode_resolves_picture_without_pillow() -> None:
    code = "import sys, bilibili_sdk; print('Picture' in vars(bilibili_sdk), 'PIL' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BILIBILI_SDK_EAGER": "1"},
    )
    assert out.stdout.split() == ["True", "False"]


def test_public_names() -> None:
    assert "Picture" in bilibili_sdk.__all__
    assert "MissingExtraException" in bilibili_sdk.__all__
    from bilibili_sdk import exceptions

    assert exceptions.MissingExtraException is MissingExtraException
