"""`Picture`: an image held as its encoded bytes, with what Pillow reads from them.

Used by the endpoints that upload images, and to fetch, resize, convert and save the ones
Bilibili serves. Pillow comes with the `login` extra (`pip install "bilibili_sdk[login]"`)
and is imported inside the methods that need it: `import bilibili_sdk`, and even
`bilibili_sdk.Picture`, never import it.

A `Picture` never changes: `resize`, `convert_format` and `first_frame` return new ones.
Animation (GIF, animated WebP, APNG) survives wherever the output format can hold it; every
other output gets the first frame.
"""

from __future__ import annotations

import io
import os
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, TypeVar, overload
from urllib.parse import urlsplit, urlunsplit

from . import _validate as _v
from ._endpoint import Call, Endpoint, is_bilibili_host
from ._exceptions import ApiException, ArgsException, MissingExtraException, ResponseException
from ._files import write_atomic

if TYPE_CHECKING:
    from PIL.Image import Image
    from PIL.ImageFile import ImageFile

    from ._client import AsyncClient, Client

__all__ = ["Picture"]

P = TypeVar("P", bound="Picture")

INSTALL_HINT = 'pip install "bilibili_sdk[login]"'
ANIMATED_FORMATS = frozenset({"gif", "webp", "png"})
"""Output formats that keep every frame of an animated picture (png: APNG)."""
_ALIASES = {"jpg": "jpeg", "jpe": "jpeg", "jfif": "jpeg", "tif": "tiff", "apng": "png"}
_COMMON = "png, jpeg (jpg), webp, gif, bmp, tiff"
_QUALITY = {"jpeg": 90, "webp": 90}  # Pillow's defaults (75, 80) visibly blur covers
_MPO = "MPO"  # phones' JPEGs with a second picture: JPEG bytes, read as JPEG
_LOAD_URL = "picture.load_url"


def _require_pillow() -> None:
    """Raise MissingExtraException (an ImportError too) unless Pillow can be imported."""
    try:
        import PIL.Image  # noqa: F401
    except ImportError as e:
        raise MissingExtraException(
            f'Picture needs Pillow, which comes with the "login" extra: {INSTALL_HINT} '
            f"(PIL could not be imported: {e})",
            extra="login",
            name="PIL",
        ) from e


def _format_name(pil_format: str | None) -> str:
    """Our name of a Pillow format: lower case, MPO counted as the JPEG it is."""
    if pil_format == _MPO:
        return "jpeg"
    return (pil_format or "unknown").lower()


def _writable(fmt: str) -> bool:
    from PIL import Image

    if fmt.upper() not in Image.SAVE:
        Image.init()  # registers the plugins preinit() left out (WebP, TIFF...)
    return fmt.upper() in Image.SAVE


def _target_format(fmt: object) -> str:
    """The format `convert_format` was asked for, checked and normalised ("JPG" -> "jpeg")."""
    if not isinstance(fmt, str) or not fmt.strip(". "):
        raise _v._bad("fmt", f"an image format name ({_COMMON}...)", fmt)
    name = fmt.strip().lstrip(".").lower()
    name = _ALIASES.get(name, name)
    if name == _MPO.lower() or not _writable(name):
        raise ArgsException(
            f"fmt: expected a format Pillow can write ({_COMMON}...), got {fmt!r}",
            argument="fmt",
        )
    return name


def _suffix_format(path: str) -> str | None:
    """The format a file name's suffix names (".jpg" -> "jpeg"), or None when it names none."""
    from PIL import Image

    suffix = os.path.splitext(path)[1].lower()
    if not suffix:
        return None
    pil_format = Image.registered_extensions().get(suffix)
    if pil_format is None or pil_format == _MPO or not _writable(pil_format):
        return None
    return _format_name(pil_format)


def _open(content: bytes) -> ImageFile:
    from PIL import Image

    return Image.open(io.BytesIO(content))


def _has_alpha(img: Image) -> bool:
    return img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info


def _on_white(img: Image) -> Image:
    """The picture as JPEG can hold it: transparency composited onto white, RGB/L/CMYK."""
    from PIL import Image

    if _has_alpha(img):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if img.mode not in ("RGB", "L", "CMYK"):
        return img.convert("RGB")
    return img


def _transparent(rgba: Image) -> bool:
    """True when some pixel of an RGBA image is not fully opaque."""
    return rgba.getchannel("A").histogram()[255] < rgba.width * rgba.height


def _resizable(img: Image) -> Image:
    """A mode that resamples smoothly (Pillow resizes palette and 1-bit images by NEAREST)."""
    if img.mode == "P":
        return img.convert("RGBA" if "transparency" in img.info else "RGB")
    if img.mode == "1":
        return img.convert("L")
    return img


class _Frames:
    """The frames of an animated picture, each whole (RGBA), with timing and loop count."""

    __slots__ = ("durations", "frames", "loop")

    def __init__(self, img: Image, n_frames: int) -> None:
        loop = img.info.get("loop")  # read before seeking: GIF keeps it on the first frame
        self.loop: int | None = None if loop is None else int(loop)
        self.frames: list[Image] = []
        self.durations: list[int] = []
        for i in range(n_frames):
            img.seek(i)
            img.load()  # WebP sets a frame's duration only once it is decoded
            self.durations.append(round(float(img.info.get("duration") or 0)))
            frame = img.convert("RGBA")
            frame.info = {}  # the source frame's palette/transparency notes must not leak
            self.frames.append(frame)


def _save(img: Image, fmt: str, **options: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt.upper(), **options)
    return buf.getvalue()


def _encode_still(img: Image, fmt: str, icc: bytes | None) -> bytes:
    options: dict[str, Any] = {}
    if fmt in _QUALITY:
        options["quality"] = _QUALITY[fmt]
    if icc:
        options["icc_profile"] = icc
    if fmt == "jpeg":
        img = _on_white(img)
    try:
        return _save(img, fmt, **options)
    except OSError:  # "cannot write mode LA as BMP": fall back to what every writer takes
        return _save(img.convert("RGBA" if _has_alpha(img) else "RGB"), fmt, **options)


def _encode_frames(anim: _Frames, fmt: str, icc: bytes | None) -> bytes:
    first, *rest = anim.frames
    options: dict[str, Any] = {"save_all": True, "append_images": rest}
    options["duration"] = anim.durations
    if anim.loop is not None:
        options["loop"] = anim.loop
    elif fmt != "gif":
        options["loop"] = 1  # a GIF without a loop count plays once; say so in WebP/APNG
    if fmt == "gif":
        options["disposal"] = 2  # frames are whole: clear each before drawing the next
    if fmt == "webp" and any(_transparent(f) for f in anim.frames):
        # Every frame a key frame: otherwise libwebp crops frames to their opaque part and
        # leaves the file's alpha flag unset, and readers that trust it (Pillow) see black.
        options.update(kmin=0, kmax=1)
    if fmt in _QUALITY:
        options["quality"] = _QUALITY[fmt]
    if icc:
        options["icc_profile"] = icc
    return _save(first, fmt, **options)


def _download_call(url: object) -> tuple[str, Call[bytes]]:
    """The checked URL and the GET that fetches it through a client (no I/O)."""
    if not isinstance(url, str) or not url.strip():
        raise _v._bad("url", "an http(s) URL of an image", url)
    text = url.strip()
    if text.startswith("//"):  # Bilibili's responses often link images this way
        text = "https:" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _v._bad("url", "an http(s) URL of an image", url)
    if parts.scheme == "http" and is_bilibili_host(parts.hostname):
        # Bilibili links images over http too; its hosts all serve https, and cookies go there.
        text = urlunsplit(parts._replace(scheme="https"))
    # auth="none": the client's policy sends buvid/ticket cookies to Bilibili's hosts only,
    # and the login itself nowhere: image hosts serve without it.
    endpoint: Endpoint[bytes] = Endpoint(_LOAD_URL, "GET", text, decoder="bytes")
    return text, Call(endpoint)


def _shown_url(url: str) -> str:
    """The URL without query or fragment: signed image links carry tokens there."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class Picture:
    """An image: its encoded bytes (`content`) and what they hold.

    Make one with `Picture.from_file(path)`, `Picture.from_bytes(data)` or
    `Picture.load_url(url, client=bili)`. Pictures are immutable: `resize`,
    `convert_format` and `first_frame` return new ones. Two pictures are equal when their
    bytes are.

    Constructing a picture reads the image's header (format, size, frames); pixel data is
    decoded only by the methods that re-encode.

    Raises (every constructor):
        MissingExtraException: Pillow is not installed (`pip install "bilibili_sdk[login]"`).
    """

    __slots__ = ("_content", "_format", "_height", "_mime_type", "_n_frames", "_url", "_width")

    def __init__(self, content: bytes | bytearray | memoryview, *, url: str | None = None) -> None:
        """Same as `Picture.from_bytes(content)`; `url` records where the bytes came from."""
        if not isinstance(content, (bytes, bytearray, memoryview)):
            raise _v._bad("data", "the bytes of an image file", content)
        _require_pillow()
        from PIL import Image as _Image

        data = bytes(content)
        try:
            with _open(data) as img:
                pil_format = img.format
                n_frames = 1 if pil_format == _MPO else int(getattr(img, "n_frames", 1))
                width, height = int(img.width), int(img.height)
                mime = "image/jpeg" if pil_format == _MPO else img.get_format_mimetype()
        except (OSError, SyntaxError, ValueError, EOFError, _Image.DecompressionBombError) as e:
            raise ArgsException(
                f"data: expected the bytes of an image Pillow can read, got {len(data)} bytes "
                f"({type(e).__name__}: {e})",
                argument="data",
            ) from e
        self._content = data
        self._format = _format_name(pil_format)
        self._width = width
        self._height = height
        self._n_frames = max(1, n_frames)
        self._mime_type = mime or f"image/{self._format}"
        self._url = url

    # ------------------------------------------------------------ constructors
    @classmethod
    def from_bytes(cls: type[P], data: bytes | bytearray | memoryview) -> P:
        """A picture of an image file's bytes (any format Pillow reads; detected, not guessed
        from a name).

        Raises:
            ArgsException: `data` is not an image Pillow can read.
        """
        return cls(data)

    @classmethod
    def from_file(cls: type[P], path: str | os.PathLike[str]) -> P:
        """A picture of an image file.

        Raises:
            OSError: the file cannot be read (FileNotFoundError...).
            ArgsException: the file is not an image Pillow can read.
        """
        _require_pillow()  # before reading a large file for nothing
        with open(path, "rb") as f:
            data = f.read()
        try:
            return cls(data)
        except ArgsException as e:
            raise ArgsException(
                f"path: {os.fspath(path)!r} is not an image Pillow can read ({e})",
                argument="path",
            ) from e.__cause__

    @overload
    @classmethod
    def load_url(cls: type[P], url: str, *, client: Client) -> P: ...

    @overload
    @classmethod
    def load_url(cls: type[P], url: str, *, client: AsyncClient) -> Coroutine[Any, Any, P]: ...

    @classmethod
    def load_url(cls: type[P], url: str, *, client: Client | AsyncClient) -> Any:
        """Download an image through `client`: `Picture.load_url(url, client=bili)`, or
        `await Picture.load_url(url, client=abili)` with an `AsyncClient`.

        The client's headers, proxy, timeout and retries apply. Cookies follow its policy:
        buvid/ticket cookies go to Bilibili's hosts only, the login goes nowhere (image hosts
        serve without it). `//host/...` links get https, and so do `http://` links to
        Bilibili's hosts. The picture's `url` is the URL fetched.

        Raises:
            ArgsException: `url` is not an http(s) URL; `client` is not a client.
            ResponseException: the answer is an HTTP error or not an image.
            NetworkException: the transport failed.
        """
        from ._client import AsyncClient, Client

        if isinstance(client, AsyncClient):
            return cls._load_url_async(url, client)
        if not isinstance(client, Client):
            raise _v._bad("client", "a bilibili_sdk Client or AsyncClient", client)
        _require_pillow()
        fetched, call = _download_call(url)
        return cls._downloaded(client._request(call), fetched, call)

    @classmethod
    async def _load_url_async(cls: type[P], url: str, client: AsyncClient) -> P:
        # Checked on await, as every async method of the SDK does.
        _require_pillow()
        fetched, call = _download_call(url)
        return cls._downloaded(await client._request(call), fetched, call)

    @classmethod
    def _downloaded(cls: type[P], content: bytes, url: str, call: Call[bytes]) -> P:
        try:
            return cls(content, url=url)
        except ArgsException as e:
            label = call.endpoint.label
            raise ResponseException(
                f"the answer is not an image: {e} [{label}]", status=200, endpoint=label
            ) from e.__cause__

    # ------------------------------------------------------------ what it is
    @property
    def content(self) -> bytes:
        """The encoded image, as in a file."""
        return self._content

    @property
    def format(self) -> str:
        """Lower-case format name: "png", "jpeg", "gif", "webp", "bmp"... (an APNG is "png")."""
        return self._format

    @property
    def mime_type(self) -> str:
        """The MIME type ("image/png", "image/jpeg"...), for uploads."""
        return self._mime_type

    @property
    def width(self) -> int:
        """Pixels (the canvas, for an animation)."""
        return self._width

    @property
    def height(self) -> int:
        """Pixels (the canvas, for an animation)."""
        return self._height

    @property
    def size(self) -> int:
        """Bytes of `content`."""
        return len(self._content)

    @property
    def n_frames(self) -> int:
        """Frames of an animation (pages of a multi-page TIFF); 1 for a still image."""
        return self._n_frames

    @property
    def is_animated(self) -> bool:
        """True for a GIF, WebP or APNG with more than one frame."""
        return self._n_frames > 1 and self._format in ANIMATED_FORMATS

    @property
    def url(self) -> str | None:
        """Where the picture was downloaded from (or uploaded to); None otherwise."""
        return self._url

    def __repr__(self) -> str:
        parts = [
            f"format={self._format!r}",
            f"width={self._width}",
            f"height={self._height}",
            f"size={len(self._content)}",
        ]
        if self._n_frames > 1:
            parts.append(f"n_frames={self._n_frames}")
        if self._url is not None:
            parts.append(f"url={_shown_url(self._url)!r}")
        return f"Picture({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Picture):
            return NotImplemented
        return self._content == other._content

    def __hash__(self) -> int:
        return hash(self._content)

    # ------------------------------------------------------------ new pictures
    def resize(self, width: int | None, height: int | None) -> Picture:
        """A copy scaled to `width` x `height` pixels, in the same format.

        Give one side as None to keep the aspect ratio (rounded, at least 1 pixel). Every
        frame of an animation is scaled, with its timing and loop count. A format Pillow
        reads but cannot write (PSD...) comes out as PNG.

        Raises:
            ArgsException: a side is not a positive int, or both are None.
        """
        _require_pillow()
        if width is None and height is None:
            raise ArgsException(
                "width or height: give at least one (None keeps the aspect ratio); got neither",
                argument="width",
            )
        w = None if width is None else _v.positive_int("width", width)
        h = None if height is None else _v.positive_int("height", height)
        if w is None:
            assert h is not None
            w = max(1, round(self._width * h / self._height))
        elif h is None:
            h = max(1, round(self._height * w / self._width))
        fmt = self._format if _writable(self._format) else "png"
        return self._reencode(fmt, (w, h))

    def convert_format(self, fmt: str) -> Picture:
        """A copy in another format: "png", "jpeg" (or "jpg"), "webp", "gif", "bmp", "tiff",
        or any other format Pillow can write. The same format returns this picture.

        An animation stays one in gif, webp and png (APNG: every frame, timing and loop
        count); other formats get its first frame. JPEG has no transparency: transparent
        pixels are composited onto white.

        Raises:
            ArgsException: `fmt` is not a format Pillow can write.
        """
        _require_pillow()
        target = _target_format(fmt)
        if target == self._format:
            return self
        return self._reencode(target, None)

    def first_frame(self) -> Picture:
        """The first frame of an animation, as a still picture in the same format; a still
        picture returns itself."""
        if not self.is_animated:
            return self
        _require_pillow()
        try:
            with _open(self._content) as img:
                img.seek(0)
                frame = img.copy()
                icc = img.info.get("icc_profile")
                return type(self)(_encode_still(frame, self._format, icc))
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise self._damaged(e) from e

    def _reencode(self, fmt: str, size: tuple[int, int] | None) -> Picture:
        _require_pillow()
        from PIL import Image as _Image

        lanczos = _Image.Resampling.LANCZOS
        try:
            with _open(self._content) as img:
                icc = img.info.get("icc_profile")
                if self.is_animated and fmt in ANIMATED_FORMATS:
                    anim = _Frames(img, self._n_frames)
                    if size is not None:
                        anim.frames = [f.resize(size, lanczos) for f in anim.frames]
                    data = _encode_frames(anim, fmt, icc)
                else:
                    img.seek(0)
                    img.load()
                    frame: Image = img
                    if size is not None:
                        frame = _resizable(img).resize(size, lanczos)
                    data = _encode_still(frame, fmt, icc)
        except (OSError, SyntaxError, ValueError, EOFError) as e:
            raise self._damaged(e) from e
        return type(self)(data)

    def _damaged(self, e: Exception) -> ApiException:
        return ApiException(
            f"cannot re-encode the {self._format} picture ({self!r}): {type(e).__name__}: {e}"
        )

    # ------------------------------------------------------------ saving
    def to_file(self, path: str | os.PathLike[str]) -> None:
        """Save to `path`, atomically: the bytes go to a temporary file in the same
        directory, renamed over `path` once complete, so a failure leaves any old file as
        it was. A suffix naming another format (".jpg" for a PNG picture) converts first,
        as `convert_format` does; otherwise `content` is written as is (every frame, the
        timing and loop count of an animation included).
        """
        target = os.fspath(path)
        _require_pillow()
        fmt = _suffix_format(target)
        data = self._content if fmt is None else self.convert_format(fmt).content
        write_atomic(target, data)
