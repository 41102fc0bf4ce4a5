"""The feature layer: windowed aggregates over the transaction stream, in plain Python.

durable_rules has no sums, no time windows over data timestamps and no way to expire
partial matches, so the aggregates live here and the rules (evaluated by durable_rules)
compare them with parameters. ``Features`` is only the orchestration: for each transaction
it updates the shared state and calls each typology (``typologies/``, one module each, with
its own state and docstring) in a fixed order:

1. the account's register (``typologies/_graph.py``: customer, declared hubs) and the open
   day's large-value totals (``day_totals.py``);
2. structuring (cash only), rapid in-and-out;
3. for a transfer that opens a new relationship: the graph's searches, shared by cycle,
   scatter-gather and layering, in that order;
4. fan-in and fan-out (after the graph: the payee's hub state is updated by fan);
5. dormant reactivation, high-risk country, sanctions match.

Each document also gets the peer group of the customer (``PEER_GROUPS``): its declared
segment, else its customer type. Rules hold each peer group to its own threshold:
merchants, brokers and escrow accounts pay and receive many counterparties by design.

A monitor given only some rules (a distributed actor) computes only the steps they read
(``steps_for``); by default every step runs.

A feature whose parameters have no value in force on the business date is not computed
(its fields are 0). Windows are pruned as transactions arrive and idle accounts are swept
weekly (each typology's ``sweep``), so memory is bounded by the active windows. Processing
order is the caller's job: it must feed transactions in time order (the loop sorts each
business day).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..language import ir
from .day_totals import DayTotal, DayTotals, TotalKey
from .limits import CapHits, Limits
from .records import Tx
from .screening import Lists
from .typologies._graph import GRAPH_TABLES, Graph
from .typologies.cycle import Cycle
from .typologies.dormant_reactivation import DormantReactivation
from .typologies.fan import Fan
from .typologies.high_risk_country import HighRiskCountry
from .typologies.layering import Layering
from .typologies.rapid_in_out import RapidInOut
from .typologies.sanctions_match import SanctionsMatch
from .typologies.scatter_gather import ScatterGather
from .typologies.structuring import Structuring
from .windows import WINDOW_PARAMS, EvidenceFn, Windows

if TYPE_CHECKING:
    from .rules import MonitoringRule

# declared customer_segment -> the peer group whose thresholds a customer is held to; a row
# that declares none is judged by its customer type (_PEER_BY_TYPE)
PEER_GROUPS: dict[str, str] = {
    "retail": "individual",
    "merchant": "business",
    "business": "business",
    "broker": "intermediary",
    "escrow": "intermediary",
}
_PEER_BY_TYPE: dict[str, str] = {"individual": "individual", "entity": "business"}

# typology -> the step of ``observe`` that computes it: one search of the graph serves
# cycle, layering and scatter-gather; fan computes fan-in and fan-out together
STEP_OF: dict[str, str] = {
    "structuring": "structuring",
    "rapid_in_out": "rapid_in_out",
    "fan_in": "fan",
    "fan_out": "fan",
    "cycle": "graph",
    "layering": "graph",
    "scatter_gather": "graph",
    "dormant_reactivation": "dormant_reactivation",
    "high_risk_country": "high_risk_country",
    "sanctions_match": "sanctions_match",
}
# the start of a feature field's name (documents.TransactionFeatures) -> its typology
FIELD_TYPOLOGY: tuple[tuple[str, str], ...] = (
    ("structuring_", "structuring"),
    ("rapid_", "rapid_in_out"),
    ("fan_in_", "fan_in"),
    ("fan_out_", "fan_out"),
    ("cycle_", "cycle"),
    ("chain_", "layering"),
    ("gather_", "scatter_gather"),
    ("dormant_days", "dormant_reactivation"),
    ("counterparty_high_risk", "high_risk_country"),
    ("sanctions_score", "sanctions_match"),
)
TOTALS = "day_totals"  # the open day's large-value totals, read by day_total rules
ALL_STEPS = frozenset({*STEP_OF.values(), TOTALS})


def steps_for(rules: Iterable[MonitoringRule]) -> frozenset[str]:
    """The steps of ``Features.observe`` these rules read: each rule's typology (its
    evidence), the typologies of the feature fields its condition reads, and the day totals
    for day_total rules. A monitor given only some rules (a distributed actor) computes only
    these; the rest of the document stays at zero, which no rule of its reads."""
    typologies: set[str] = set()
    steps: set[str] = set()
    for rule in rules:
        if rule.on == "day_total":
            steps.add(TOTALS)
        if rule.typology:
            typologies.add(rule.typology)
        for node in ir.walk(rule.when):
            if not isinstance(node, ir.Compare):
                continue
            paths = [node.path]
            if isinstance(node.operand, ir.FieldRef):
                paths.append(node.operand.path)
            typologies.update(t for p in paths for start, t in FIELD_TYPOLOGY if p.startswith(start))
    return frozenset(steps | {STEP_OF[t] for t in typologies})


@dataclass
class Features:
    """The typologies' state and the shared graph; picklable, so a checkpoint holds it."""

    lists: Lists | None = None
    limits: Limits = field(default_factory=Limits)  # configuration, reattached on resume
    caps: CapHits = field(default_factory=CapHits)  # where caps were hit (state)
    steps: frozenset[str] = ALL_STEPS  # what observe computes (steps_for; configuration)
    totals: DayTotals = field(default_factory=DayTotals)
    graph: Graph = field(default_factory=Graph)
    structuring: Structuring = field(default_factory=Structuring)
    rapid_in_out: RapidInOut = field(default_factory=RapidInOut)
    cycle: Cycle = field(default_factory=Cycle)
    scatter_gather: ScatterGather = field(default_factory=ScatterGather)
    layering: Layering = field(default_factory=Layering)
    fan: Fan = field(default_factory=Fan)
    dormant_reactivation: DormantReactivation = field(default_factory=DormantReactivation)
    high_risk_country: HighRiskCountry = field(default_factory=HighRiskCountry)
    sanctions_match: SanctionsMatch = field(default_factory=SanctionsMatch)
    _window_cache: tuple[Mapping[str, Any], Windows] | None = field(default=None, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["lists"] = None  # data from the rule pack, reattached on resume
        state["limits"] = None  # configuration: a resumed run takes the caps it is given
        state["_window_cache"] = None
        state.pop("steps", None)  # configuration: whoever resumes chooses what is computed
        return state

    @property
    def history_start(self) -> int:
        """Time of the first transaction observed (-1: none yet)."""
        return self.graph.history_start

    # ------------------------------------------------------------------------------------
    def observe(self, tx: Tx, p: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, EvidenceFn]]:
        """Update the windows with ``tx``; its feature document (features at zero left out)
        and the evidence behind it."""
        w = self._windows(p)
        steps = self.steps
        ev: dict[str, EvidenceFn] = {}
        if "graph" in steps or "fan" in steps:
            self.graph.see(tx)
        elif self.graph.history_start < 0:  # the rest of Graph.see serves only those two
            self.graph.history_start = tx.epoch
        if TOTALS in steps:
            self.totals.add(tx)
        cny = int(tx.amount_cny)
        doc: dict[str, Any] = {
            "direction": tx.direction,
            "channel": tx.channel,
            "customer_type": tx.customer_type,
            "category": tx.category,
            "cross_border": tx.cross_border,
            "amount_cny": cny,
            "peer_group": PEER_GROUPS.get(tx.customer_segment or "") or _PEER_BY_TYPE[tx.customer_type],
        }  # features are added where they are not zero (rules.zero_sensitive says why)
        if w.structuring is not None and tx.channel == "cash" and "structuring" in steps:
            self.structuring.observe(tx, cny, w.structuring, doc, ev, self.limits, self.caps)
        if w.complete:
            if "rapid_in_out" in steps:
                self.rapid_in_out.observe(tx, cny, w, doc, ev, self.limits, self.caps)
            if tx.counterparty_id:
                if "graph" in steps:
                    self._transfer(tx, w, doc, ev)
                if "fan" in steps:
                    self.fan.observe(tx, w, self.graph, doc, ev, self.limits, self.caps)
        if "dormant_reactivation" in steps:
            dormant = self.dormant_reactivation.observe(tx, ev, self.limits, self.caps)
            if dormant:
                doc["dormant_days"] = dormant
        if (
            tx.counterparty_country is not None
            and "high_risk_country" in steps
            and self.high_risk_country.observe(tx, self.lists, ev)
        ):
            doc["counterparty_high_risk"] = True
        if "sanctions_match" in steps:
            score = self.sanctions_match.observe(tx, self.lists, ev)
            if score:
                doc["sanctions_score"] = score
        return doc, ev

    def _windows(self, p: Mapping[str, Any]) -> Windows:
        """The window parameters of ``p`` as plain numbers (computed once per parameter set)."""
        cached = self._window_cache
        if cached is not None and cached[0] is p:
            return cached[1]
        w = Windows.of(p)
        self._window_cache = (p, w)
        return w

    def take_totals(self) -> dict[TotalKey, DayTotal]:
        """The closed day's totals; the next day starts from nothing."""
        return self.totals.take()

    def _transfer(self, tx: Tx, w: Windows, doc: dict[str, Any], ev: dict[str, EvidenceFn]) -> None:
        """Add the transfer to the graph; if it opens a new relationship, search the graph
        once for cycle, scatter-gather and layering."""
        graph = self.graph
        ends = graph.ends(tx)
        if ends is None:
            return
        src, dst = ends
        limits, caps = self.limits, self.caps
        closing, joined = graph.add_edge(src, dst, tx, w, limits, caps)
        if closing is None or joined:
            return
        # Both searches serve the cycle (they meet in the middle: half the depth each, far
        # fewer accounts than one search the whole length) and, on the same window, the
        # layering chain. Each says why it may be incomplete (a cap hit: usually nothing).
        cutoff, half = tx.epoch - w.cycle, w.max_hops // 2
        ahead, ahead_notes = graph.bfs(dst, cutoff, half, True, limits, caps)
        back, back_notes = graph.bfs(src, cutoff, w.max_hops - 1 - half, False, limits, caps)
        tables = graph.party_notes(GRAPH_TABLES, limits)
        self.cycle.observe(tx, graph, closing, dst, ahead, back, doc, ev, ahead_notes + back_notes + tables)
        self.scatter_gather.observe(tx, graph, src, dst, closing, w, doc, ev, limits, caps)
        depth = w.chain_hops - 1
        if w.chain != w.cycle or depth > w.max_hops - 1 - half:
            cutoff = tx.epoch - w.chain
            ahead, ahead_notes = graph.bfs(dst, cutoff, depth, True, limits, caps)
            back, back_notes = graph.bfs(src, cutoff, depth, False, limits, caps)
        notes = ahead_notes + back_notes + tables
        self.layering.observe(tx, graph, src, dst, closing, depth, ahead, back, doc, ev, notes)

    # -- housekeeping ---------------------------------------------------------------------
    def sweep(self, now: int, p: Mapping[str, Any]) -> None:
        """Drop everything older than its window (called every few day closes)."""
        if not all(name in p for name in WINDOW_PARAMS):
            return
        w = Windows.of(p)
        self.rapid_in_out.sweep(now, w)
        self.structuring.sweep(now, w)
        self.fan.sweep(now, w, self.graph)
        self.graph.sweep(now, w)
        self.scatter_gather.sweep(now, w)
