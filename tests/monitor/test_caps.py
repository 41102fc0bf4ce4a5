"""The typologies' caps (issue 17 item 7): each keeps memory and work bounded, is counted in
``features.caps`` and noted in the alerts it may have changed; the counts kept as rows come
and go equal a recount of the window."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.monitor.features import Features
from regtech_engine.monitor.generate import GeneratorConfig, write_dataset
from regtech_engine.monitor.ingest import to_tx
from regtech_engine.monitor.limits import Limits
from regtech_engine.monitor.rates import Rates
from regtech_engine.monitor.rules import MonitoringPack
from regtech_engine.monitor.runner import RunOptions, run
from regtech_engine.monitor.windows import EvidenceFn

from .conftest import RunRows, row, suspicious

DAY = dt.datetime(2025, 9, 1, 9)
Doc = dict[str, Any]


def _params(pack: MonitoringPack, **changes: Any) -> dict[str, Any]:
    params = dict(pack.context(DAY.date()).params)
    params.update({f"monitor.{k.replace('__', '.')}": v for k, v in changes.items()})
    return params


def _observe(
    features: Features, rows: Iterable[dict[str, Any]], params: Mapping[str, Any]
) -> Iterator[tuple[Doc, dict[str, EvidenceFn]]]:
    for n, r in enumerate(rows):
        yield features.observe(to_tx(r, n + 1, Rates()), params)


def _at(minutes: int, **fields: Any) -> dict[str, Any]:
    return row(timestamp=(DAY + dt.timedelta(minutes=minutes)).isoformat(), **fields)


def _pay(minutes: int, src: str, dst: str, amount: str = "3000", **fields: Any) -> dict[str, Any]:
    """One leg: ``src`` pays ``dst`` (each its own customer)."""
    return _at(
        minutes,
        customer_id=f"C{src}",
        account_id=src,
        direction="out",
        channel="transfer",
        amount=amount,
        counterparty_id=dst,
        **fields,
    )


def _receive(minutes: int, dst: str, src: str, **fields: Any) -> dict[str, Any]:
    """One leg: ``dst`` (its own customer) receives from ``src``."""
    return _pay(minutes, dst, src, **fields) | {"direction": "in"}


def _limits_of(ev: EvidenceFn) -> tuple[str, ...]:
    return ev().limits


# -- window_rows ------------------------------------------------------------------------
def test_structuring_window_keeps_the_newest_rows_and_says_so(monitoring_pack: MonitoringPack) -> None:
    f = Features(limits=Limits(window_rows=3))
    amounts = [41000, 42000, 43000, 44000, 45000]
    rows = [_at(i, amount=str(a)) for i, a in enumerate(amounts)]
    out = list(_observe(f, rows, _params(monitoring_pack)))
    doc, ev = out[-1]
    assert (doc["structuring_count"], doc["structuring_total_cny"]) == (3, sum(amounts[-3:]))
    assert "the structuring window of C1 held more than 3 rows" in _limits_of(ev["structuring"])[0]
    assert _limits_of(out[2][1]["structuring"]) == ()  # not capped yet
    # the customer's structuring window and the account's receipts (rapid in-and-out)
    assert f.caps.counts == {"window_rows": 4} and f.caps.examples["window_rows"] == ["C1", "A1"]
    assert len(f.structuring.rows[("C1", "in")]) == 3


def test_rapid_in_out_window_keeps_the_newest_receipts(monitoring_pack: MonitoringPack) -> None:
    f = Features(limits=Limits(window_rows=2))
    ins = [_at(i, channel="transfer", amount="60000", counterparty_id=f"X{i}") for i in range(4)]
    out = _at(10, channel="transfer", direction="out", amount="110000", counterparty_id="Y")
    doc, ev = list(_observe(f, [*ins, out], _params(monitoring_pack)))[-1]
    assert (doc["rapid_in_cny"], doc["rapid_out_pct"]) == (120000, 91)
    assert "rapid in-and-out window of A1" in _limits_of(ev["rapid_in_out"])[0]
    # receipts, first-time payers (fan-in) and the graph's edges into A1: two of each
    assert f.caps.counts["window_rows"] == 6
    assert len(f.rapid_in_out.ins["A1"]) == 2 and len(f.graph.in_edges["A1"]) == 2


def test_fan_windows_keep_the_newest_rows(monitoring_pack: MonitoringPack) -> None:
    f = Features(limits=Limits(window_rows=5))
    outs = [_pay(i, "A1", f"P{i}") for i in range(8)]
    ins = [_receive(20 + i, "B1", f"Q{i}") for i in range(8)]
    docs = list(_observe(f, outs + ins, _params(monitoring_pack)))
    out_doc, out_ev = docs[7]
    assert (out_doc["fan_out_payees"], out_doc["fan_out_non_hub_payees"]) == (5, 5)
    assert "the fan-out window of A1 held more than 5 rows" in _limits_of(out_ev["fan_out"])[0]
    in_doc, in_ev = docs[-1]
    assert in_doc["fan_in_burst_payers"] == 5
    assert "the fan-in window of B1 held more than 5 rows" in _limits_of(in_ev["fan_in"])[0]
    assert len(f.fan.fan_out["A1"]) == 5 and len(f.fan.fan_in["B1"]) == 5
    # fan-out, fan-in, B1's receipts and the graph's edges each way: three rows each
    assert f.caps.counts["window_rows"] == 15 and {"A1", "B1"} <= set(f.caps.examples["window_rows"])


def test_graph_edge_window_is_capped_and_searches_through_it_say_so(monitoring_pack: MonitoringPack) -> None:
    f = Features(limits=Limits(window_rows=3))
    rows = [_pay(i, "A", f"B{i}") for i in range(6)] + [_pay(10, "X", "A")]
    doc, ev = list(_observe(f, rows, _params(monitoring_pack)))[-1]
    assert len(f.graph.out_edges["A"]) == 3 and f.graph.out_lost["A"] > 0
    assert doc["chain_hops"] == 2  # X -> A -> the newest payee kept
    assert "the new-relationship window of A held more than 3 rows" in _limits_of(ev["layering"])[0]


def test_an_alert_from_a_capped_window_says_so(run_rows: RunRows) -> None:
    """Six payments to one payee, then four new payees: the window of five holds five
    distinct payees only because the oldest rows were dropped; the alert says so."""
    rows = [_pay(i, "A1", "P0") for i in range(6)] + [_pay(10 + i, "A1", f"P{i}") for i in range(1, 5)]
    alerts, result = run_rows(rows, limits=Limits(window_rows=5))
    [alert] = suspicious(alerts, "fan_out")
    assert alert["limits"] == ["the fan-out window of A1 held more than 5 rows; counts cover the newest 5"]
    assert result.caps.counts["window_rows"] == 5
    plain, _ = run_rows(rows)
    assert all(a.get("limits") is None for a in plain)


# -- parties ----------------------------------------------------------------------------
def _party_tables(f: Features) -> dict[str, int]:
    g = f.graph
    return {
        "pair_last": len(g.pair_last),
        "transfers_seen": len(g.transfers_seen),
        "largest_cny": len(g.largest_cny),
        "payers_of": len(g.payers_of),
        "out_edges": len(g.out_edges),
        "in_edges": len(g.in_edges),
        "first_paid": len(f.fan.first_paid),
        "gather": len(f.scatter_gather.gather),
        "last_day": len(f.dormant_reactivation.last_day),
    }


def test_party_tables_stay_at_the_cap_and_later_alerts_say_so(monitoring_pack: MonitoringPack) -> None:
    f = Features(limits=Limits(parties=20))
    # own accounts O0..O39 each receive from a new payer and pay a new payee
    rows = []
    for i in range(40):
        rows.append(_receive(2 * i, f"O{i}", f"X{i}"))
        rows.append(_pay(2 * i + 1, f"O{i}", f"Y{i}"))
    most = 0
    evs = []
    for _doc, ev in _observe(f, rows, _params(monitoring_pack)):
        most = max(most, *_party_tables(f).values())
        evs.append(ev)
    assert most <= 20
    forgot = [*f.graph.forgot.values(), f.fan.forgot, f.dormant_reactivation.forgot, f.scatter_gather.forgot]
    assert f.caps.counts["parties"] == sum(forgot) and all(forgot)
    assert set(f.graph.forgot) == {"pair_last", "transfers_seen", "payers_of", "out_edges", "in_edges"}
    assert _limits_of(evs[0]["fan_in"]) == ()
    late_in, late_out = evs[-2]["fan_in"](), evs[-1]["fan_out"]()
    assert any("first_paid table held more than 20 parties" in n for n in late_in.limits)
    assert any("payers_of table" in n and "no hub" in n for n in late_out.limits)


def test_dormant_table_forgets_the_longest_idle(monitoring_pack: MonitoringPack) -> None:
    f = Features(limits=Limits(parties=10))
    p = _params(monitoring_pack)
    old = [
        row(tx_id=f"o{i}", timestamp=f"2025-01-{1 + i:02d}T10:00:00", account_id=f"D{i}") for i in range(12)
    ]
    back = row(tx_id="back", timestamp="2025-09-01T10:00:00", account_id="D11", amount="60000")
    out = list(_observe(f, [*old, back], p))
    assert len(f.dormant_reactivation.last_day) <= 10 and "D0" not in f.dormant_reactivation.last_day
    doc, ev = out[-1]
    assert doc["dormant_days"] > 180
    assert "an account forgotten is not seen as dormant" in _limits_of(ev["dormant_reactivation"])[0]


# -- graph searches ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("limits", "cap", "says"),
    [
        (Limits(graph_visited=4), "graph_visited", "stopped after reaching 4 accounts"),
        (Limits(graph_edges_scanned=3), "graph_edges_scanned", "stopped after examining 3 transfers"),
    ],
)
def test_a_search_stopped_by_a_cap_is_counted_and_noted(
    monitoring_pack: MonitoringPack, limits: Limits, cap: str, says: str
) -> None:
    f = Features(limits=limits)
    rows = [_pay(i, "A", f"B{i}") for i in range(8)] + [_pay(10, "X", "A")]
    doc, ev = list(_observe(f, rows, _params(monitoring_pack)))[-1]
    assert doc["chain_hops"] == 2
    assert any(says in n for n in _limits_of(ev["layering"]))
    assert f.caps.counts[cap] >= 1 and "A" in f.caps.examples[cap]


def _dense(n: int, accounts: int) -> Iterator[dict[str, Any]]:
    """Many accounts all newly paying each other within a few days."""
    rnd = random.Random(7)
    seen: set[tuple[int, int]] = set()
    while len(seen) < n:
        a, b = rnd.randrange(accounts), rnd.randrange(accounts)
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        yield _pay(len(seen) * 3 * 24 * 60 // n, f"A{a}", f"A{b}", str(1000 + len(seen) % 97))


def test_a_dense_graph_of_new_relationships_does_not_stall(monitoring_pack: MonitoringPack) -> None:
    """20,000 new relationships among 2,000 accounts in three days (each search could reach
    them all; it stalled the feature layer): bounded by the default search caps, and reported."""
    f = Features(limits=Limits())
    start = time.process_time()  # the CPU it takes: other processes may share the machine
    noted = 0
    for _doc, ev in _observe(f, _dense(20_000, 2_000), _params(monitoring_pack)):
        noted += "layering" in ev and any("graph search from" in n for n in ev["layering"]().limits)
    assert time.process_time() - start < 60  # generous: about 10 s here
    assert f.caps.counts["graph_visited"] > 10_000 and noted > 10_000


# -- incremental counts ------------------------------------------------------------------
def _naive_fan(f: Features, tx_account: str, doc: Doc, direction: str, w: Any, epoch: int) -> None:
    """The counts recomputed from the window's rows, as the feature layer did before."""
    if direction == "out":
        rows = f.fan.fan_out[tx_account].rows
        payees = {r[1] for r in rows}
        payers_of = f.graph.payers_of
        non_hub = sum(1 for a in payees if (s := payers_of.get(a)) is None or s[1] is not None)
        assert (doc["fan_out_payees"], doc["fan_out_non_hub_payees"]) == (len(payees), non_hub)
    elif "fan_in_burst_payers" in doc:
        q = f.fan.fan_in[tx_account].rows
        recent = epoch - w.burst_in
        judged = f.graph.history_start + w.history
        sustained = max(judged, epoch - w.new_payer) if epoch >= judged else recent
        assert doc["fan_in_burst_payers"] == len({r[1] for r in q if r[0] >= recent})
        if epoch >= judged:
            assert doc["fan_in_new_payers"] == len({r[1] for r in q if r[0] >= sustained})


@pytest.mark.parametrize("seed", range(6))
def test_incremental_counts_equal_a_recount_of_the_window(monitoring_pack: MonitoringPack, seed: int) -> None:
    """Random transfers among few accounts, some of them declared merchants, payees turning
    into hubs (3 payers) and forgotten (a short party memory, weekly sweeps), small caps."""
    rnd = random.Random(seed)
    p = _params(
        monitoring_pack,
        fan__hub_min_payers=3,
        history__party_memory_days=3,
        history__min_days=2,
        fan_in__burst_hours=6,
        fan_in__new_payer_window_days=2,
        fan__window_days=2,
    )
    f = Features(limits=Limits(window_rows=rnd.choice([4, 50]), parties=rnd.choice([6, 1000])))
    w = f._windows(p)
    minute, last_sweep = 0, 0
    for n in range(1_500):
        minute += rnd.choice([1, 5, 60, 300])
        a, b = f"A{rnd.randrange(12)}", f"A{rnd.randrange(12)}"
        if a == b:
            continue
        direction = rnd.choice(["in", "out"])
        seg = {"customer_segment": "merchant"} if a in ("A0", "A1") else {}
        r = _pay(minute, a, b, str(rnd.choice([45000, 3000])), tx_id=f"r{n}", **seg)
        r |= {"direction": direction, "channel": rnd.choice(["transfer", "transfer", "cash"])}
        tx = to_tx(r, n + 1, Rates())
        doc, _ = f.observe(tx, p)
        _naive_fan(f, a, doc, direction, w, tx.epoch)
        if "structuring_count" in doc:
            q = f.structuring.rows[(tx.customer_id, tx.direction)]
            assert doc["structuring_total_cny"] == sum(r[2] for r in q.rows)
        if minute - last_sweep > 7 * 24 * 60 // 4:
            f.sweep(tx.epoch, p)
            last_sweep = minute


def test_a_resumed_run_with_caps_hit_equals_an_uninterrupted_one(
    tmp_path: Path, monitoring_pack: MonitoringPack, rates: Rates
) -> None:
    """The caps' state (windows that dropped rows, tables that forgot, hub counts) is
    checkpointed: stop and resume give the same alerts, notes and cap counts."""
    source = write_dataset(tmp_path / "gen", GeneratorConfig(n=3000, seed=11, plants=2, days=12))[0]
    tight = Limits(window_rows=3, parties=40, graph_visited=2, graph_edges_scanned=2)
    whole = tmp_path / "whole.jsonl"
    expected = run(RunOptions(str(source), monitoring_pack, rates, output=whole, limits=tight))
    assert {"window_rows", "parties", "graph_visited"} <= set(expected.caps.counts)
    assert "limits" in whole.read_text(encoding="utf-8")
    out, ckpt = tmp_path / "part.jsonl", tmp_path / "ckpt"
    options: dict[str, Any] = dict(output=out, checkpoint=ckpt, checkpoint_every=400, limits=tight)
    run(RunOptions(str(source), monitoring_pack, rates, stop_after=1234, **options))
    resumed = run(RunOptions(str(source), monitoring_pack, rates, resume=True, **options))
    assert out.read_text(encoding="utf-8") == whole.read_text(encoding="utf-8")
    assert resumed.caps == expected.caps
