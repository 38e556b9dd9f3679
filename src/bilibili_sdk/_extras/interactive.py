"""Hand-written methods of the `interactive` namespace: walking an interactive video's story.

The graph is fetched one node at a time (`get_edge_info`), breadth-first from the start.
Each choice's condition and action are evaluated with `bilibili_sdk.interactive` (never
`eval`), so a node is reached with the variable values of the first path that gets there,
and a choice whose condition fails on that path is marked unavailable (and not followed
from there). The walk is bounded by `max_nodes`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .. import _validate as _v
from .._exceptions import ArgsException
from ..interactive import condition_holds, run_action

if TYPE_CHECKING:
    from ..models.interactive import InteractiveEdge, InteractiveVariable
    from ..resources.interactive._async import AsyncInteractive
    from ..resources.interactive._sync import Interactive

__all__ = [
    "AsyncInteractiveExtras",
    "GraphChoice",
    "GraphNode",
    "InteractiveExtras",
    "InteractiveGraph",
]

MAX_NODES = 500


@dataclass(frozen=True)
class GraphChoice:
    """A choice at the end of a node: where it leads and when it is offered."""

    to: int
    """The node it leads to (its edge_id)."""
    option: str
    condition: str
    """When it is offered (`$a>=1 && $a<=80`); empty: always."""
    native_action: str
    """What choosing it does to the variables (`$a=$a+1`)."""
    cid: int
    is_default: bool
    is_hidden: bool
    available: bool
    """Whether the condition holds with the node's variables (False also when the
    condition is not one the evaluator accepts)."""


@dataclass(frozen=True)
class GraphNode:
    """A node (模块) of the story, as first reached from the start."""

    edge_id: int
    title: str
    cid: int
    is_leaf: bool
    choices: tuple[GraphChoice, ...]
    variables: dict[str, float] = field(hash=False)
    """The variables when the walk first got here (keyed as the API names them, `$...`)."""
    depth: int = 0
    """Choices made from the start to get here."""


@dataclass
class InteractiveGraph:
    """The story graph of an interactive video, as far as the walk went."""

    bvid: str | None
    aid: int | None
    graph_version: int
    start: int
    nodes: dict[int, GraphNode]
    variables: list[InteractiveVariable]
    """The hidden variables' definitions (names, kinds, starting values)."""
    complete: bool
    """False when `max_nodes` stopped the walk before every reachable node was seen."""

    @property
    def edges(self) -> list[tuple[int, int, GraphChoice]]:
        """Every (from node, to node, choice) of the nodes walked."""
        return [(n.edge_id, c.to, c) for n in self.nodes.values() for c in n.choices]


def _check_max(max_nodes: Any) -> int:
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ArgsException(
            f"max_nodes: expected a positive int, got {max_nodes!r}", argument="max_nodes"
        )
    return max_nodes


def _ids(video: Any, aid: Any, bvid: Any) -> tuple[int | None, str | None]:
    return _v.video(video, aid, bvid)


class _Walk:
    """The breadth-first walk's state, shared by both flavours (they only fetch)."""

    def __init__(self, max_nodes: int, aid: int | None, bvid: str | None) -> None:
        self.max_nodes = max_nodes
        self.aid = aid
        self.bvid = bvid
        self.version = 0
        self.queue: deque[tuple[int | None, dict[str, float], int]] = deque([(None, {}, 0)])
        self.seen: set[int] = set()
        self.definitions: list[InteractiveVariable] = []
        self.start: int | None = None
        self.count = 0
        self.complete = True

    def graph(self, nodes: dict[int, GraphNode]) -> InteractiveGraph:
        return InteractiveGraph(
            self.bvid,
            self.aid,
            self.version,
            self.start or 0,
            nodes,
            self.definitions,
            self.complete,
        )

    def next(self) -> tuple[int | None, dict[str, float], int] | None:
        while self.queue:
            if self.count >= self.max_nodes:
                self.complete = False
                return None
            item = self.queue.popleft()
            if item[0] is None or item[0] not in self.seen:
                if item[0] is not None:
                    self.seen.add(item[0])
                return item
        return None

    def node(self, edge: InteractiveEdge, variables: dict[str, float], depth: int) -> GraphNode:
        if self.start is None:  # the start: the variables' definitions and first values
            self.start = edge.edge_id
            self.seen.add(edge.edge_id)
            self.definitions = list(edge.hidden_vars)
            variables = {v.id_v2: v.value for v in edge.hidden_vars}
        self.count += 1
        choices = []
        for question in edge.edges.questions:
            for c in question.choices:
                try:
                    ok = condition_holds(c.condition, variables)
                    after = run_action(c.native_action, variables) if ok else variables
                except ArgsException:
                    ok, after = False, variables
                choices.append(
                    GraphChoice(
                        to=c.id,
                        option=c.option,
                        condition=c.condition,
                        native_action=c.native_action,
                        cid=c.cid,
                        is_default=bool(c.is_default),
                        is_hidden=bool(c.is_hidden),
                        available=ok,
                    )
                )
                if ok and c.id not in self.seen:
                    self.queue.append((c.id, {k: float(v) for k, v in after.items()}, depth + 1))
        cid = edge.story_list[-1].cid if edge.story_list else 0
        for step in edge.story_list:
            if step.edge_id == edge.edge_id:
                cid = step.cid
        return GraphNode(
            edge_id=edge.edge_id,
            title=edge.title,
            cid=cid,
            is_leaf=bool(edge.is_leaf),
            choices=tuple(choices),
            variables=dict(variables),
            depth=depth,
        )


class InteractiveExtras:
    """Story-graph walking for `Client.interactive`."""

    @property
    def _api(self) -> Interactive:
        return cast("Interactive", self)

    def _version(self, aid: int | None, bvid: str | None) -> int:
        client: Any = self._api._client
        pages = client.video.get_pages(aid=aid, bvid=bvid)
        if not pages:
            raise ArgsException("video: it has no parts", argument="video")
        player = self._api.get_graph_version(aid=aid, bvid=bvid, cid=pages[0].cid)
        return player.interaction.graph_version

    def _start(
        self, video: Any, aid: Any, bvid: Any, graph_version: int | None, max_nodes: Any
    ) -> _Walk:
        aid_, bvid_ = _ids(video, aid, bvid)
        walk = _Walk(_check_max(max_nodes), aid_, bvid_)
        walk.version = self._version(aid_, bvid_) if graph_version is None else graph_version
        return walk

    def _nodes(self, walk: _Walk) -> Iterator[GraphNode]:
        while (item := walk.next()) is not None:
            edge_id, variables, depth = item
            edge = self._api.get_edge_info(
                aid=walk.aid, bvid=walk.bvid, graph_version=walk.version, edge_id=edge_id
            )
            yield walk.node(edge, variables, depth)

    def iter_nodes(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        graph_version: int | None = None,
        max_nodes: int = MAX_NODES,
    ) -> Iterator[GraphNode]:
        """Walk the story breadth-first from the start, yielding each node once.

        Args:
            video: the video, a BV id or an av number (or `aid=` / `bvid=`).
            aid: the av number, instead of `video`.
            bvid: the BV id, instead of `video`.
            graph_version: the story graph's version; looked up (first part's player
                data) when not given.
            max_nodes: nodes to fetch at most (one request each).
        """
        walk = self._start(video, aid, bvid, graph_version, max_nodes)
        yield from self._nodes(walk)

    def get_graph(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        graph_version: int | None = None,
        max_nodes: int = MAX_NODES,
    ) -> InteractiveGraph:
        """The whole story graph (as far as `max_nodes` allows): nodes, choices, variables.

        Args:
            video: the video, a BV id or an av number (or `aid=` / `bvid=`).
            aid: the av number, instead of `video`.
            bvid: the BV id, instead of `video`.
            graph_version: the story graph's version; looked up when not given.
            max_nodes: nodes to fetch at most (one request each).
        """
        walk = self._start(video, aid, bvid, graph_version, max_nodes)
        return walk.graph({node.edge_id: node for node in self._nodes(walk)})


class AsyncInteractiveExtras:
    """Story-graph walking for `AsyncClient.interactive`."""

    @property
    def _api(self) -> AsyncInteractive:
        return cast("AsyncInteractive", self)

    async def _version(self, aid: int | None, bvid: str | None) -> int:
        client: Any = self._api._client
        pages = await client.video.get_pages(aid=aid, bvid=bvid)
        if not pages:
            raise ArgsException("video: it has no parts", argument="video")
        player = await self._api.get_graph_version(aid=aid, bvid=bvid, cid=pages[0].cid)
        return player.interaction.graph_version

    async def _start(
        self, video: Any, aid: Any, bvid: Any, graph_version: int | None, max_nodes: Any
    ) -> _Walk:
        aid_, bvid_ = _ids(video, aid, bvid)
        walk = _Walk(_check_max(max_nodes), aid_, bvid_)
        walk.version = await self._version(aid_, bvid_) if graph_version is None else graph_version
        return walk

    async def _nodes(self, walk: _Walk) -> AsyncIterator[GraphNode]:
        while (item := walk.next()) is not None:
            edge_id, variables, depth = item
            edge = await self._api.get_edge_info(
                aid=walk.aid, bvid=walk.bvid, graph_version=walk.version, edge_id=edge_id
            )
            yield walk.node(edge, variables, depth)

    async def iter_nodes(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        graph_version: int | None = None,
        max_nodes: int = MAX_NODES,
    ) -> AsyncIterator[GraphNode]:
        """Walk the story breadth-first from the start, yielding each node once.

        Args:
            video: the video, a BV id or an av number (or `aid=` / `bvid=`).
            aid: the av number, instead of `video`.
            bvid: the BV id, instead of `video`.
            graph_version: the story graph's version; looked up when not given.
            max_nodes: nodes to fetch at most (one request each).
        """
        walk = await self._start(video, aid, bvid, graph_version, max_nodes)
        async for node in self._nodes(walk):
            yield node

    async def get_graph(
        self,
        video: str | int | None = None,
        /,
        *,
        aid: int | None = None,
        bvid: str | None = None,
        graph_version: int | None = None,
        max_nodes: int = MAX_NODES,
    ) -> InteractiveGraph:
        """The whole story graph (as far as `max_nodes` allows): nodes, choices, variables.

        Args:
            video: the video, a BV id or an av number (or `aid=` / `bvid=`).
            aid: the av number, instead of `video`.
            bvid: the BV id, instead of `video`.
            graph_version: the story graph's version; looked up when not given.
            max_nodes: nodes to fetch at most (one request each).
        """
        walk = await self._start(video, aid, bvid, graph_version, max_nodes)
        return walk.graph({node.edge_id: node async for node in self._nodes(walk)})
