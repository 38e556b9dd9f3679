"""Every `iter_*` helper, sync and async, against pages with known items.

The mock serves numbered items (a `probe_marker` key on copies of the example's first item)
page by page, keyed by the page number or cursor each request carries. Each helper must yield
exactly those items in order, ask for the pages in order with the right page number or cursor
(and the same page size), stop when the answer says so (`total`, `has_more`, an empty page, no
next cursor), honour `limit` without fetching further pages, and start from a given page.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Callable
from typing import Any

import pytest
from codegen.loader import Endpoint as SpecEndpoint
from pydantic import BaseModel

from bilibili_sdk import AsyncClient, Client, Credential
from bilibili_sdk._base_client import _validator
from bilibili_sdk._endpoint import Pager
from bilibili_sdk.testing import MockBilibili, RecordedRequest

from ._corpus import expected_type, payload_of
from .conftest import BILI_JCT, SESSDATA
from .test_catalogue import ENDPOINTS, kwargs_for

PAGED = [e for e in ENDPOINTS if e.paginate]
IDS = [f"{e.namespace}.{e.paginate.name}" for e in PAGED if e.paginate]
PROBE = "probe_marker"
PAGE_SIZE = 3
# Items per page in the main walk: two full pages, a short one; 7 items in all.
LAYOUT = (3, 3, 1)
TOTAL = sum(LAYOUT)


def _pager(ep: SpecEndpoint) -> Pager:
    assert ep.paginate is not None
    mod = importlib.import_module(f"bilibili_sdk.resources.{ep.namespace}._calls")
    pager: Pager = getattr(mod, ep.paginate.name.upper())
    return pager


def _wire_path(instance: Any, attrs: tuple[str, ...]) -> list[str]:
    """The wire keys of a model attribute path (aliases where the wire name differs)."""
    keys = []
    obj = instance
    for attr in attrs:
        if isinstance(obj, BaseModel):
            f = type(obj).model_fields.get(attr)
            keys.append((f.alias or attr) if f is not None else attr)
            obj = getattr(obj, attr, None)
        else:
            keys.append(attr)
            obj = obj.get(attr) if isinstance(obj, dict) else None
    return keys


def _put(root: Any, keys: list[str], value: Any) -> Any:
    """Set `value` at `keys` under `root` (creating objects); returns the new root."""
    if not keys:
        return value
    node = root
    for k in keys[:-1]:
        if not isinstance(node.get(k), dict):
            node[k] = {}
        node = node[k]
    node[keys[-1]] = value
    return root


class Pages:
    """Builds page bodies for one endpoint from its catalogue example."""

    def __init__(self, ep: SpecEndpoint, mock: MockBilibili) -> None:
        self.ep = ep
        self.pager = _pager(ep)
        self.example = copy.deepcopy(mock.examples[f"{ep.namespace}.{ep.name}"])
        payload = payload_of(ep, self.example)
        model = expected_type(ep).model
        instance = _validator(model)(payload)
        self.items_keys = _wire_path(instance, self.pager.items)
        items = payload
        for k in self.items_keys:
            items = items[k]
        assert items, f"{ep.name}: the example has no item to copy"
        self.template = items[0]
        self.total_keys = _wire_path(instance, self.pager.total) if self.pager.total else None
        self.more_keys = _wire_path(instance, self.pager.has_more) if self.pager.has_more else None
        self.next_keys = _wire_path(instance, self.pager.next) if self.pager.next else None
        # has_more comes as a bool or as 0/1: answer in the example's kind
        more = payload
        for k in self.more_keys or []:
            more = more.get(k) if isinstance(more, dict) else None
        self.more_as_int = isinstance(more, int) and not isinstance(more, bool)

    def body(self, numbers: list[int], *, more: bool, next_cursor: Any = None) -> Any:
        body = copy.deepcopy(self.example)
        if self.ep.envelope == "none":
            payload = body
        else:
            key = self.ep.envelope if self.ep.envelope in body else "result"
            payload = body[key]
        items = [{**copy.deepcopy(self.template), PROBE: n} for n in numbers]
        payload = _put(payload, self.items_keys, items)
        if self.total_keys is not None:
            payload = _put(payload, self.total_keys, TOTAL)
        if self.more_keys is not None:
            payload = _put(payload, self.more_keys, int(more) if self.more_as_int else more)
        if self.next_keys is not None:
            payload = _put(payload, self.next_keys, next_cursor)
        if self.ep.envelope == "none":
            return payload
        body[key] = payload
        return body


def _probe(item: Any) -> Any:
    if isinstance(item, BaseModel):
        return (item.model_extra or {}).get(PROBE)
    return item.get(PROBE) if isinstance(item, dict) else None


def _param(ep: SpecEndpoint, name: str | None) -> Any:
    return next(p for p in ep.params if p.name == name)


def _credential() -> Credential:
    return Credential(sessdata=SESSDATA, bili_jct=BILI_JCT, dedeuserid=2)


class Walk:
    """One scenario: the kwargs of the iter call and what it must yield and ask for."""

    def __init__(
        self, kwargs: dict[str, Any], limit: int | None, items: list[int], asked: list[Any]
    ):
        self.kwargs = kwargs
        self.limit = limit
        self.items = items
        self.asked = asked


def page_walks(
    ep: SpecEndpoint, pages: Pages
) -> tuple[Callable[[RecordedRequest], Any], list[Walk]]:
    pg = ep.paginate
    assert pg is not None
    wire = _param(ep, pg.page).wire
    base = kwargs_for(ep)
    if pg.page_size:
        p = _param(ep, pg.page_size)
        base[pg.page_size] = max(PAGE_SIZE, p.min or 1)
    start = base.get(pg.page) or pg.first_page
    base[pg.page] = start
    numbered = {start + i: list(range(sum(LAYOUT[:i]), sum(LAYOUT[: i + 1]))) for i in range(3)}
    last = start + len(LAYOUT) - 1

    def answer(rec: RecordedRequest) -> Any:
        n = int(rec.params[wire])
        return pages.body(numbered.get(n, []), more=n < last)

    signalled = pages.total_keys is not None or pages.more_keys is not None
    everything = [*numbered, *([] if signalled else [last + 1])]
    walks = [
        Walk(dict(base), None, list(range(TOTAL)), everything),
        Walk(dict(base), 4, [0, 1, 2, 3], [start, start + 1]),
        Walk(dict(base), 3, [0, 1, 2], [start]),
        Walk({**base, pg.page: start + 1}, None, list(range(3, TOTAL)), everything[1:]),
    ]
    return answer, walks


def cursor_walks(
    ep: SpecEndpoint, pages: Pages
) -> tuple[Callable[[RecordedRequest], Any], list[Walk]]:
    pg = ep.paginate
    assert pg is not None
    p = _param(ep, pg.cursor)
    cursors: list[Any] = [900, 800] if p.type == "int" else ["c-1", "c-2"]
    base = kwargs_for(ep)
    base.pop(pg.cursor, None)  # the first request carries the default cursor
    first = None if p.default is None else str(p.default)
    by_cursor = {first: 0, str(cursors[0]): 1, str(cursors[1]): 2}
    has_more = pages.more_keys is not None

    def answer(rec: RecordedRequest) -> Any:
        i = by_cursor[rec.params.get(p.wire)]
        numbers = list(range(sum(LAYOUT[:i]), sum(LAYOUT[: i + 1])))
        if i < 2:
            return pages.body(numbers, more=True, next_cursor=cursors[i])
        # the last page: has_more false (and a next cursor that must not be followed), or no
        # next cursor where there is no has_more
        stop: Any = ("c-3" if p.type != "int" else 700) if has_more else 0
        return pages.body(numbers, more=False, next_cursor=stop)

    asked = [first, str(cursors[0]), str(cursors[1])]
    walks = [
        Walk(dict(base), None, list(range(TOTAL)), asked),
        Walk(dict(base), 4, [0, 1, 2, 3], asked[:2]),
        Walk({**base, pg.cursor: cursors[0]}, None, list(range(3, TOTAL)), asked[1:]),
    ]
    return answer, walks


def _scenarios(
    ep: SpecEndpoint,
) -> tuple[MockBilibili, Callable[[RecordedRequest], Any], list[Walk], str]:
    mock = MockBilibili()
    pages = Pages(ep, mock)
    assert ep.paginate is not None
    if ep.paginate.style == "page":
        answer, walks = page_walks(ep, pages)
        key = _param(ep, ep.paginate.page).wire
    else:
        answer, walks = cursor_walks(ep, pages)
        key = _param(ep, ep.paginate.cursor).wire
    mock.set_response(f"{ep.namespace}.{ep.name}", answer)
    return mock, answer, walks, key


def _asked(mock: MockBilibili, ep: SpecEndpoint, key: str, since: int) -> list[Any]:
    reqs = [r for r in mock.requests[since:] if r.endpoint == f"{ep.namespace}.{ep.name}"]
    pg = ep.paginate
    assert pg is not None
    if pg.page_size:  # the page size goes with every request, unchanged
        size = _param(ep, pg.page_size).wire
        assert len({r.params.get(size) for r in reqs}) == 1, "page size changed between pages"
    if pg.style == "page":
        return [int(r.params[key]) for r in reqs]
    return [r.params.get(key) for r in reqs]


@pytest.mark.parametrize("ep", PAGED, ids=IDS)
def test_iter_yields_every_item_in_order(ep: SpecEndpoint) -> None:
    mock, _, walks, key = _scenarios(ep)
    assert ep.paginate is not None
    with Client(transport=mock.transport(), credential=_credential()) as bili:
        walk_of = getattr(getattr(bili, ep.namespace), ep.paginate.name)
        for walk in walks:
            since = len(mock.requests)
            items = list(walk_of(**walk.kwargs, limit=walk.limit))
            assert [_probe(x) for x in items] == walk.items, (walk.kwargs, walk.limit)
            assert _asked(mock, ep, key, since) == walk.asked, (walk.kwargs, walk.limit)


@pytest.mark.anyio
@pytest.mark.parametrize("ep", PAGED, ids=IDS)
async def test_async_iter_yields_every_item_in_order(ep: SpecEndpoint) -> None:
    mock, _, walks, key = _scenarios(ep)
    assert ep.paginate is not None
    async with AsyncClient(transport=mock.transport(), credential=_credential()) as bili:
        walk_of = getattr(getattr(bili, ep.namespace), ep.paginate.name)
        for walk in walks:
            since = len(mock.requests)
            items = [x async for x in walk_of(**walk.kwargs, limit=walk.limit)]
            assert [_probe(x) for x in items] == walk.items, (walk.kwargs, walk.limit)
            assert _asked(mock, ep, key, since) == walk.asked, (walk.kwargs, walk.limit)


@pytest.mark.parametrize("ep", PAGED, ids=IDS)
def test_iter_is_lazy_and_typed(ep: SpecEndpoint) -> None:
    """Nothing is fetched before the first item is asked for; items are the declared type."""
    mock, _, walks, _key = _scenarios(ep)
    assert ep.paginate is not None
    with Client(transport=mock.transport(), credential=_credential()) as bili:
        it = getattr(getattr(bili, ep.namespace), ep.paginate.name)(**walks[0].kwargs)
        assert [r for r in mock.requests if r.endpoint] == []
        first = next(it)
    item_type = type(first)
    assert _probe(first) == 0
    assert item_type is not dict or ep.paginate.item_type in ("Any", "dict[str, Any]")


def test_iter_stops_when_the_server_repeats_a_page() -> None:
    """A server that ignores the page number would loop forever; the same page twice ends it."""
    mock = MockBilibili()
    ep = next(e for e in PAGED if (e.namespace, e.name) == ("user", "get_fav_tags"))
    pages = Pages(ep, mock)
    mock.set_response("user.get_fav_tags", lambda rec: pages.body([0, 1], more=True))
    with Client(transport=mock.transport()) as bili:
        assert [_probe(x) for x in bili.user.iter_fav_tags(2)] == [0, 1]
    assert mock.count("user.get_fav_tags") == 2


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "3"])
def test_iter_rejects_a_bad_limit(limit: Any) -> None:
    from bilibili_sdk import ArgsException

    mock = MockBilibili()
    with Client(transport=mock.transport()) as bili:
        with pytest.raises(ArgsException, match="limit: expected a positive int or None") as ei:
            list(bili.user.iter_fav_tags(2, limit=limit))
        assert ei.value.argument == "limit"
    assert mock.requests == []


# ---------------------------------------------------------------- PageState, the shared walker


def _page(items: list[int], **extra: Any) -> dict[str, Any]:
    return {"items": items, **extra}


@pytest.mark.parametrize("stop", [None, "", 0, "same"])
def test_cursor_stops_without_a_new_cursor(stop: Any) -> None:
    from bilibili_sdk._base_client import PageState

    pager = Pager("cursor", items=("items",), next=("next",), has_more=("more",))
    state = PageState(pager, None, None)
    assert state.position is None and state.start is None
    assert state.feed(_page([1, 2], next="c1", more=True)) == [1, 2]
    assert (state.position, state.done) == ("c1", False)
    nxt = "c1" if stop == "same" else stop
    assert state.feed(_page([3], next=nxt, more=True)) == [3]
    assert state.done and state.count == 3


@pytest.mark.parametrize("more", [False, 0])
def test_has_more_false_or_zero_stops(more: Any) -> None:
    from bilibili_sdk._base_client import PageState

    state = PageState(Pager("page", items=("items",), has_more=("more",)), None, None)
    assert state.position == 1
    assert state.feed(_page([1], more=True)) == [1] and not state.done
    assert state.feed(_page([2], more=1)) == [2] and not state.done
    assert state.feed(_page([3], more=more)) == [3] and state.done
    assert state.position == 4


def test_total_counts_whole_pages() -> None:
    from bilibili_sdk._base_client import PageState

    pager = Pager("page", items=("items",), total=("total",))
    state = PageState(pager, 3, None)  # from page 3, 2 per page, 8 in all: pages 3 and 4
    assert state.start == state.position == 3
    assert state.feed(_page([5, 6], total=8)) == [5, 6] and not state.done
    assert state.per_page == 2 and state.position == 4
    assert state.feed(_page([7, 8], total=8)) == [7, 8] and state.done
    state = PageState(pager, None, None)
    assert state.feed(_page([1, 2], total="8")) == [1, 2] and not state.done  # not an int


def test_limit_cuts_a_page_exactly() -> None:
    from bilibili_sdk._base_client import PageState

    state = PageState(Pager("page", items=("items",)), None, 3)
    assert state.feed(_page([1, 2])) == [1, 2] and not state.done
    assert state.feed(_page([3, 4])) == [3] and state.done and state.count == 3
    state = PageState(Pager("page", items=("items",)), None, 2)
    assert state.feed(_page([1, 2])) == [1, 2] and state.done
    state = PageState(Pager("page", items=("items",)), None, 1)  # the smallest limit
    assert state.feed(_page([1, 2])) == [1] and state.done and state.count == 1
