"""A mock Bilibili that answers every catalogue endpoint with its example response.

It behaves like the real servers where tests care: `nav` publishes WBI keys and WBI-signed
queries are verified with them (-352 when wrong); endpoints that need a login answer -101
without SESSDATA; csrf is checked against the bili_jct cookie (-111); spi and the ticket
endpoint answer. The login flows work end to end with fresh cookies (`script_qr`,
`require_login_check` and `login` script them; see `testing/_login.py`). Use it in-process
(`transport()`) or as a loopback HTTP server (`serve()`).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import hashlib
import hmac
import importlib
import json
import re
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources as _res
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx

from .._endpoint import Endpoint
from ._cdn import MockCdn
from ._login import MockLogin
from ._upos import MockUpos

__all__ = ["MockBilibili", "MockServer", "RecordedRequest"]

IMG_KEY = "7cd084941338484aae1ad9425b84077c"
SUB_KEY = "4932caff0ff746eab6f01bf08b70ac45"

# The mock checks WBI signatures with its own implementation of the documented algorithm
# (shared/reference/seed-features.md §2.2), never with `bilibili_sdk.wbi`: a mistake there must
# make the mock answer -352, not agree with itself. Keep this copy separate on purpose.
_WBI_ORDER = [
    46, 47, 18, 2, 53, 8, 23, 32, 15, 50, 10, 31, 58, 3, 45, 35,
    27, 43, 5, 49, 33, 9, 42, 19, 29, 28, 14, 39, 12, 38, 41, 13,
    37, 48, 7, 16, 24, 55, 40, 61, 26, 17, 0, 1, 60, 51, 30, 4,
    22, 25, 54, 21, 56, 59, 6, 63, 57, 62, 11, 36, 20, 34, 44, 52,
]  # fmt: skip


def wbi_mixin_key(img_key: str, sub_key: str) -> str:
    """The signing key: characters of img_key + sub_key picked in `_WBI_ORDER`, first 32."""
    both = img_key + sub_key
    picked = ""
    for index in _WBI_ORDER:
        picked += both[index]
    return picked[:32]


# bili_ticket (seed-features.md §2.3): hexsign = HMAC-SHA256(key, "ts<unix seconds>"), checked
# here with the documented key, not the SDK's code.
_TICKET_KEY = b"XgwSnGZ1p"


def ticket_hexsign(ts: str) -> str:
    """The hexsign the ticket endpoint expects for `context[ts]` = ts."""
    return hmac.new(_TICKET_KEY, b"ts" + ts.encode(), hashlib.sha256).hexdigest()


def wbi_w_rid(params: dict[str, str], mixin: str) -> str:
    """md5 of the query (every parameter but w_rid, sorted by name, urlencoded) + the key."""
    pairs = sorted((k, v) for k, v in params.items() if k != "w_rid")
    return hashlib.md5((urlencode(pairs) + mixin).encode("utf-8")).hexdigest()


@dataclass
class RecordedRequest:
    """What the mock saw: host and path as on Bilibili, decoded params, cookies."""

    method: str
    host: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    json: Any
    cookies: dict[str, str]
    headers: dict[str, str]
    endpoint: str | None = None  # "video.get_info" when it matched the catalogue
    params: dict[str, str] = field(default_factory=dict)  # query + form + json keys
    query_items: list[tuple[str, str]] = field(default_factory=list)  # repeated keys kept
    files: dict[str, tuple[str, bytes, str]] = field(default_factory=dict)  # multipart files


def _load_catalogue() -> tuple[dict[tuple[str, str, str], list[Endpoint[Any]]], dict[str, Any]]:
    from ..resources._namespaces import NAMESPACES

    routes: dict[tuple[str, str, str], list[Endpoint[Any]]] = {}
    examples: dict[str, Any] = {}
    for ns in NAMESPACES:
        mod = importlib.import_module(f"bilibili_sdk.resources.{ns}._calls")
        for value in vars(mod).values():
            if isinstance(value, Endpoint):
                routes.setdefault((value.method, value.host, value.path), []).append(value)
        text = (
            _res.files("bilibili_sdk.testing").joinpath(f"_examples/{ns}.json").read_text("utf-8")
        )
        for name, body in json.loads(text).items():
            examples[f"{ns}.{name}"] = body
    return routes, examples


class MockBilibili:
    """The mock. Tests may `set_response`, `reject_signatures`, and inspect `requests`."""

    def __init__(self, *, logged_in_sessdata: str | None = None) -> None:
        self.routes, self.examples = _load_catalogue()
        self._by_path: dict[tuple[str, str], list[Endpoint[Any]]] = {}
        for (method, _host, path), eps in self.routes.items():
            self._by_path.setdefault((method, path), []).extend(eps)
        self.overrides: dict[str, Any] = {}
        self.files: dict[tuple[str, str], tuple[bytes, str]] = {}
        self.redirects: dict[tuple[str, str], str] = {}
        self.requests: list[RecordedRequest] = []
        self.hits: Counter[str] = Counter()
        self.logged_in_sessdata = logged_in_sessdata
        self._reject_signatures = 0
        self._lock = threading.Lock()
        self.login = MockLogin()
        """The login flows: scripted QR states, password key, SMS codes, issued cookies."""
        self.cdn = MockCdn(self)
        """The video CDN behind the playurl answers (Range requests, dropped connections)."""
        self.upos = MockUpos(self)
        """The upos upload servers (probe, init, chunk PUTs, complete)."""
        self.mixin_key = wbi_mixin_key(IMG_KEY, SUB_KEY)

    # -- configuration
    def set_response(self, endpoint: str, response: Any) -> None:
        """Answer `endpoint` ("video.get_info") with this body, or call it with the request.

        A callable may return a body (dict) or an `httpx.Response`.
        """
        self.overrides[endpoint] = response

    def set_file(
        self, url: str, content: bytes, content_type: str = "application/octet-stream"
    ) -> None:
        """Serve `content` at `url` (any host), e.g. a BAS danmaku file or a subtitle JSON.

        Without one, a GET of an image on Bilibili's image hosts (`*.hdslb.com/....jpg`, `.png`,
        `.gif`, `.webp`: covers, faces, emotes) gets a small placeholder PNG, and a GET of a
        subtitle file there (a path with `subtitle` in it) a two-line placeholder subtitle.
        """
        u = httpx.URL(url)
        self.files[(u.host, u.path)] = (content, content_type)

    def set_redirect(self, url: str, location: str) -> None:
        """Answer a GET or HEAD of `url` (any host, e.g. a b23.tv share link) with a 302 to
        `location`; b23.tv links without one get 404."""
        u = httpx.URL(url)
        self.redirects[(u.host, u.path)] = location

    def reject_signatures(self, times: int) -> None:
        """Answer the next `times` WBI-signed requests with -352, as if the keys were stale."""
        self._reject_signatures = times

    def script_qr(self, states: Iterable[Any], *, tv: bool = False) -> None:
        """The states each new QR login (web, or `tv=True`) goes through, one per poll, the
        last repeating: "waiting", "scanned", "expired", "done" (or `QrState` members).
        The default is ["done"]: a login confirmed at the first poll."""
        self.login.script_qr(states, tv=tv)

    def require_login_check(self, required: bool = True, *, scene: str = "loginTelCheck") -> None:
        """Make password and SMS logins ask for a verification (`LoginCheckRequired`):
        "loginTelCheck" (a request_id, tel/verify) or "secLogin" (sec/verify)."""
        self.login.require_login_check(required, scene=scene)

    def count(self, path_or_endpoint: str) -> int:
        return self.hits[path_or_endpoint]

    # -- serving
    def transport(self) -> httpx.MockTransport:
        """An httpx transport answering in-process (works for Client and AsyncClient)."""
        return httpx.MockTransport(self.handle)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> MockServer:
        """Start a loopback HTTP server in a thread; point clients at `server.base_url`."""
        return MockServer(self, host, port)

    def handle(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        path = request.url.path
        parts = path.split("/", 2)
        if len(parts) > 1 and "." in parts[1]:  # http://127.0.0.1:N/<host>/<path>
            host = parts[1]
            path = "/" + (parts[2] if len(parts) > 2 else "")
        rec = self._record(request, host, path)
        location = self.redirects.get((host, path))
        if location is not None:
            return httpx.Response(302, headers={"location": location})
        if host in ("b23.tv", "bili2233.cn"):
            return httpx.Response(404, text="mock: no such short link")
        media = self.cdn.handle(request, rec) or self.upos.handle(request, rec)
        if media is not None:
            return media
        file = self.files.get((host, path))
        if file is not None:
            return httpx.Response(200, content=file[0], headers={"content-type": file[1]})
        if request.method == "GET" and _is_image(host, path):
            return httpx.Response(
                200, content=placeholder_png(), headers={"content-type": "image/png"}
            )
        if request.method == "GET" and _is_subtitle(host, path):
            return httpx.Response(200, json=PLACEHOLDER_SUBTITLE)
        try:
            status, body = self._answer(rec)
        except Exception as e:
            status, body = 500, {"code": -500, "message": f"mock error: {type(e).__name__}: {e}"}
        if isinstance(body, httpx.Response):
            return body
        if isinstance(body, dict) and "$raw" in body:  # a catalogue example that is not JSON
            return httpx.Response(
                status,
                content=base64.b64decode(body["$raw"]),
                headers={"content-type": body.get("content_type", "application/octet-stream")},
            )
        return httpx.Response(status, json=body)

    # -- internals
    def _record(self, request: httpx.Request, host: str, path: str) -> RecordedRequest:
        query_items = parse_qsl(request.url.query.decode(), keep_blank_values=True)
        query = dict(query_items)
        form: dict[str, str] = {}
        body: Any = None
        ctype = request.headers.get("content-type", "")
        try:
            raw = request.content
        except httpx.RequestNotRead:  # a streamed body the caller never read: nothing to decode
            raw = b""
        files: dict[str, tuple[str, bytes, str]] = {}
        if "application/x-www-form-urlencoded" in ctype:
            form = dict(parse_qsl(raw.decode(), keep_blank_values=True))
        elif "multipart/form-data" in ctype:
            form, files = _multipart(ctype, raw)
        elif "application/json" in ctype and raw:
            body = json.loads(raw)
        cookies = {}
        for part in request.headers.get("cookie", "").split(";"):
            if "=" in part:
                k, v = part.strip().split("=", 1)
                cookies[k] = v
        params = {**query, **form}
        if isinstance(body, dict):
            params.update({k: str(v) for k, v in body.items()})
        rec = RecordedRequest(
            request.method,
            host,
            path,
            query,
            form,
            body,
            cookies,
            dict(request.headers),
            params=params,
            query_items=query_items,
            files=files,
        )
        with self._lock:
            self.requests.append(rec)
            self.hits[path] += 1
        return rec

    def _answer(self, rec: RecordedRequest) -> tuple[int, Any]:
        if rec.path == "/x/web-interface/nav":
            return 200, self._nav(rec)
        if rec.path == "/x/frontend/finger/spi":
            return 200, {
                "code": 0,
                "message": "0",
                "data": {
                    "b_3": "MOCK-BUVID3-0000-0000-000000000000infoc",
                    "b_4": "MOCK-BUVID4-0000",
                },
            }
        if rec.path.endswith("/GenWebTicket"):
            q = rec.query
            ts = q.get("context[ts]", "")
            if (
                rec.method != "POST"
                or q.get("key_id") != "ec02"
                or not ts.isdigit()
                or q.get("hexsign") != ticket_hexsign(ts)
                or "csrf" not in q
            ):
                return 200, {"code": 400, "message": "mock: bad ticket request", "data": None}
            return 200, {
                "code": 0,
                "message": "OK",
                "data": {"ticket": "mock.ticket.jwt", "created_at": 1700000000, "ttl": 10**10},
            }
        candidates = (
            self.routes.get((rec.method, rec.host, rec.path))
            or self._by_path.get((rec.method, rec.path))
            or _templated(self.routes, rec.method, rec.path)
        )
        if not candidates:
            return 404, {"code": -404, "message": "mock: no such endpoint"}
        ep = _pick(candidates, rec.params)
        rec.endpoint = ep.name
        with self._lock:
            self.hits[ep.name] += 1
        if ep.auth == "required" and not rec.cookies.get("SESSDATA"):
            return 200, {"code": -101, "message": "账号未登录", "ttl": 1}
        if ep.csrf:
            given = rec.params.get("csrf")
            if not given or given != rec.cookies.get("bili_jct"):
                return 200, {"code": -111, "message": "csrf 校验失败", "ttl": 1}
        if ep.sign in ("wbi", "wbi+dm"):
            if not self._signature_ok(rec.query):
                return 200, {"code": -352, "message": "风控校验失败", "ttl": 1}
            with self._lock:
                if self._reject_signatures > 0:
                    self._reject_signatures -= 1
                    return 200, {"code": -352, "message": "风控校验失败", "ttl": 1}
        override = self.overrides.get(ep.name)
        if override is not None:
            result = override(rec) if callable(override) else override
            return 200, result
        login = self.login.answer(ep, rec)
        if login is not None:
            return 200, login
        return 200, copy.deepcopy(
            self.examples.get(ep.name, {"code": 0, "message": "0", "data": None})
        )

    def _signature_ok(self, query: dict[str, str]) -> bool:
        w_rid = query.get("w_rid")
        if not w_rid or "wts" not in query:
            return False
        return w_rid == wbi_w_rid(query, self.mixin_key)

    def _nav(self, rec: RecordedRequest) -> dict[str, Any]:
        sess = rec.cookies.get("SESSDATA")
        logged = bool(sess) and (self.logged_in_sessdata is None or sess == self.logged_in_sessdata)
        data: dict[str, Any] = {
            "isLogin": logged,
            "wbi_img": {
                "img_url": f"https://i0.hdslb.com/bfs/wbi/{IMG_KEY}.png",
                "sub_url": f"https://i0.hdslb.com/bfs/wbi/{SUB_KEY}.png",
            },
        }
        if logged:
            data.update({"mid": 2, "uname": "mock-user"})
            return {"code": 0, "message": "0", "ttl": 1, "data": data}
        return {"code": -101, "message": "账号未登录", "ttl": 1, "data": data}


class _Handler(BaseHTTPRequestHandler):
    mock: MockBilibili
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        url = f"http://{self.headers.get('host', 'localhost')}{self.path}"
        request = httpx.Request(self.command, url, headers=list(self.headers.items()), content=body)
        response = self.mock.handle(request)
        if getattr(response.stream, "mock_media", False):
            self._send_media(response)
            return
        payload = response.read()
        self.send_response(response.status_code)
        self.send_header("Content-Type", response.headers.get("content-type", "application/json"))
        for cookie in response.headers.get_list("set-cookie"):
            self.send_header("Set-Cookie", cookie)
        for name in ("content-range", "accept-ranges"):  # the CDN's HEAD and 416 answers
            if name in response.headers:
                self.send_header(name.title(), response.headers[name])
        if "etag" in response.headers:  # upos parts (testing/_upos.py)
            self.send_header("ETag", response.headers["etag"])
        size = str(len(payload))
        if self.command == "HEAD":  # the length of what a GET would send
            size = response.headers.get("content-length", size)
        self.send_header("Content-Length", size)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _send_media(self, response: httpx.Response) -> None:
        """Stream a CDN body chunk by chunk; a body cut short closes the socket there (the
        client sees a dropped connection, as when a real CDN node goes away)."""
        self.send_response(response.status_code)
        for name in ("content-type", "content-length", "content-range", "accept-ranges"):
            if name in response.headers:
                self.send_header(name.title(), response.headers[name])
        self.end_headers()
        promised = int(response.headers.get("content-length") or 0)
        sent = 0
        try:
            for chunk in response.stream:  # type: ignore[union-attr]
                self.wfile.write(chunk)
                sent += len(chunk)
        except httpx.ReadError:
            pass
        if sent < promised:
            self.wfile.flush()
            self.close_connection = True
            import socket

            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that goes away mid-request (killed, or a test that drops it) is normal
        # here; anything else is printed as usual.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class MockServer:
    """The mock behind a real loopback socket, in a daemon thread. Use as a context manager."""

    def __init__(self, mock: MockBilibili, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("Handler", (_Handler,), {"mock": mock})
        self.mock = mock
        self.httpd = _Server((host, port), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base_url = f"http://{host}:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="mock-bilibili", daemon=True
        )
        self._thread.start()

    @property
    def base_urls(self) -> dict[str, str]:
        """Pass as `Client(base_urls=...)` to send every host to this server."""
        return {"*": self.base_url}

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MockServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _multipart(ctype: str, raw: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes, str]]]:
    """Text fields and file fields (file name, bytes, MIME type) of a multipart body."""
    from email.parser import BytesParser
    from email.policy import HTTP

    msg = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw
    )
    form: dict[str, str] = {}
    files: dict[str, tuple[str, bytes, str]] = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[str(name)] = (filename, data, part.get_content_type())
        else:
            form[str(name)] = data.decode()
    return form, files


def _templated(
    routes: dict[tuple[str, str, str], list[Endpoint[Any]]], method: str, path: str
) -> list[Endpoint[Any]]:
    """Endpoints whose path has `{placeholders}` (`/correspond/1/{correspond_path}`) matching."""
    for (m, _host, template), eps in routes.items():
        if m == method and "{" in template:
            pattern = re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template))
            if re.fullmatch(pattern, path):
                return eps
    return []


def _pick(candidates: list[Endpoint[Any]], params: dict[str, str]) -> Endpoint[Any]:
    """Among endpoints sharing a URL, the one whose constant parameters match best."""

    def score(ep: Endpoint[Any]) -> int:
        if any(str(params.get(k)) != str(v) for k, v in ep.fixed.items()):
            return -1
        return len(ep.fixed)

    return max(candidates, key=score)


_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


PLACEHOLDER_SUBTITLE = {
    "font_size": 0.4,
    "font_color": "#FFFFFF",
    "background_alpha": 0.5,
    "background_color": "#9C27B0",
    "Stroke": "none",
    "body": [
        {"from": 0.0, "to": 2.5, "location": 2, "content": "（模拟字幕）mock subtitle"},
        {"from": 2.5, "to": 5.0, "location": 2, "content": "第二句 second line"},
    ],
}
"""What a GET of a CC subtitle file (a `*.hdslb.com` path with `subtitle` in it) answers
without `set_file`: the subtitle URLs of the player-info examples lead somewhere."""


def _is_subtitle(host: str, path: str) -> bool:
    return host.endswith(".hdslb.com") and "subtitle" in path


def _is_image(host: str, path: str) -> bool:
    return host.endswith(".hdslb.com") and path.lower().endswith(_IMAGE_SUFFIXES)


def placeholder_png(
    width: int = 16, height: int = 10, rgb: tuple[int, int, int] = (251, 114, 153)
) -> bytes:
    """A solid-colour RGB PNG (Bilibili pink), built without Pillow."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )
