"""The `vote` and `emoji` namespaces, and the hand-written methods compared with the seed:
`vote.create` / `vote.update` (options in indexed form keys) and `comment.send` (parent
filled from root), whose whole forms the generic parity cases cannot see."""

from __future__ import annotations

from typing import Any

import bilibili_api
import pytest
from bilibili_api import comment as seed_comment
from bilibili_api import vote as seed_vote

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoSessdataException,
)
from bilibili_sdk.models.vote import VoteType
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from ._parity_base import AID, SELF_MID
from .conftest import BILI_JCT, SESSDATA
from .test_comment import FLAVOURS, call, sent
from .test_parity import SEED_WARNINGS, seed_mock  # noqa: F401  (the fixture)

CREATE, UPDATE = "vote._create", "vote._update"
OPT = "info[options][{}][{}]"


def _options(req: RecordedRequest) -> dict[str, str]:
    return {k: v for k, v in req.form.items() if k.startswith("info[options]")}


# ---------------------------------------------------------------------- vote.create / update


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_create_text_vote_sends_one_desc_per_option(flavour: str) -> None:
    mock = MockBilibili()
    got = call(
        flavour, mock, "vote", "create", "周末去哪儿", options=["爬山", "宅家", "看展"],
        duration=259200, choice_cnt=2,
    )  # fmt: skip
    assert got.vote_id == 4947171
    (req,) = sent(mock, CREATE)
    assert _options(req) == {
        OPT.format(0, "desc"): "爬山",
        OPT.format(1, "desc"): "宅家",
        OPT.format(2, "desc"): "看展",
    }
    assert req.form["info[title]"] == "周末去哪儿" and req.form["info[choice_cnt]"] == "2"
    assert req.form["info[type]"] == "0" and req.form["info[duration]"] == "259200"
    assert "info[desc]" not in req.form and req.form["csrf"] == BILI_JCT


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_update_image_vote_sends_desc_and_img_url_pairs(flavour: str) -> None:
    mock = MockBilibili()
    options = [("a", "https://i0.hdslb.com/a.png"), ("b", "https://i0.hdslb.com/b.png")]
    call(
        flavour, mock, "vote", "update", 42, title="t", options=options, duration=60,
        type=VoteType.IMAGE, desc="d",
    )  # fmt: skip
    (req,) = sent(mock, UPDATE)
    assert _options(req) == {
        OPT.format(0, "desc"): "a",
        OPT.format(0, "img_url"): "https://i0.hdslb.com/a.png",
        OPT.format(1, "desc"): "b",
        OPT.format(1, "img_url"): "https://i0.hdslb.com/b.png",
    }
    assert req.form["info[vote_id]"] == "42" and req.form["info[type]"] == "1"
    assert req.form["info[desc]"] == "d"


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"options": ["a"]}, "options"),  # fewer than two
        ({"options": "ab"}, "options"),  # a string is no list of options
        ({"options": ["a", ""]}, "options"),
        ({"options": ["a", ("b",)]}, "options"),
        ({"options": ["a", "b"], "choice_cnt": 3}, "choice_cnt"),
        ({"options": ["a", "b"], "choice_cnt": 0}, "choice_cnt"),
        ({"options": ["a", ("b", "https://x/b.png")], "type": 1}, "options"),  # image missing
        ({"options": ["a", "b"], "type": 5}, "type"),
        ({"options": ["a", "b"], "duration": 0}, "duration"),
    ],
)
def test_create_bad_arguments_fail_before_io(
    flavour: str, kwargs: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as e:
        call(flavour, mock, "vote", "create", "t", **{"duration": 60, **kwargs})
    assert e.value.argument == argument
    assert mock.requests == []


def test_create_needs_login_before_any_request() -> None:
    mock = MockBilibili()
    with (
        Client(transport=mock.transport()) as c,
        pytest.raises(CredentialNoSessdataException),
    ):
        c.vote.create("t", options=["a", "b"], duration=60)
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_vote_info(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "vote", "get_info", 4947171)
    assert got.info.vote_id == 4947171 and [o.desc for o in got.info.options] == ["爬山", "宅家"]
    (req,) = sent(mock, "vote.get_info")
    assert req.query == {"vote_id": "4947171"}


# ---------------------------------------------------------------------- emoji


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_emoji_detail_joins_ids(flavour: str) -> None:
    mock = MockBilibili()
    got = call(flavour, mock, "emoji", "get_detail", [93, 94], business="dynamic")
    assert [p.id for p in got.packages] == [93]
    assert got.packages[0].emote[0].text == "[泠鸢yousa_awsl]"
    (req,) = sent(mock, "emoji.get_detail")
    assert req.query == {"ids": "93,94", "business": "dynamic"}


def test_emoji_business_is_checked_before_io() -> None:
    mock = MockBilibili()
    with Client(transport=mock.transport()) as c, pytest.raises(ArgsException) as e:
        c.emoji.get_list(business="danmaku")
    assert e.value.argument == "business" and mock.requests == []


# ---------------------------------------------------------------------- whole forms vs the seed


async def _forms(mock: MockBilibili, endpoint: str, seed_call: Any, ours: Any) -> tuple[Any, Any]:
    cred = bilibili_api.Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=str(SELF_MID))
    await seed_call(cred)
    seed_req = [r for r in mock.requests if r.endpoint == endpoint][-1]
    start = len(mock.requests)
    credential = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=SELF_MID)
    async with AsyncClient(credential=credential, transport=mock.transport()) as client:
        await ours(client)
    (our_req,) = [r for r in mock.requests[start:] if r.endpoint == endpoint]
    drop = {"csrf", "csrf_token"}
    return (
        {k: v for k, v in seed_req.form.items() if k not in drop and v != ""},
        {k: v for k, v in our_req.form.items() if k not in drop},
    )


@pytest.mark.anyio
@SEED_WARNINGS[0]
@SEED_WARNINGS[1]
async def test_vote_create_form_equals_the_seeds(seed_mock: MockBilibili) -> None:  # noqa: F811
    choices = seed_vote.VoteChoices().add_choice("爬山").add_choice("宅家", "https://x/b.png")
    seed, ours = await _forms(
        seed_mock,
        CREATE,
        lambda c: seed_vote.create_vote("t", seed_vote.VoteType.TEXT, 2, 600, choices, c, "d"),
        lambda client: client.vote.create(
            "t", options=["爬山", ("宅家", "https://x/b.png")], duration=600, choice_cnt=2, desc="d"
        ),
    )
    assert ours == seed
    assert ours[OPT.format(1, "img_url")] == "https://x/b.png"


@pytest.mark.anyio
@SEED_WARNINGS[0]
@SEED_WARNINGS[1]
async def test_vote_update_form_equals_the_seeds(seed_mock: MockBilibili) -> None:  # noqa: F811
    choices = seed_vote.VoteChoices().add_choice("a").add_choice("b").add_choice("c")
    seed, ours = await _forms(
        seed_mock,
        UPDATE,
        lambda c: seed_vote.Vote(7, credential=c).update_vote(
            "t", seed_vote.VoteType.TEXT, 1, 600, choices
        ),
        lambda client: client.vote.update(7, title="t", options=["a", "b", "c"], duration=600),
    )
    assert ours == seed
    assert len([k for k in ours if k.startswith("info[options]")]) == 3


@pytest.mark.anyio
@SEED_WARNINGS[0]
@SEED_WARNINGS[1]
async def test_comment_send_to_a_root_fills_parent_like_the_seed(
    seed_mock: MockBilibili,  # noqa: F811
) -> None:
    seed, ours = await _forms(
        seed_mock,
        "comment._send",
        lambda c: seed_comment.send_comment(
            "hi", AID, seed_comment.CommentResourceType.VIDEO, root=11, credential=c
        ),
        lambda client: client.comment.send(AID, type=1, message="hi", root=11),
    )
    # the seed form-encodes `statistics` as a Python repr; ours sends JSON (parity_cases)
    seed.pop("statistics"), ours.pop("statistics")
    assert ours == seed
    assert ours["parent"] == ours["root"] == "11"
