"""Layering: a chain of new relationships across customers within
``monitor.layering.window_days`` and ``monitor.layering.max_hops`` transfers.

The chain through each new transfer src -> dst that reaches farthest both ways in the
window, in any time order (layering legs are arranged, not relayed one by one); the
document gets its length, the longer of its two sides (the chain there was before this
transfer) and its quiet accounts. No state of its own: it reads the graph's searches.

Caps: those of the graph's searches and tables (``_graph.py``), as for the cycle: an alert
whose searches stopped at a cap (or expanded an account whose window lost edges, or came
after the graph forgot parties early) lists why in its ``limits``: the chain may reach
farther, or through more quiet accounts, than the alert shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from ..records import Tx
from ..windows import EvidenceFn
from ._graph import Edge, Graph, Notes, Parents, ev_edges, farthest, path


@dataclass
class Layering:
    def observe(
        self,
        tx: Tx,
        graph: Graph,
        src: str,
        dst: str,
        new: Edge,
        depth: int,
        ahead: Parents,
        back: Parents,
        doc: dict[str, Any],
        ev: dict[str, EvidenceFn],
        notes: Notes = (),
    ) -> None:
        """The chain of new relationships through ``src -> dst`` that reaches farthest both
        ways in the window, in any time order, and the longer of its two sides."""
        origin = farthest(back, depth)
        before = path(back, origin, forward=False)
        after = path(ahead, farthest(ahead, depth), forward=True)
        if not before and not after:
            return
        prior = max(len(before), len(after))
        # one simple chain: if money already went dst -> ... -> src (this transfer closes a
        # loop: a cycle), the chain starts after dst, and it stops before it would loop
        payers = [origin, *(e.other for e in before)]
        if dst in payers:
            cut = payers.index(dst) + 1
            origin, before = payers[cut], before[cut:]
        room = depth - len(before)
        passed = {origin, *(e.other for e in before)}
        after = after[: next((i for i, e in enumerate(after[:room]) if e.other in passed), room)]
        chain = [*before, new, *after]
        accounts = [origin, *(e.other for e in chain)]
        if not graph.across_customers(accounts):
            return
        doc["chain_hops"] = len(chain)
        doc["chain_prior_hops"] = prior
        doc["chain_quiet_accounts"] = len({a for e in chain for a in e.quiet})
        start = min(e.epoch for e in chain)
        ev["layering"] = partial(ev_edges, tuple(chain), start, tx.epoch, origin, accounts, notes)
