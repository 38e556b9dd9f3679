"""The mock's upos upload servers: line probe, preupload, init, chunk PUTs, complete."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from ._mock import MockBilibili, RecordedRequest

_LINES = ("bda2", "qn", "ws", "bldsa")


@dataclass
class MockUpload:
    """One upload the mock server knows (by upload id)."""

    name: str
    upos_uri: str
    auth: str
    biz_id: int
    size: int
    chunk_size: int
    profile: str
    upload_id: str = ""
    parts: dict[int, bytes] = field(default_factory=dict)

    @property
    def chunks(self) -> int:
        return -(-self.size // self.chunk_size)


class MockUpos:
    """Speaks the upos protocol so upload code can be tested end to end.

    - Probe: `POST https://upos-cs-upcdn{bda2,qn,ws,bldsa}.bilivideo.com/OK` answers "OK";
      lines in `fail_lines` answer 503 (so a test can force which line wins).
    - Preupload: `GET member.bilibili.com/preupload?r=upos...` with a SESSDATA cookie answers a
      fresh upload (`{OK: 1, endpoint: //upos-cs-upcdn<upcdn>.bilivideo.com, upos_uri, auth,
      biz_id, chunk_size, threads}`), `chunk_size` from `self.chunk_size`. Without SESSDATA the
      catalogue answers (-101).
    - Init: `POST <upload URL>?uploads&output=json...` with the right `X-Upos-Auth` answers
      `{OK: 1, upload_id}`.
    - PUT: checks the upload id, the token, and `partNumber`/`chunk`/`chunks`/`size`/`start`/
      `end`/`total` against the file size and chunk size (400 with the reason otherwise),
      stores the bytes per upload id and part, answers "MULTIPART_PUT_SUCCESS" with the part's
      md5 as `ETag`. Every PUT is recorded in `puts` as (upload id, part number).
    - Complete: `POST <upload URL>?output=json&uploadId...` with `{"parts": [{partNumber,
      eTag}]}` checks every part is there with the right etag, assembles the file into
      `files[name]` (name = the file's base name given to preupload) and answers `{OK: 1,
      key: "/<name without upos://bucket>"}`. Set `strict_etags = False` to also accept the
      literal eTag "etag" that the web client sends for every part.

    Failure injection: `fail_part(n, times=1, status=500)` answers the next `times` PUTs of
    part `n` with `status` (0: the connection drops, no answer); `forget_uploads()` forgets every upload id (PUT and complete then
    get 404, as when an upload expired); `put_delay` (seconds) slows each PUT so tests can see
    PUTs overlap (`max_in_flight`).
    """

    DYNAMIC = ("upload._preupload",)
    """Catalogue endpoints answered with fresh values instead of their example."""

    def __init__(self, mock: MockBilibili) -> None:
        self._mock = mock
        self._lock = threading.Lock()
        self.chunk_size = 4 * 1024 * 1024
        """Chunk size the mock's preupload hands out."""
        self.uploads: dict[str, MockUpload] = {}
        """Uploads in progress, by upload id."""
        self.files: dict[str, bytes] = {}
        """Assembled files after complete, by file name."""
        self.puts: list[tuple[str, int]] = []
        """Every PUT received, as (upload id, part number), in arrival order."""
        self.fail_lines: set[str] = set()
        """Lines whose probe answers 503."""
        self.put_delay = 0.0
        self.strict_etags = True
        """Complete wants each part's ETag; False also takes the literal "etag" the web
        client (and the seed) sends."""
        self.in_flight = 0
        self.max_in_flight = 0
        """Most PUTs the server was handling at once."""
        self._pending: dict[str, MockUpload] = {}  # by upos path, before init
        self._failures: dict[int, list[int]] = {}
        self._next = 0

    # -- configuration
    def fail_part(self, n: int, times: int = 1, status: int = 500) -> None:
        """Answer the next `times` PUTs of part `n` (1-based) with HTTP `status`; 0 drops the
        connection instead (a transport error)."""
        self._failures[n] = [status] * times

    def forget_uploads(self) -> None:
        """Forget every upload id, as if they had expired (PUT/complete then get 404)."""
        with self._lock:
            self.uploads.clear()
            self._pending.clear()

    # -- serving
    def handle(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response | None:
        """The answer to an upos request, or None when `request` is not one."""
        host, path = rec.host, rec.path
        if host == "member.bilibili.com" and path == "/preupload":
            return self._preupload(rec)
        if not (host.startswith("upos-") and host.endswith(".bilivideo.com")):
            return None
        if path == "/OK":
            line = host.removeprefix("upos-cs-upcdn").split(".", 1)[0]
            if line in self.fail_lines:
                return httpx.Response(503, text="line down")
            return httpx.Response(200, text="OK")
        q = rec.query
        if request.method == "POST" and "uploads" in q:
            return self._init(request, rec)
        if request.method == "PUT":
            return self._put(request, rec)
        if request.method == "POST" and "uploadId" in q:
            return self._complete(request, rec)
        return httpx.Response(404, json={"OK": 0, "message": "mock upos: unknown request"})

    def _preupload(self, rec: RecordedRequest) -> httpx.Response | None:
        q = rec.query
        if (
            q.get("r") != "upos"
            or not rec.cookies.get("SESSDATA")
            or "upload._preupload" in self._mock.overrides
        ):
            return None  # the catalogue answers (probe example, -101, or the test's override)
        rec.endpoint = "upload._preupload"
        with self._lock:
            self._mock.hits["upload._preupload"] += 1
        with self._lock:
            self._next += 1
            n = self._next
        name = q.get("name", "file")
        ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
        up = MockUpload(
            name=name,
            upos_uri=f"upos://ugcfx2lf/mock{n:04d}.{ext}",
            auth=f"ak=1&os=upos&sign=mock{n:04d}secret&timestamp=1",
            biz_id=500000000 + n,
            size=int(q.get("size", "0")),
            chunk_size=self.chunk_size,
            profile=q.get("profile", ""),
        )
        with self._lock:
            self._pending[up.upos_uri.removeprefix("upos://")] = up
        line = q.get("upcdn") or "bda2"
        return httpx.Response(
            200,
            json={
                "OK": 1,
                "auth": up.auth,
                "biz_id": up.biz_id,
                "chunk_retry": 10,
                "chunk_retry_delay": 3,
                "chunk_size": up.chunk_size,
                "endpoint": f"//upos-cs-upcdn{line}.bilivideo.com",
                "endpoints": [f"//upos-cs-upcdn{x}.bilivideo.com" for x in _LINES],
                "expose_params": None,
                "put_query": "os=upos&profile=" + up.profile,
                "threads": 3,
                "timeout": 1200,
                "uip": "127.0.0.1",
                "upos_uri": up.upos_uri,
            },
        )

    def _auth_ok(self, request: httpx.Request, up: MockUpload) -> bool:
        return bool(request.headers.get("x-upos-auth") == up.auth)

    def _init(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response:
        up = self._pending.get(rec.path.lstrip("/"))
        if up is None:
            return httpx.Response(404, json={"OK": 0, "message": "no such file"})
        if not self._auth_ok(request, up):
            return httpx.Response(403, json={"OK": 0, "message": "bad auth"})
        q = rec.query
        if q.get("filesize") != str(up.size) or q.get("partsize") != str(up.chunk_size):
            return httpx.Response(400, json={"OK": 0, "message": "filesize/partsize mismatch"})
        if q.get("biz_id") != str(up.biz_id) or q.get("profile") != up.profile:
            return httpx.Response(400, json={"OK": 0, "message": "biz_id/profile mismatch"})
        with self._lock:
            up.upload_id = f"mock-upload-{up.biz_id}"
            self.uploads[up.upload_id] = up
        return httpx.Response(200, json={"OK": 1, "upload_id": up.upload_id, "bucket": "ugcfx2lf"})

    def _put(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response:
        q = rec.query
        with self._lock:
            up = self.uploads.get(q.get("uploadId", ""))
            n = int(q.get("partNumber", "0") or 0)
            self.puts.append((q.get("uploadId", ""), n))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.put_delay:
                time.sleep(self.put_delay)
            if up is None:
                return httpx.Response(404, json={"OK": 0, "message": "no such upload id"})
            if not self._auth_ok(request, up):
                return httpx.Response(403, text="bad auth")
            with self._lock:
                pending = self._failures.get(n)
                status = pending.pop(0) if pending else None
            if status == 0:  # the connection drops before an answer
                raise httpx.ReadError("mock upos: connection dropped", request=request)
            if status is not None:
                return httpx.Response(status, text="mock: injected failure")
            body = request.content
            problem = _part_problem(q, up, n, len(body))
            if problem:
                return httpx.Response(400, text=f"mock upos: {problem}")
            with self._lock:
                up.parts[n] = body
            etag = hashlib.md5(body).hexdigest()
            return httpx.Response(200, text="MULTIPART_PUT_SUCCESS", headers={"ETag": f'"{etag}"'})
        finally:
            with self._lock:
                self.in_flight -= 1

    def _complete(self, request: httpx.Request, rec: RecordedRequest) -> httpx.Response:
        q = rec.query
        up = self.uploads.get(q.get("uploadId", ""))
        if up is None:
            return httpx.Response(404, json={"OK": 0, "message": "no such upload id"})
        if not self._auth_ok(request, up):
            return httpx.Response(403, json={"OK": 0, "message": "bad auth"})
        try:
            parts = json.loads(request.content)["parts"]
        except (ValueError, KeyError, TypeError):
            return httpx.Response(400, json={"OK": 0, "message": "body: {parts: [...]}"})
        numbers = [p.get("partNumber") for p in parts]
        if numbers != list(range(1, up.chunks + 1)):
            return httpx.Response(400, json={"OK": 0, "message": f"parts {numbers}"})
        for p in parts:
            data = up.parts.get(p["partNumber"])
            if data is None:
                return httpx.Response(400, json={"OK": 0, "message": f"part {p} missing"})
            etag = p.get("eTag")
            if etag != hashlib.md5(data).hexdigest() and (self.strict_etags or etag != "etag"):
                return httpx.Response(400, json={"OK": 0, "message": f"part {p} etag"})
        if q.get("name") != up.name or q.get("biz_id") != str(up.biz_id):
            return httpx.Response(400, json={"OK": 0, "message": "name/biz_id mismatch"})
        content = b"".join(up.parts[i] for i in range(1, up.chunks + 1))
        with self._lock:
            self.files[up.name] = content
            del self.uploads[up.upload_id]
        key = "/" + up.upos_uri.removeprefix("upos://").split("/", 1)[1]
        return httpx.Response(200, json={"OK": 1, "key": key, "location": up.upos_uri})


def _part_problem(q: dict[str, str], up: MockUpload, n: int, length: int) -> str | None:
    """Why the PUT's parameters disagree with the upload, or None."""
    if not 1 <= n <= up.chunks:
        return f"partNumber {n} out of 1..{up.chunks}"
    start = (n - 1) * up.chunk_size
    end = min(start + up.chunk_size, up.size)
    want: dict[str, Any] = {
        "chunk": n - 1,
        "chunks": up.chunks,
        "size": end - start,
        "start": start,
        "end": end,
        "total": up.size,
    }
    for k, v in want.items():
        if q.get(k) != str(v):
            return f"{k}={q.get(k)!r}, expected {v}"
    if length != end - start:
        return f"body is {length} bytes, expected {end - start}"
    return None
