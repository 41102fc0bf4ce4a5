"""The monitor's memory and work caps, and the record of where they were hit.

A customer with millions of transactions a day, or millions of distinct counterparties,
must not exhaust memory or stall a search. Each structure that could grow with the stream
has a cap here. Where a cap only moves data to disk the results are exact; where it drops
data (the oldest rows of a window, parties forgotten early, a search stopped short), the
hit is counted in ``CapHits`` (reported in the run summary) and every alert whose evidence
it touched says so in ``Alert.limits``: a truncation is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXAMPLES = 5  # subjects (accounts, days) named per cap in the summary


@dataclass(frozen=True)
class Limits:
    """Caps; configuration, not state (a resumed run takes the caps it is given)."""

    day_rows_in_memory: int = 200_000  # rows of an open business day held in memory; beyond,
    # sorted runs spill to temporary files and are merged when the day closes (exact)
    close_chunk: int = 20_000  # feature documents evaluated at once when a day closes
    ledger_briefs: int = 2_000_000  # transaction briefs kept for alert evidence
    dedup_ids: int = 5_000_000  # tx_ids remembered to detect repeats of closed days
    day_total_tx_ids: int = 10_000  # tx_ids listed in one large-value total (all counted)
    window_rows: int = 10_000  # rows one account keeps in one typology's window
    parties: int = 2_000_000  # entries of each party-keyed table (payers, pairs, counts)
    graph_visited: int = 4_000  # accounts one graph search may reach
    graph_edges_scanned: int = 50_000  # edges one graph search may examine


@dataclass
class CapHits:
    """How often each cap was hit, and the first subjects it was hit for (state: it is
    checkpointed with the monitor, so a resumed run reports the whole stream)."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def hit(self, cap: str, subject: str) -> None:
        self.counts[cap] = self.counts.get(cap, 0) + 1
        seen = self.examples.setdefault(cap, [])
        if len(seen) < EXAMPLES and subject not in seen:
            seen.append(subject)

    def __bool__(self) -> bool:
        return bool(self.counts)


__all__ = ["EXAMPLES", "CapHits", "Limits"]
