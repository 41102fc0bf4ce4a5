"""The monitor's memory and work caps, and the record of where they were hit.

A customer with millions of transactions a day, or millions of distinct counterparties,
must not exhaust memory or stall a search. Each structure that could grow with the stream
has a cap here. Where a cap only moves data to disk the results are exact; where it drops
data (the oldest rows of a window, parties forgotten early, a search stopped short), the
hit is counted in ``CapHits`` (reported in the run summary) and every alert whose evidence
it touched says so in ``Alert.limits``: a truncation is never silent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
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
    graph_visited: int = 400  # accounts one graph search may reach (normal searches: < 10)
    graph_edges_scanned: int = 2_000  # edges one graph search may examine

    def with_values(self, pairs: Iterable[str]) -> Limits:
        """These caps with ``NAME=VALUE`` pairs applied (the command line's ``--limit``);
        ValueError naming the pair for an unknown name or a value that is no count >= 1."""
        names = [f.name for f in dataclasses.fields(self)]
        changes: dict[str, int] = {}
        for pair in pairs:
            name, eq, text = pair.partition("=")
            name = name.strip()
            if not eq or name not in names:
                raise ValueError(f"{pair!r}: expected NAME=VALUE with NAME one of {', '.join(names)}")
            try:
                value = int(text.strip().replace(",", ""))
            except ValueError:
                value = 0
            if value < 1:
                raise ValueError(f"{pair!r}: {name} takes a whole number of at least 1")
            changes[name] = value
        return dataclasses.replace(self, **changes)


@dataclass
class CapHits:
    """How often each cap was hit, and the first subjects it was hit for (state: it is
    checkpointed with the monitor, so a resumed run reports the whole stream)."""

    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def hit(self, cap: str, subject: str, n: int = 1) -> None:
        """``cap`` was hit ``n`` times (or for ``n`` rows, ids, briefs: MEANINGS says which)."""
        self.counts[cap] = self.counts.get(cap, 0) + n
        seen = self.examples.setdefault(cap, [])
        if len(seen) < EXAMPLES and subject not in seen:
            seen.append(subject)

    def __bool__(self) -> bool:
        return bool(self.counts)


# cap -> (what its count counts, what a hit means for the results); the run summary's
# "limits" section reads it (a cap missing here is reported with the count alone)
MEANINGS: dict[str, tuple[str, str]] = {
    "day_rows_in_memory": (
        "rows spilled to temporary files",
        "exact: the rows were merged back in order when their day closed",
    ),
    "ledger_briefs": (
        "transaction records evicted from the evidence ledger",
        "alerts naming an evicted transaction list it by tx_id only and say so in 'limits'",
    ),
    "dedup_ids": (
        "tx_ids forgotten early",
        "a repeat of a forgotten row is not recognised: it is monitored again",
    ),
    "day_total_tx_ids": (
        "large-value reports listing the first tx_ids of their total",
        "the total and count are exact; tx_ids and transactions list the first ones and "
        "the alert says so in 'limits'",
    ),
    "window_rows": (
        "rows dropped from full windows",
        "the oldest rows of a window were dropped: affected alerts say so in 'limits'",
    ),
    "parties": (
        "parties forgotten early",
        "parties were forgotten early: a payer may count as new again; affected alerts say so",
    ),
    "graph_visited": (
        "graph searches stopped at the account cap",
        "a graph search stopped short: a longer cycle or chain may be missed; affected alerts say so",
    ),
    "graph_edges_scanned": (
        "graph searches stopped at the transfer cap",
        "a graph search stopped short: a longer cycle or chain may be missed; affected alerts say so",
    ),
}


def describe(caps: CapHits, limits: Limits) -> list[str]:
    """One line per cap hit: the cap and its value, how often, examples, what it means."""
    lines = []
    for cap in sorted(caps.counts):
        unit, meaning = MEANINGS.get(cap, ("times", "see docs/monitoring.md"))
        value = getattr(limits, cap, None)
        at = f" = {value:,}" if isinstance(value, int) else ""
        examples = ", ".join(caps.examples.get(cap, []))
        more = f" (e.g. {examples})" if examples else ""
        lines.append(f"{cap}{at}: {caps.counts[cap]:,} {unit}{more}; {meaning}")
    return lines


__all__ = ["EXAMPLES", "MEANINGS", "CapHits", "Limits", "describe"]
