"""Checked by mypy --strict in CI (nox -s typecheck), never run: what a user's type checker sees.

Lenient defaults must not leak into the types: a present value has its exact type.
"""

from __future__ import annotations

from typing_extensions import assert_type

from bilibili_sdk import AsyncClient, Client, Credential, LoginCheckRequired, Picture
from bilibili_sdk._response import RawResponse
from bilibili_sdk.login import AsyncQrLogin, GeetestResult, LoginCheck, QrLogin, QrState, SmsTicket
from bilibili_sdk.models import UserInfo, VideoDescPart, VideoInfo, VideoOwner, VideoPage, VideoStat


def sync_usage(bili: Client) -> None:
    info = bili.video.get_info("BV1uv411q7Mv")
    assert_type(info, VideoInfo)
    assert_type(info.aid, int)
    assert_type(info.title, str)
    assert_type(info.owner, VideoOwner)
    assert_type(info.stat, VideoStat)
    assert_type(info.pages, list[VideoPage])
    assert_type(info.desc_v2, list[VideoDescPart] | None)
    assert_type(bili.video.get_info(170001), VideoInfo)
    assert_type(bili.user.get_info(2), UserInfo)
    raw = bili.video.with_raw_response.get_info("BV1uv411q7Mv")
    assert_type(raw, RawResponse[VideoInfo])
    assert_type(raw.parse(), VideoInfo)
    assert_type(raw.status_code, int)


def login_usage(bili: Client, result: GeetestResult) -> None:
    qr = bili.login.start_qr(tv=True)
    assert_type(qr, QrLogin)
    assert_type(qr.poll(), QrState)
    assert_type(qr.wait(timeout=60, interval=1), Credential)
    assert_type(qr.terminal(), str)
    assert_type(qr.png(), bytes)
    ticket = bili.login.send_sms("13800138000", country_code="+86", geetest=result)
    assert_type(ticket, SmsTicket)
    try:
        assert_type(bili.login.sms(ticket, "123456"), Credential)
    except LoginCheckRequired as e:
        assert_type(e.check, LoginCheck)
        bili.login.send_check_sms(e.check, geetest=result)
        assert_type(bili.login.complete_check(e.check, "123456"), Credential)


async def async_login_usage(bili: AsyncClient, result: GeetestResult) -> None:
    qr = await bili.login.start_qr()
    assert_type(qr, AsyncQrLogin)
    assert_type(await qr.poll(), QrState)
    assert_type(await qr.wait(), Credential)
    assert_type(await bili.login.password("u", "p", geetest=result), Credential)


async def async_usage(bili: AsyncClient) -> None:
    info = await bili.video.get_info("BV1uv411q7Mv")
    assert_type(info, VideoInfo)
    raw = await bili.video.with_raw_response.get_info(aid=170001)
    assert_type(raw.parse(), VideoInfo)
    async for video in bili.user.iter_videos(2, limit=10):
        assert_type(video.bvid, str)


async def picture_usage(bili: Client, abili: AsyncClient) -> None:
    # One name in both flavours: the client's type decides whether there is something to await.
    assert_type(Picture.load_url("https://i0.hdslb.com/bfs/a.png", client=bili), Picture)
    assert_type(await Picture.load_url("https://i0.hdslb.com/bfs/a.png", client=abili), Picture)
    pic = Picture.from_file("cover.png").resize(320, None).convert_format("jpeg")
    assert_type(pic, Picture)
    assert_type(pic.width, int)
    assert_type(pic.url, str | None)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit("type-checked only")
