"""Scatter-gather: money from one source that reaches one account through several
intermediaries within ``monitor.scatter_gather.window_days``.

On each new transfer relay -> dst, every source that paid the relay in the window is
paired with dst; per (dst, source) the relays are kept, and the document gets the largest
number of relays of any source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..records import Tx
from ..windows import Evidence, EvidenceFn, Windows, prune
from ._graph import Edge, Graph, ev_edges

Relays = dict[str, tuple[int, tuple[Edge, Edge]]]  # relay -> time, (source -> relay -> dst)


def _ev_gather(source: str, relays: Relays, end: int, dst: str) -> Evidence:
    start = min(ts for ts, _ in relays.values())
    return ev_edges(
        tuple(edges for _, (_, edges) in sorted(relays.items())),
        start,
        end,
        dst,
        [source, *sorted(relays), dst],
    )


@dataclass
class ScatterGather:
    # (destination, source) -> the relays money went through
    gather: dict[tuple[str, str], Relays] = field(default_factory=dict)

    def observe(
        self,
        tx: Tx,
        graph: Graph,
        src: str,
        dst: str,
        closing: Edge,
        w: Windows,
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
    ) -> None:
        best = self._gather(graph, src, dst, closing, tx, w)
        if best is not None:
            source, relays = best
            doc["gather_intermediaries"] = len(relays)
            # a copy now (later rows change the relays); the evidence is built only on a firing
            ev["scatter_gather"] = partial(_ev_gather, source, dict(relays), tx.epoch, dst)

    def _gather(
        self, graph: Graph, src: str, dst: str, closing: Edge, tx: Tx, w: Windows
    ) -> tuple[str, Relays] | None:
        """Sources whose money reached ``dst`` through several intermediaries, ``src`` one."""
        ins = graph.in_edges.get(src)
        if not ins:
            return None
        cutoff = tx.epoch - w.gather
        prune(ins, tx.epoch - w.graph)
        gather = self.gather
        best: tuple[str, Relays] | None = None
        for epoch, source, edge in ins:  # all at or before tx: rows come in time order
            if epoch < cutoff or source in (dst, src):
                continue
            relays = gather.get((dst, source))
            if relays is None:
                relays = gather[(dst, source)] = {}
            relays[src] = (epoch, (edge, closing))
            if len(relays) > 1:  # a lone relay is the fresh one; stale ones go at the sweep
                for relay in [r for r, (ts, _) in relays.items() if ts < cutoff]:
                    del relays[relay]
            if best is None or (len(relays), source) > (len(best[1]), best[0]):
                best = (source, relays)  # read at once by observe, before anything changes
        return best

    def sweep(self, now: int, w: Windows) -> None:
        sg = now - w.gather
        for gkey in list(self.gather):
            relays = self.gather[gkey]
            for relay in [r for r, (ts, _) in relays.items() if ts < sg]:
                del relays[relay]
            if not relays:
                del self.gather[gkey]
