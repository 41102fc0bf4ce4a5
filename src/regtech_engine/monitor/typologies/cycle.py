"""Cycle: money that comes back to where it started, across customers, within
``monitor.cycle.window_days`` and ``monitor.cycle.max_hops`` transfers.

Found from each new relationship src -> dst (the graph's edges): the shortest way back
dst -> ... -> src, through the account where a search ahead from dst and a search back
from src meet soonest (they meet in the middle: half the depth each, far fewer accounts
than one search the whole length). The searches are made once per new transfer by the
feature layer and shared with layering. No state of its own: it reads the graph.

Caps: those of the graph's searches and tables (``_graph.py``: ``window_rows``,
``graph_visited``, ``graph_edges_scanned``, ``parties``). An alert whose searches stopped
at a cap, expanded an account whose window lost edges, or came after the graph forgot
parties early, lists why in its ``limits``: the cycle found is real, but a shorter one or
more quiet accounts may lie beyond what was searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from ..records import Tx
from ..windows import HOUR, EvidenceFn
from ._graph import Edge, Graph, Notes, Parents, ev_edges, path


@dataclass
class Cycle:
    def observe(
        self,
        tx: Tx,
        graph: Graph,
        closing: Edge,
        dst: str,
        ahead: Parents,
        back: Parents,
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
        notes: Notes = (),
    ) -> None:
        cycle = self._find(graph, closing, ahead, back)
        if cycle is None:
            return
        accounts = [dst] + [e.other for e in cycle[:-1]]  # dst is where money returns
        start = min(e.epoch for e in cycle)
        doc["cycle_hops"] = len(cycle)
        doc["cycle_hours"] = -((start - tx.epoch) // HOUR)  # started this many hours ago
        doc["cycle_quiet_accounts"] = len({a for e in cycle for a in e.quiet})
        ev["cycle"] = partial(ev_edges, tuple(cycle), start, tx.epoch, dst, accounts, notes)

    @staticmethod
    def _find(graph: Graph, closing: Edge, ahead: Parents, back: Parents) -> list[Edge] | None:
        """The shortest way back, dst -> ... -> src, closed by the new src -> dst: through
        the account where the search from dst and the search back from src meet soonest
        (the first such account in the order reached, of equally short ones)."""
        small, large = (ahead, back) if len(ahead) <= len(back) else (back, ahead)
        best: tuple[int, str] | None = None
        for node, link in small.items():
            if node not in large:
                continue
            other = large[node]
            hops = (link[2] if link else 0) + (other[2] if other else 0)
            if best is None or hops < best[0]:
                best = (hops, node)
        if best is None:
            return None
        found = [*path(ahead, best[1], forward=True), *path(back, best[1], forward=False)]
        accounts = {closing.other} | {e.other for e in found}
        if not graph.across_customers(accounts):  # one customer's own accounts
            return None
        return [*found, closing]
