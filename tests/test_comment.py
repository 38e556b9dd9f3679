"""The `comment` namespace: the hand-written `send` and `iter_comments`, and the generated
page iterators, in both flavours against the mock Bilibili."""

from __future__ import annotations

import asyncio
import copy
import json
from typing import Any

import pytest

from bilibili_sdk import ArgsException, AsyncClient, Client, Credential
from bilibili_sdk.models.comment import CommentMode, CommentResourceType
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT, SESSDATA

FLAVOURS = ["sync", "async"]
OID = 170001
LAZY = "comment.get_comments_lazy"
REPLIES = "comment.get_replies"


def call(flavour: str, mock: MockBilibili, ns: str, name: str, *args: Any, **kw: Any) -> Any:
    """Run `client.<ns>.<name>(...)` in one flavour; an `iter_*` result comes back as a list."""
    cred = Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)
    if flavour == "sync":
        with Client(credential=cred, transport=mock.transport(), max_retries=0) as c:
            result = getattr(getattr(c, ns), name)(*args, **kw)
            return list(result) if name.startswith("iter_") else result

    async def main() -> Any:
        async with AsyncClient(credential=cred, transport=mock.transport(), max_retries=0) as c:
            result = getattr(getattr(c, ns), name)(*args, **kw)
            if name.startswith("iter_"):
                return [x async for x in result]
            return await result

    return asyncio.run(main())


def sent(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == endpoint]


def _item(mock: MockBilibili, rpid: int, *, rcount: int = 0, preview: int = 0) -> dict[str, Any]:
    """A root comment shaped like the example's, with `preview` inline replies of `rcount`."""
    base = mock.examples[LAZY]["data"]["replies"][0]
    item = copy.deepcopy(base)
    item.update(rpid=rpid, rpid_str=str(rpid), rcount=rcount, count=rcount)
    item["replies"] = [_reply(mock, rpid, rpid * 100 + i) for i in range(preview)]
    return item


def _reply(mock: MockBilibili, root: int, rpid: int) -> dict[str, Any]:
    item = copy.deepcopy(mock.examples[LAZY]["data"]["replies"][0])
    item.update(rpid=rpid, root=root, parent=root, replies=None, rcount=0)
    return item


def _lazy_page(
    mock: MockBilibili, items: list[dict[str, Any]], next_offset: str, *, is_end: bool = False
) -> dict[str, Any]:
    body = copy.deepcopy(mock.examples[LAZY])
    body["data"]["replies"] = items
    body["data"]["cursor"]["is_end"] = is_end
    body["data"]["cursor"]["pagination_reply"] = {"next_offset": next_offset}
    return body


def _offset(rec: RecordedRequest) -> str:
    offset: str = json.loads(rec.query["pagination_str"])["offset"]
    return offset


def serve_lazy(mock: MockBilibili, pages: dict[str, dict[str, Any]]) -> None:
    """Answer the lazy list by the offset each request carries (an error past 10 requests,
    so that a walk that does not stop fails instead of hanging)."""

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        if len(sent(mock, LAZY)) > 10:
            return {"code": -500, "message": "test: the walk did not stop", "ttl": 1}
        return pages[_offset(rec)]

    mock.set_response(LAZY, answer)


def three_pages(mock: MockBilibili) -> dict[str, dict[str, Any]]:
    """Pages of 2, 2 and 1 root comments (rpids 1..5); the last says is_end."""
    return {
        "": _lazy_page(mock, [_item(mock, 1), _item(mock, 2)], '{"p":1}'),
        '{"p":1}': _lazy_page(mock, [_item(mock, 3), _item(mock, 4)], '{"p":2}'),
        '{"p":2}': _lazy_page(mock, [_item(mock, 5)], '{"p":3}', is_end=True),
    }


# ---------------------------------------------------------------------- iter_comments


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_comments_walks_the_offsets_in_order_and_stops_at_the_end(flavour: str) -> None:
    mock = MockBilibili()
    serve_lazy(mock, three_pages(mock))
    got = call(flavour, mock, "comment", "iter_comments", OID, type=CommentResourceType.VIDEO)
    assert [c.rpid for c in got] == [1, 2, 3, 4, 5]
    reqs = sent(mock, LAZY)
    # each offset goes back wrapped as pagination_str; is_end stops before a 4th request
    assert [_offset(r) for r in reqs] == ["", '{"p":1}', '{"p":2}']
    assert all(r.query["oid"] == str(OID) and r.query["type"] == "1" for r in reqs)
    assert all(r.query["mode"] == "2" and "w_rid" in r.query for r in reqs)
    assert sent(mock, REPLIES) == []  # no threads asked for without with_replies


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_comments_stops_on_an_empty_or_repeated_offset(flavour: str) -> None:
    mock = MockBilibili()
    serve_lazy(
        mock,
        {
            "": _lazy_page(mock, [_item(mock, 1)], "o1"),
            "o1": _lazy_page(mock, [_item(mock, 2)], "o1"),  # the cursor did not move
        },
    )
    got = call(flavour, mock, "comment", "iter_comments", OID, type=1, mode=CommentMode.HOT)
    assert [c.rpid for c in got] == [1, 2]
    assert [_offset(r) for r in sent(mock, LAZY)] == ["", "o1"]
    assert sent(mock, LAZY)[0].query["mode"] == "3"

    mock = MockBilibili()
    serve_lazy(mock, {"": _lazy_page(mock, [_item(mock, 1)], "")})
    got = call(flavour, mock, "comment", "iter_comments", OID, type=1)
    assert [c.rpid for c in got] == [1]
    assert len(sent(mock, LAZY)) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_comments_limit_counts_comments_and_fetches_no_further_page(flavour: str) -> None:
    mock = MockBilibili()
    serve_lazy(mock, three_pages(mock))
    got = call(flavour, mock, "comment", "iter_comments", OID, type=1, limit=3)
    assert [c.rpid for c in got] == [1, 2, 3]
    assert [_offset(r) for r in sent(mock, LAZY)] == ["", '{"p":1}']
    mock = MockBilibili()
    serve_lazy(mock, three_pages(mock))
    got = call(flavour, mock, "comment", "iter_comments", OID, type=1, limit=2)
    assert [c.rpid for c in got] == [1, 2]
    assert len(sent(mock, LAZY)) == 1


def _thread_pages(mock: MockBilibili, root: int, rpids: list[int], size: int) -> Any:
    """Answer get_replies for `root` from `rpids`, `size` a page, by pn."""
    base = mock.examples[REPLIES]

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        assert rec.query["root"] == str(root)
        n = int(rec.query["pn"])
        body = copy.deepcopy(base)
        chunk = rpids[(n - 1) * size : n * size]
        body["data"]["replies"] = [_reply(mock, root, r) for r in chunk]
        body["data"]["page"] = {"num": n, "size": size, "count": len(rpids)}
        return body

    return answer


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_comments_with_replies_completes_only_incomplete_threads(flavour: str) -> None:
    mock = MockBilibili()
    full = [1000 + i for i in range(25)]  # two pages of the thread endpoint (20 + 5)
    serve_lazy(
        mock,
        {
            "": _lazy_page(
                mock,
                # 1: a 25-reply thread previewing 3; 2: a 2-reply thread previewing both
                [_item(mock, 1, rcount=25, preview=3), _item(mock, 2, rcount=2, preview=2)],
                "",
            )
        },
    )
    mock.set_response(REPLIES, _thread_pages(mock, 1, full, 20))
    got = call(flavour, mock, "comment", "iter_comments", OID, type=1, with_replies=True)
    assert [c.rpid for c in got] == [1, 2]
    assert [r.rpid for r in got[0].replies] == full  # the whole thread, in order
    assert [r.rpid for r in got[1].replies] == [200, 201]  # the preview was complete
    reqs = sent(mock, REPLIES)
    assert [(r.query["pn"], r.query["ps"]) for r in reqs] == [("1", "20"), ("2", "20")]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_comments_with_replies_respects_limit(flavour: str) -> None:
    mock = MockBilibili()
    serve_lazy(
        mock,
        {
            "": _lazy_page(
                mock,
                [_item(mock, 1, rcount=3, preview=1), _item(mock, 2, rcount=3, preview=1)],
                "o1",
            )
        },
    )
    mock.set_response(REPLIES, _thread_pages(mock, 1, [7, 8, 9], 20))
    got = call(flavour, mock, "comment", "iter_comments", OID, type=1, with_replies=True, limit=1)
    assert [c.rpid for c in got] == [1]
    assert [r.rpid for r in got[0].replies] == [7, 8, 9]
    assert len(sent(mock, REPLIES)) == 1  # the second comment's thread is never fetched
    assert len(sent(mock, LAZY)) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"type": 1, "with_replies": 1}, "with_replies"),
        ({"type": 1, "limit": 0}, "limit"),
        ({"type": 1, "limit": True}, "limit"),
        ({"type": 999}, "type"),
        ({"type": 1, "mode": 7}, "mode"),
    ],
)
def test_iter_comments_bad_arguments_fail_before_io(
    flavour: str, kwargs: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as e:
        call(flavour, mock, "comment", "iter_comments", OID, **kwargs)
    assert e.value.argument == argument
    assert mock.requests == []


# ---------------------------------------------------------------------- generated iterators


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_replies_pages_in_order_and_stops_at_the_count(flavour: str) -> None:
    mock = MockBilibili()
    mock.set_response(REPLIES, _thread_pages(mock, 77, [1, 2, 3, 4, 5], 2))
    got = call(flavour, mock, "comment", "iter_replies", OID, type=1, root=77, page_size=2)
    assert [r.rpid for r in got] == [1, 2, 3, 4, 5]
    assert [r.query["pn"] for r in sent(mock, REPLIES)] == ["1", "2", "3"]
    mock = MockBilibili()
    mock.set_response(REPLIES, _thread_pages(mock, 77, [1, 2, 3, 4, 5], 2))
    got = call(flavour, mock, "comment", "iter_replies", OID, type=1, root=77, page_size=2, limit=3)
    assert [r.rpid for r in got] == [1, 2, 3]
    assert [r.query["pn"] for r in sent(mock, REPLIES)] == ["1", "2"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_comments_by_page_pages_in_order_and_stops_at_the_count(flavour: str) -> None:
    mock = MockBilibili()
    base = mock.examples["comment.get_comments"]

    def answer(rec: RecordedRequest) -> dict[str, Any]:
        n = int(rec.query["pn"])
        body = copy.deepcopy(base)
        body["data"]["replies"] = [_item(mock, r) for r in [[1, 2], [3, 4], [5]][n - 1]]
        body["data"]["page"] = {"num": n, "size": 2, "count": 5, "acount": 9}
        return body

    mock.set_response("comment.get_comments", answer)
    got = call(flavour, mock, "comment", "iter_comments_by_page", OID, type=12, page_size=2)
    assert [c.rpid for c in got] == [1, 2, 3, 4, 5]
    reqs = sent(mock, "comment.get_comments")
    assert [r.query["pn"] for r in reqs] == ["1", "2", "3"]
    assert all(r.query["type"] == "12" and r.query["sort"] == "0" for r in reqs)


# ---------------------------------------------------------------------- send


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("kwargs", "root", "parent"),
    [
        ({}, None, None),  # a root comment
        ({"root": 11}, "11", "11"),  # a reply to the root comment: parent = root
        ({"root": 11, "parent": 22}, "11", "22"),  # a reply to a reply
    ],
)
def test_send_fills_parent_from_root(
    flavour: str, kwargs: dict[str, Any], root: str | None, parent: str | None
) -> None:
    mock = MockBilibili()
    result = call(flavour, mock, "comment", "send", OID, type=1, message="hi [doge]", **kwargs)
    assert result.rpid == mock.examples["comment._send"]["data"]["rpid"]
    (req,) = sent(mock, "comment._send")
    assert req.method == "POST"
    assert req.form.get("root") == root and req.form.get("parent") == parent
    assert req.form["message"] == "hi [doge]" and req.form["oid"] == str(OID)
    assert req.form["plat"] == "1" and json.loads(req.form["statistics"]) == {
        "appId": 100,
        "platform": 5,
    }
    assert req.form["csrf"] == BILI_JCT and "w_rid" in req.query


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_parent_without_root_fails_before_io(flavour: str) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as e:
        call(flavour, mock, "comment", "send", OID, type=1, message="x", parent=22)
    assert e.value.argument == "parent"
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_send_pictures_go_as_compact_json(flavour: str) -> None:
    mock = MockBilibili()
    pics = [{"img_src": "https://i0.hdslb.com/a.png", "img_width": 2, "img_height": 3}]
    call(flavour, mock, "comment", "send", OID, type=17, message="x", pictures=pics)
    (req,) = sent(mock, "comment._send")
    assert json.loads(req.form["pictures"]) == pics
    assert req.form["type"] == "17"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_like_status_false_sends_action_zero(flavour: str) -> None:
    mock = MockBilibili()
    assert call(flavour, mock, "comment", "like", OID, type=1, rpid=5, status=False) is None
    (req,) = sent(mock, "comment.like")
    assert (req.form["action"], req.form["rpid"], req.form["type"]) == ("0", "5", "1")
