"""Issue 9.2: the credential (cookies and csrf) goes only to Bilibili's hosts, loopback and
the hosts named in `trusted_hosts`."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

import bilibili_sdk
from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
)
from bilibili_sdk.testing import MockBilibili

from ._hardening import BVID, FLAVOURS, JCT, SESS, cred, run


def _recording(seen: list[httpx.Request]) -> httpx.MockTransport:
    mock = MockBilibili()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return mock.handle(request)

    return httpx.MockTransport(handler)


def _sent_secret(seen: list[httpx.Request]) -> bool:
    for r in seen:
        blob = str(r.url) + r.headers.get("cookie", "") + r.content.decode(errors="replace")
        if SESS in blob or JCT in blob:
            return True
    return False


@FLAVOURS
def test_credential_withheld_from_foreign_host(aio: bool, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[httpx.Request] = []
    cls: Any = AsyncClient if aio else Client

    async def acalls(bili: AsyncClient) -> list[BaseException]:
        await bili.video.get_info(BVID)
        await bili.with_options(timeout=5).video.get_info(BVID)  # same family: no new warning
        errors: list[BaseException] = []
        for call in (lambda: bili.video.like(BVID), bili.user.get_top_followers):
            try:
                await call()
            except Exception as e:
                errors.append(e)
        return errors

    def calls(bili: Client) -> list[BaseException]:
        bili.video.get_info(BVID)
        bili.with_options(timeout=5).video.get_info(BVID)
        errors: list[BaseException] = []
        for call in (lambda: bili.video.like(BVID), bili.user.get_top_followers):
            try:
                call()
            except Exception as e:
                errors.append(e)
        return errors

    with caplog.at_level(logging.WARNING, logger="bilibili_sdk"):
        errors = run(
            aio,
            lambda: cls(
                cred(), transport=_recording(seen), base_urls={"*": "https://api.example.org"}
            ),
            acalls if aio else calls,
        )
    assert seen and all(r.url.host == "api.example.org" for r in seen)
    assert not _sent_secret(seen)
    assert all("cookie" not in r.headers for r in seen)
    # calls that need the login or csrf raise a typed error before any I/O
    assert len(errors) == 2
    for e in errors:
        assert isinstance(e, ArgsException) and type(e).__name__ == "UntrustedHostException"
        assert e.argument == "trusted_hosts" and "api.example.org" in str(e)
    assert not any(r.url.path.endswith(("/archive/like", "/data/fan")) for r in seen)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "api.example.org" in warnings[0].getMessage()
    assert "trusted_hosts" in warnings[0].getMessage()


@FLAVOURS
def test_trusted_hosts_opt_in(aio: bool) -> None:
    seen: list[httpx.Request] = []
    cls: Any = AsyncClient if aio else Client

    async def acalls(bili: AsyncClient) -> None:
        await bili.video.like(BVID)
        await bili.user.get_top_followers()

    def calls(bili: Client) -> None:
        bili.video.like(BVID)
        bili.user.get_top_followers()

    run(
        aio,
        lambda: cls(
            cred(),
            transport=_recording(seen),
            base_urls={"*": "https://API.Example.org"},
            trusted_hosts={"api.example.org."},
        ),
        acalls if aio else calls,
    )
    like = next(r for r in seen if r.url.path.endswith("/archive/like"))
    assert SESS in like.headers["cookie"] and f"csrf={JCT}" in like.content.decode()


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:9", "http://127.8.9.10:9", "http://localhost:9", "http://[::1]:9"]
)
def test_loopback_hosts_get_the_credential(base: str) -> None:
    seen: list[httpx.Request] = []
    with Client(cred(), transport=_recording(seen), base_urls={"*": base}) as bili:
        bili.video.like(BVID)
    like = next(r for r in seen if r.url.path.endswith("/archive/like"))
    assert SESS in like.headers["cookie"]


def test_trusted_hosts_option() -> None:
    from bilibili_sdk._settings import ClientOptions

    o = ClientOptions.build(trusted_hosts=["Mirror.Example.org", "[::2]"])
    assert o.trusted_hosts == frozenset({"mirror.example.org", "::2"})
    assert ClientOptions().trusted_hosts == frozenset()
    c = Client(trusted_hosts={"a.example"})
    assert c.with_options(trusted_hosts={"b.example"}).options.trusted_hosts == {"b.example"}
    assert c.with_options(trusted_hosts=None).options.trusted_hosts == frozenset()
    for bad in ("a.example", ["https://a.example"], ["a.example:8443"], [3], ["a/b"], [""]):
        with pytest.raises(ArgsException) as ei:
            Client(trusted_hosts=bad)
        assert ei.value.argument == "trusted_hosts"


def test_bilibili_domains_in_one_place() -> None:
    from bilibili_sdk._endpoint import BILIBILI_DOMAINS, is_bilibili_host, is_loopback_host

    for d in ("bilibili.com", "biligame.com", "hdslb.com", "bilivideo.com", "biliapi.net"):
        assert d in BILIBILI_DOMAINS and is_bilibili_host(d) and is_bilibili_host(f"x.{d}")
    assert not is_bilibili_host("bilibili.com.evil.org") and not is_bilibili_host(
        "evilbilibili.com"
    )
    assert (
        is_loopback_host("127.0.0.1") and is_loopback_host("::1") and is_loopback_host("localhost")
    )
    assert not is_loopback_host("128.0.0.1") and not is_loopback_host("localhost.evil.org")


def test_untrusted_host_exception_is_public() -> None:
    assert issubclass(bilibili_sdk.UntrustedHostException, ArgsException)
