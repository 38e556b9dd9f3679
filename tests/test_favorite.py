"""The favorite namespace against the mock Bilibili, in both flavours.

Every `iter_*` helper walks pages shaped as the server sends them (items in order, the right
page numbers asked, a stop on `has_more`, on the total, or on an empty page); every POST is
checked for its exact form body (csrf included, lists joined as the web client joins them);
bad arguments fail before any request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bilibili_sdk import (
    ArgsException,
    AsyncClient,
    Client,
    Credential,
    CredentialNoSessdataException,
)
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from .conftest import BILI_JCT, SESSDATA

FLAVOURS = ["sync", "async"]
MEDIA_ID = 1052622027
TARGET_ID = 44233921
MID = 7792521


def _credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


def call(
    flavour: str,
    mock: MockBilibili,
    method: str,
    *args: Any,
    credential: Credential | None = None,
    **kwargs: Any,
) -> Any:
    """`client.<ns>.<name>(*args, **kwargs)` on a sync or an async client."""
    ns, name = method.split(".")
    cred = credential if credential is not None else _credential()
    if flavour == "sync":
        with Client(transport=mock.transport(), credential=cred, max_retries=0) as bili:
            return getattr(getattr(bili, ns), name)(*args, **kwargs)

    async def main() -> Any:
        async with AsyncClient(transport=mock.transport(), credential=cred, max_retries=0) as bili:
            return await getattr(getattr(bili, ns), name)(*args, **kwargs)

    return asyncio.run(main())


def walk(flavour: str, mock: MockBilibili, method: str, *args: Any, **kwargs: Any) -> list[Any]:
    """Every item an `iter_*` helper yields, sync or async."""
    ns, name = method.split(".")
    if flavour == "sync":
        with Client(transport=mock.transport(), credential=_credential(), max_retries=0) as bili:
            return list(getattr(getattr(bili, ns), name)(*args, **kwargs))

    async def main() -> list[Any]:
        async with AsyncClient(
            transport=mock.transport(), credential=_credential(), max_retries=0
        ) as bili:
            return [x async for x in getattr(getattr(bili, ns), name)(*args, **kwargs)]

    return asyncio.run(main())


def sent(mock: MockBilibili, endpoint: str) -> list[RecordedRequest]:
    return [r for r in mock.requests if r.endpoint == endpoint]


def envelope(data: Any, message: str = "0") -> dict[str, Any]:
    return {"code": 0, "message": message, "ttl": 1, "data": data}


# ---------------------------------------------------------------------- iterators

# Items per page: two full pages of 3, then one of 1 (7 in all); page 4 would be empty.
PAGES = {1: [1, 2, 3], 2: [4, 5, 6], 3: [7]}
LAST = 3
TOTAL = 7


def _media(n: int) -> dict[str, Any]:
    return {"id": n, "type": 2, "title": f"video {n}", "bvid": f"BV{n}", "upper": {"mid": 1}}


def _folder(n: int) -> dict[str, Any]:
    return {"id": n, "fid": n, "mid": MID, "title": f"folder {n}", "media_count": n}


def folder_content(page: int, ids: list[int]) -> Any:
    info = {"id": MEDIA_ID, "title": "猛 男 生 存", "media_count": TOTAL}
    medias = [_media(n) for n in ids] or None  # the server sends null for an empty page
    return envelope({"info": info, "medias": medias, "has_more": page < LAST})


def collected(page: int, ids: list[int]) -> Any:
    # as recorded: no has_more, only the total count
    return envelope({"count": TOTAL, "list": [_folder(n) for n in ids]})


def legacy(page: int, ids: list[int]) -> Any:
    return envelope({"count": TOTAL, "list": [_folder(n) for n in ids], "has_more": page < LAST})


def topics(page: int, ids: list[int]) -> Any:
    items = [{"id": n, "name": f"topic {n}", "view": 10 * n} for n in ids]
    info = {"page_num": page, "page_size": 3, "total": TOTAL, "has_more": page < LAST}
    return envelope({"topic_list": {"topic_items": items, "page_info": info}})


def articles(page: int, ids: list[int]) -> Any:
    items = [{"id": n, "title": f"cv{n}", "author": {"mid": 1, "name": "a"}} for n in ids]
    return envelope({"favorites": items, "page": {"pn": page, "ps": 3, "total": TOTAL}})


def courses(page: int, ids: list[int]) -> Any:
    items = [{"season_id": n, "title": f"course {n}"} for n in ids]
    page_info = {"num": page, "size": 3, "total": TOTAL, "next": page < LAST}
    return envelope({"items": items, "page": page_info}, message="success")


# (iter method, getter method, positional args, page wire name, page builder, item id)
ITERATORS: list[tuple[str, str, tuple[Any, ...], str, Callable[[int, list[int]], Any], str]] = [
    ("iter_folder_content", "get_folder_content", (MEDIA_ID,), "pn", folder_content, "id"),
    ("iter_collected_folders", "list_collected_folders", (MID,), "pn", collected, "id"),
    ("iter_folders_legacy", "list_folders_legacy", (MID,), "pn", legacy, "id"),
    ("iter_my_topics", "get_my_topics", (), "page_num", topics, "id"),
    ("iter_my_articles", "get_my_articles", (), "pn", articles, "id"),
    ("iter_my_courses", "get_my_courses", (MID,), "pn", courses, "season_id"),
]


def _serve(
    mock: MockBilibili, getter: str, wire: str, build: Callable[[int, list[int]], Any]
) -> None:
    def answer(rec: RecordedRequest) -> Any:
        page = int(rec.params[wire])
        return build(page, PAGES.get(page, []))

    mock.set_response(f"favorite.{getter}", answer)


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("it", "getter", "args", "wire", "build", "key"), ITERATORS, ids=[i[0] for i in ITERATORS]
)
def test_iterator_yields_every_item_in_order_and_stops(
    flavour: str,
    it: str,
    getter: str,
    args: tuple[Any, ...],
    wire: str,
    build: Callable[[int, list[int]], Any],
    key: str,
) -> None:
    mock = MockBilibili()
    _serve(mock, getter, wire, build)
    items = walk(flavour, mock, f"favorite.{it}", *args, page_size=3)
    assert [getattr(x, key) for x in items] == list(range(1, TOTAL + 1))
    reqs = sent(mock, f"favorite.{getter}")
    # pages 1, 2, 3 and no fourth: the answer said it was the last one
    assert [int(r.params[wire]) for r in reqs] == [1, 2, 3]
    size_wire = "page_size" if it == "iter_my_topics" else "ps"
    assert {r.params[size_wire] for r in reqs} == {"3"}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_folder_content_sends_the_filters_on_every_page(flavour: str) -> None:
    mock = MockBilibili()
    _serve(mock, "get_folder_content", "pn", folder_content)
    items = walk(
        flavour,
        mock,
        "favorite.iter_folder_content",
        MEDIA_ID,
        page=2,
        page_size=3,
        keyword="猛男",
        order="view",
        search_all=True,
        limit=3,
    )
    assert [m.id for m in items] == [4, 5, 6]  # from page 2, cut by the limit
    reqs = sent(mock, "favorite.get_folder_content")
    assert [r.query for r in reqs] == [
        {
            "media_id": str(MEDIA_ID),
            "pn": "2",
            "ps": "3",
            "keyword": "猛男",
            "order": "view",
            "type": "1",
            "tid": "0",
            "platform": "web",
        }
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_iter_folder_content_stops_on_a_null_page(flavour: str) -> None:
    mock = MockBilibili()

    def answer(rec: RecordedRequest) -> Any:
        page = int(rec.params["pn"])
        body = folder_content(page, PAGES.get(page, []))
        body["data"]["has_more"] = True  # a server that never says it is done
        return body

    mock.set_response("favorite.get_folder_content", answer)
    items = walk(flavour, mock, "favorite.iter_folder_content", MEDIA_ID, page_size=3)
    assert [m.id for m in items] == list(range(1, TOTAL + 1))
    assert [int(r.params["pn"]) for r in sent(mock, "favorite.get_folder_content")] == [1, 2, 3, 4]


# ---------------------------------------------------------------------- reads


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_get_folder_content_parses_the_recorded_page(flavour: str) -> None:
    mock = MockBilibili()
    page = call(flavour, mock, "favorite.get_folder_content", MEDIA_ID)
    assert page.info.id == MEDIA_ID and page.info.media_count == 28
    assert page.info.upper.name == "籽岷"
    assert page.medias and page.medias[0].type == 2 and page.medias[0].bvid.startswith("BV")
    assert isinstance(page.has_more, bool)
    (req,) = sent(mock, "favorite.get_folder_content")
    assert req.query == {
        "media_id": str(MEDIA_ID),
        "pn": "1",
        "ps": "20",
        "order": "mtime",
        "type": "0",
        "tid": "0",
        "platform": "web",
    }


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_list_folders_query_and_rid(flavour: str) -> None:
    mock = MockBilibili()
    folders = call(flavour, mock, "favorite.list_folders", MID, rid=170001)
    assert folders.count == 5 and next(f.title for f in folders.list_ or []) == "默认收藏夹"
    (req,) = sent(mock, "favorite.list_folders")
    assert req.query == {
        "up_mid": str(MID),
        "type": "2",
        "rid": "170001",
        "web_location": "333.1387",
    }


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_ids_and_infos_queries(flavour: str) -> None:
    mock = MockBilibili()
    ids = call(flavour, mock, "favorite.get_folder_content_ids", MEDIA_ID)
    assert [(i.id, i.type) for i in ids] == [(170001, 2), (583785685, 2)]
    infos = call(flavour, mock, "favorite.get_resource_infos", ["583785685:2", "1:12"])
    assert infos[0].id == 583785685 and infos[0].upper.mid == 293793435
    assert sent(mock, "favorite.get_folder_content_ids")[0].query == {
        "media_id": str(MEDIA_ID),
        "platform": "web",
    }
    assert sent(mock, "favorite.get_resource_infos")[0].query == {
        "resources": "583785685:2,1:12",
        "platform": "web",
    }


# ---------------------------------------------------------------------- writes: exact forms

CSRF = {"csrf": BILI_JCT, "csrf_token": BILI_JCT}  # the runtime sends both names
RES = ["170001:2", "170002:2"]
JOINED = "170001:2,170002:2"

WRITES: list[tuple[str, tuple[Any, ...], dict[str, Any], dict[str, str]]] = [
    (
        "create_folder",
        ("标题",),
        {"intro": "简介", "private": True},
        {"title": "标题", "intro": "简介", "privacy": "1", "cover": ""},
    ),
    (
        "edit_folder",
        (MEDIA_ID,),
        {"title": "新标题", "cover": "https://i0.hdslb.com/x.jpg"},
        {
            "media_id": str(MEDIA_ID),
            "title": "新标题",
            "intro": "",
            "privacy": "0",
            "cover": "https://i0.hdslb.com/x.jpg",
        },
    ),
    (
        "delete_folders",
        ([MEDIA_ID, TARGET_ID],),
        {},
        {"media_ids": f"{MEDIA_ID},{TARGET_ID}"},
    ),
    (
        "copy_resources",
        (MEDIA_ID,),
        {"tar_media_id": TARGET_ID, "mid": 2, "resources": RES},
        {
            "src_media_id": str(MEDIA_ID),
            "tar_media_id": str(TARGET_ID),
            "mid": "2",
            "resources": JOINED,
            "platform": "web",
        },
    ),
    (
        "move_resources",
        (MEDIA_ID,),
        {"tar_media_id": TARGET_ID, "resources": RES},
        {
            "src_media_id": str(MEDIA_ID),
            "tar_media_id": str(TARGET_ID),
            "resources": JOINED,
            "platform": "web",
        },
    ),
    (
        "delete_resources",
        (MEDIA_ID,),
        {"resources": RES},
        {"media_id": str(MEDIA_ID), "resources": JOINED, "platform": "web"},
    ),
    ("clean_folder", (MEDIA_ID,), {}, {"media_id": str(MEDIA_ID)}),
    (
        "set_resource_folders",
        (170001,),
        {"add_media_ids": [MEDIA_ID, TARGET_ID]},
        {"rid": "170001", "type": "2", "add_media_ids": f"{MEDIA_ID},{TARGET_ID}"},
    ),
]


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(("name", "args", "kwargs", "form"), WRITES, ids=[w[0] for w in WRITES])
def test_write_sends_the_exact_form(
    flavour: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], form: dict[str, str]
) -> None:
    mock = MockBilibili()
    call(flavour, mock, f"favorite.{name}", *args, **kwargs)
    (req,) = sent(mock, f"favorite.{name}")
    assert req.method == "POST"
    assert req.query == {}
    assert req.form == {**form, **CSRF}
    assert req.cookies.get("SESSDATA") == SESSDATA


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_create_folder_returns_the_new_folder(flavour: str) -> None:
    folder = call(flavour, MockBilibili(), "favorite.create_folder", "test")
    assert (folder.id, folder.fid, folder.title, folder.media_count) == (
        1182306172,
        11823061,
        "test",
        0,
    )


# ---------------------------------------------------------------------- bad input, before I/O


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize(
    ("name", "args", "kwargs", "argument"),
    [
        ("delete_folders", ([],), {}, "media_ids"),
        ("delete_folders", ([1, "2"],), {}, "media_ids"),
        ("delete_resources", (MEDIA_ID,), {"resources": [170001]}, "resources"),
        ("delete_resources", (MEDIA_ID,), {"resources": "170001:2"}, "resources"),
        ("get_folder_content", (0,), {}, "media_id"),
        ("get_folder_content", (MEDIA_ID,), {"page_size": 21}, "page_size"),
        ("get_folder_content", (MEDIA_ID,), {"order": "hot"}, "order"),
        ("create_folder", ("t",), {"private": 1}, "private"),
        ("list_folders", (MID,), {"type": 1}, "type"),
    ],
)
def test_bad_arguments_fail_before_io(
    flavour: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any], argument: str
) -> None:
    mock = MockBilibili()
    with pytest.raises(ArgsException) as info:
        call(flavour, mock, f"favorite.{name}", *args, **kwargs)
    assert info.value.argument == argument
    assert mock.requests == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_writes_need_a_login(flavour: str) -> None:
    mock = MockBilibili()
    with pytest.raises(CredentialNoSessdataException):
        call(flavour, mock, "favorite.create_folder", "t", credential=Credential())
    assert mock.requests == []
