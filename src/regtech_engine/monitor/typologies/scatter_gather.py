"""Scatter-gather: money from one source that reaches one account through several
intermediaries within ``monitor.scatter_gather.window_days``.

On each new transfer relay -> dst, every source that paid the relay in the window is
paired with dst; per (dst, source) the relays are kept, and the document gets the largest
number of relays of any source.

Caps (``monitor/limits.py``), each counted in the run summary and noted in the alert's
``limits``:

- ``graph_edges_scanned``: the sources of one relay examined per new transfer (its newest
  ones; the relay's new-relationship window itself keeps at most ``window_rows``, see
  ``_graph.py``): "a graph search from <relay> stopped after examining N transfers".
- ``parties``: at most that many (dst, source) pairs are kept; beyond it the least recently
  active are forgotten down to nine tenths of the cap (one hit per pair), and from then on
  the alerts say that relays of forgotten pairs are not counted. The graph's own forgetting
  (new relationships, edges) is noted as for the cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

from ..limits import CapHits, Limits
from ..records import Tx
from ..windows import (
    Evidence,
    EvidenceFn,
    Windows,
    forget_least_active,
    low_water,
    party_note,
    prune,
    window_note,
)
from ._graph import GRAPH_TABLES, STOPPED, Edge, Graph, Notes, ev_edges

Relays = dict[str, tuple[int, tuple[Edge, Edge]]]  # relay -> time, (source -> relay -> dst)
_FORGOTTEN = "relays of (destination, source) pairs forgotten are not counted"


def _ev_gather(source: str, relays: Relays, end: int, dst: str, notes: Notes) -> Evidence:
    start = min(ts for ts, _ in relays.values())
    return ev_edges(
        tuple(edges for _, (_, edges) in sorted(relays.items())),
        start,
        end,
        dst,
        [source, *sorted(relays), dst],
        notes,
    )


def _last(relays: Relays) -> int:
    return max((ts for ts, _ in relays.values()), default=-1)


@dataclass
class ScatterGather:
    # (destination, source) -> the relays money went through
    gather: dict[tuple[str, str], Relays] = field(default_factory=dict)
    forgot: int = 0  # (destination, source) pairs forgotten early (Limits.parties)

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
        limits: Limits,
        caps: CapHits,
    ) -> None:
        found = self._gather(graph, src, dst, closing, tx, w, limits, caps)
        if found is not None:
            (source, relays), notes = found
            doc["gather_intermediaries"] = len(relays)
            # a copy now (later rows change the relays); the evidence is built only on a firing
            ev["scatter_gather"] = partial(_ev_gather, source, dict(relays), tx.epoch, dst, notes)

    def _gather(
        self,
        graph: Graph,
        src: str,
        dst: str,
        closing: Edge,
        tx: Tx,
        w: Windows,
        limits: Limits,
        caps: CapHits,
    ) -> tuple[tuple[str, Relays], Notes] | None:
        """Sources whose money reached ``dst`` through several intermediaries, ``src`` one."""
        ins = graph.in_edges.get(src)
        if not ins:
            return None
        cutoff = tx.epoch - w.gather
        prune(ins, tx.epoch - w.graph)
        notes: list[str] = []
        scan: Any = ins
        if len(ins) > limits.graph_edges_scanned:  # the newest it may examine
            scan = islice(ins, len(ins) - limits.graph_edges_scanned, None)
            caps.hit("graph_edges_scanned", src)
            notes.append(STOPPED["graph_edges_scanned"].format(start=src, cap=limits.graph_edges_scanned))
        gather = self.gather
        best: tuple[str, Relays] | None = None
        for epoch, source, edge in scan:  # all at or before tx: rows come in time order
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
        if best is None:
            return None
        if len(gather) > limits.parties:
            gone = forget_least_active(gather, _last, low_water(limits.parties))
            self.forgot += len(gone)
            caps.hit("parties", "scatter_gather", len(gone))
        if graph.in_lost.get(src, -1) >= cutoff:
            notes.append(window_note("new-relationship", src, limits.window_rows))
        notes.extend(graph.party_notes(GRAPH_TABLES, limits))
        if self.forgot:
            notes.append(party_note("scatter_gather", limits.parties, _FORGOTTEN))
        return best, tuple(notes)

    def sweep(self, now: int, w: Windows) -> None:
        sg = now - w.gather
        for gkey in list(self.gather):
            relays = self.gather[gkey]
            for relay in [r for r, (ts, _) in relays.items() if ts < sg]:
                del relays[relay]
            if not relays:
                del self.gather[gkey]
