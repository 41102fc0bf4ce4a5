"""Monitoring on Ray: the same alerts as the single process, an actor killed mid-run too.

One local Ray cluster for the module (started once, a few seconds), small data.
"""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import signal
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regtech_engine.language import ir
from regtech_engine.monitor.documents import TransactionFeatures
from regtech_engine.monitor.features import ALL_STEPS, FIELD_TYPOLOGY, steps_for
from regtech_engine.monitor.generate import SUSPICIOUS, GeneratorConfig, write_dataset
from regtech_engine.monitor.limits import Limits
from regtech_engine.monitor.rates import load_rates
from regtech_engine.monitor.rules import MonitoringPack
from regtech_engine.monitor.runner import RunOptions, run

from .conftest import RATES_YAML, row, write_jsonl

ray = pytest.importorskip("ray")

from regtech_engine.monitor.distributed import (  # noqa: E402
    CROSS_CUSTOMER,
    PER_CUSTOMER,
    RayOptions,
    partition_of,
    run_distributed,
    split_pack,
)

AMLSIM = Path(__file__).resolve().parent.parent / "data" / "amlsim_sample"


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    ray.init(num_cpus=4, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    try:
        yield
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every typology planted, with history before it, in a few thousand rows."""
    return write_dataset(tmp_path_factory.mktemp("gen"), GeneratorConfig(n=4000, seed=11, plants=2, days=12))


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _key(a: dict[str, Any]) -> tuple[str, ...]:
    return (a["business_date"], a["kind"], a["alert_id"])


def _single(source: Path, rates: Path, pack: MonitoringPack, out: Path) -> list[dict[str, Any]]:
    run(RunOptions(str(source), pack, load_rates(rates), output=out))
    return _lines(out)


def _on_ray(
    source: Path, rates: Path, pack: MonitoringPack, out: Path, **options: Any
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    _, figures = run_distributed(
        RunOptions(str(source), pack, load_rates(rates), output=out),
        RayOptions(**{"workers": 2, "batch": 300, **options}),
    )
    return _lines(out), figures


def test_partitions_are_stable_and_the_pack_is_split(monitoring_pack: MonitoringPack) -> None:
    assert partition_of("C000123", 7) == partition_of("C000123", 7)
    assert {partition_of(f"C{i}", 3) for i in range(50)} == {0, 1, 2}
    graph, local = split_pack(monitoring_pack)
    assert {r.typology for r in graph.rules} == set(CROSS_CUSTOMER)
    assert {r.typology for r in local.rules if r.typology} == set(PER_CUSTOMER)
    assert len(graph.rules) + len(local.rules) == len(monitoring_pack.rules)


def test_each_actor_computes_only_what_its_rules_read(monitoring_pack: MonitoringPack) -> None:
    graph, local = split_pack(monitoring_pack)
    assert steps_for(graph.rules) == {"graph", "fan"}
    assert steps_for(local.rules) == ALL_STEPS - {"graph", "fan"}
    assert steps_for(monitoring_pack.rules) == ALL_STEPS  # the single process: everything
    # a rule that reads another typology's feature gets that typology computed too
    [rule] = [r for r in local.rules if r.typology == "structuring"]
    fan_out = ir.Compare(path="fan_out_payees", op=ir.Op.GE, operand=ir.Literal_(value=3))
    reads_fan = dataclasses.replace(rule, when=ir.AllOf(conditions=(rule.when, fan_out)))
    assert steps_for([reads_fan]) == {"structuring", "fan"}
    # every feature field a typology writes is in the table steps_for reads
    base = {"direction", "channel", "customer_type", "peer_group", "category", "cross_border", "amount_cny"}
    unmapped = [
        name
        for name in TransactionFeatures.model_fields
        if name not in base and not any(name.startswith(start) for start, _ in FIELD_TYPOLOGY)
    ]
    assert unmapped == []


def test_same_alerts_as_one_process(
    cluster: None, planted: list[Path], monitoring_pack: MonitoringPack, tmp_path: Path
) -> None:
    source, _, rates = planted
    single = _single(source, rates, monitoring_pack, tmp_path / "one.jsonl")
    spread, figures = _on_ray(source, rates, monitoring_pack, tmp_path / "ray.jsonl")
    assert {a["typology"] for a in single if a["kind"] == "suspicious"} == set(SUSPICIOUS)
    assert any(a["kind"] == "large_value" for a in single)
    assert sorted(spread, key=_key) == sorted(single, key=_key)
    # within a business day the distributed order is canonical; days stay in order
    assert [a["business_date"] for a in spread] == sorted(a["business_date"] for a in spread)
    assert figures["restarts"] == 0


def test_the_graph_actor_sees_what_rows_without_counterparty_tell_it(
    cluster: None, monitoring_pack: MonitoringPack, tmp_path: Path
) -> None:
    """The graph actor is sent rows without a counterparty only where its typologies read
    them: the stream's first day (the history starts there) and an account's first day (its
    customer). Two-hop cycles after enough history: A and B belong to one customer, which
    only B's own cash deposit tells (the cycle's legs are all A's rows), so no alert; D and
    E belong to two, so an alert."""

    def leg(tx_id: str, when: str, customer: str, account: str, direction: str, other: str) -> dict[str, Any]:
        return row(
            tx_id=tx_id,
            timestamp=when,
            customer_id=customer,
            account_id=account,
            direction=direction,
            channel="transfer",
            amount="100",
            counterparty_id=other,
        )

    rows = [
        row(tx_id="h0", timestamp="2025-05-01T10:00:00", customer_id="CH", account_id="H"),
        row(tx_id="b0", timestamp="2025-08-01T10:00:00", customer_id="C1", account_id="B"),
        leg("ab", "2025-09-01T10:00:00", "C1", "A", "out", "B"),
        leg("ba", "2025-09-02T10:00:00", "C1", "A", "in", "B"),
        leg("de", "2025-09-01T11:00:00", "CD", "D", "out", "E"),
        leg("ed", "2025-09-02T11:00:00", "CD", "D", "in", "E"),
        row(tx_id="e0", timestamp="2025-09-03T10:00:00", customer_id="CE", account_id="E"),
    ]
    source = write_jsonl(tmp_path / "rows.jsonl", rows)
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_YAML, encoding="utf-8")
    single = _single(source, rates, monitoring_pack, tmp_path / "one.jsonl")
    spread, _ = _on_ray(source, rates, monitoring_pack, tmp_path / "ray.jsonl")
    assert [a["accounts"] for a in single if a["typology"] == "cycle"] == [["D", "E"]]
    assert sorted(spread, key=_key) == sorted(single, key=_key)


def test_amlsim_sample(cluster: None, monitoring_pack: MonitoringPack, tmp_path: Path) -> None:
    source, rates = AMLSIM / "transactions.csv.gz", AMLSIM / "rates.yaml"
    single = _single(source, rates, monitoring_pack, tmp_path / "one.jsonl")
    spread, _ = _on_ray(source, rates, monitoring_pack, tmp_path / "ray.jsonl", workers=3)
    assert single and sorted(spread, key=_key) == sorted(single, key=_key)


@pytest.mark.parametrize("victim", ["graph", "part-1"])
def test_an_actor_killed_mid_run_is_restarted_from_its_checkpoint(
    cluster: None, planted: list[Path], monitoring_pack: MonitoringPack, tmp_path: Path, victim: str
) -> None:
    source, _, rates = planted
    single = _single(source, rates, monitoring_pack, tmp_path / "one.jsonl")
    killed: list[int] = []

    def kill(batch: int, actors: dict[str, Any]) -> None:
        if batch == 7 and not killed:  # after a checkpoint (every 3 batches), mid-way
            pid = ray.get(actors[victim].pid.remote())
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    spread, figures = _on_ray(
        source,
        rates,
        monitoring_pack,
        tmp_path / "ray.jsonl",
        snapshot_every=3,
        on_batch=kill,
        checkpoint=tmp_path / "ckpt",
    )
    assert killed and figures["restarts"] == 1
    assert sorted(spread, key=_key) == sorted(single, key=_key)  # none lost, none doubled
    assert (tmp_path / "ckpt" / f"{victim}.ckpt").is_file()


def test_caps_hit_in_the_actors_reach_the_summary_once_an_actor_restarted_too(
    cluster: None, planted: list[Path], monitoring_pack: MonitoringPack, tmp_path: Path
) -> None:
    """The limits section counts the hits inside the actors as the single process does; the
    graph actor killed after a checkpoint replays batches that hit caps again: not counted
    twice. (Not ``parties`` nor ``ledger_briefs``: each actor's tables and ledger hold its
    own parties and rows, so the same cap is hit elsewhere than in the single process.)"""
    source, _, rates = planted
    tight = Limits(window_rows=3, graph_visited=2, graph_edges_scanned=2)
    one = run(
        RunOptions(
            str(source), monitoring_pack, load_rates(rates), output=tmp_path / "one.jsonl", limits=tight
        )
    )
    assert set(one.caps.counts) == {"window_rows", "graph_visited", "graph_edges_scanned"}
    killed: list[int] = []

    def kill(batch: int, actors: dict[str, Any]) -> None:
        if batch == 7 and not killed:
            killed.append(ray.get(actors["graph"].pid.remote()))
            os.kill(killed[0], signal.SIGKILL)

    spread, figures = run_distributed(
        RunOptions(
            str(source), monitoring_pack, load_rates(rates), output=tmp_path / "ray.jsonl", limits=tight
        ),
        RayOptions(workers=2, batch=300, snapshot_every=3, on_batch=kill),
    )
    assert figures["restarts"] == 1
    assert sorted(_lines(tmp_path / "ray.jsonl"), key=_key) == sorted(
        _lines(tmp_path / "one.jsonl"), key=_key
    )
    assert spread.caps.counts == one.caps.counts
    # a cap hit in one actor only names the single process's examples, in its order
    for cap in ("graph_visited", "graph_edges_scanned"):
        assert spread.caps.examples[cap] == one.caps.examples[cap]
    assert set(spread.caps.examples) == set(one.caps.examples)


def test_actors_keep_no_memory_of_ids(monitoring_pack: MonitoringPack, monkeypatch: Any) -> None:
    """The sequencer de-duplicates: an actor computes no fingerprints and remembers no ids
    (a restored one neither); the single process still does."""
    from regtech_engine.monitor import loop
    from regtech_engine.monitor.distributed.engine import MonitorActor, _as_row
    from regtech_engine.monitor.ingest import to_tx
    from regtech_engine.monitor.rates import Rates
    from regtech_engine.monitor.workdays import WorkdayCalendar

    def no_fingerprints(tx: Any) -> int:
        raise AssertionError("an actor computed a fingerprint")

    txs = [
        to_tx(row(tx_id=f"d{i}", timestamp=f"2025-09-0{1 + i // 3}T1{i % 3}:00:00"), i + 1, Rates())
        for i in range(9)
    ]
    days = sorted({tx.business_date for tx in txs})
    plan: list[Any] = []
    for day in days:
        plan += [([], [_as_row(tx) for tx in txs if tx.business_date == day]), day]
    _, local = split_pack(monitoring_pack)
    actor = MonitorActor("part-0", local, WorkdayCalendar(), Limits())
    monkeypatch.setattr(loop, "fingerprint", no_fingerprints)
    actor.apply(1, pickle.dumps(plan))
    assert actor.monitor.closed_through == days[-1] and actor.monitor.stats.transactions == 9
    assert (actor.monitor.seen, actor.monitor.seen_by_day) == ({}, deque())
    restored = MonitorActor("part-0", local, WorkdayCalendar(), Limits(), actor.snapshot()[1])
    assert restored.monitor.dedup is False and restored.monitor.closed_through == days[-1]
    monkeypatch.undo()
    single = loop.Monitor(local)
    for tx in txs:
        single.feed(tx)
    single.finish()
    assert single.dedup and set(single.seen) == {tx.tx_id for tx in txs}


def test_repeated_and_conflicting_ids_are_judged_once(
    cluster: None, planted: list[Path], monitoring_pack: MonitoringPack, tmp_path: Path
) -> None:
    source, _, rates = planted
    rows = source.read_text(encoding="utf-8").splitlines()
    repeated = rows[100:110]  # the same rows again, and the same ids with other amounts
    conflicting = [json.dumps({**json.loads(r), "amount": "1.23"}) for r in rows[200:205]]
    noisy = tmp_path / "noisy.jsonl"
    noisy.write_text("\n".join([*rows, *repeated, *conflicting]) + "\n", encoding="utf-8")
    one = run(
        RunOptions(
            str(noisy),
            monitoring_pack,
            load_rates(rates),
            output=tmp_path / "one.jsonl",
            dead_letter=tmp_path / "one.dead",
        )
    )
    spread, _ = run_distributed(
        RunOptions(
            str(noisy),
            monitoring_pack,
            load_rates(rates),
            output=tmp_path / "ray.jsonl",
            dead_letter=tmp_path / "ray.dead",
        ),
        RayOptions(workers=2, batch=300),
    )
    assert (one.stats.duplicates, one.stats.dead) == (10, 5)
    assert (spread.stats.transactions, spread.stats.duplicates, spread.stats.dead, spread.stats.alerts) == (
        one.stats.transactions,
        10,
        5,
        one.stats.alerts,
    )
    assert (tmp_path / "ray.dead").read_bytes() == (tmp_path / "one.dead").read_bytes()
    assert sorted(_lines(tmp_path / "ray.jsonl"), key=_key) == sorted(
        _lines(tmp_path / "one.jsonl"), key=_key
    )


def test_command_line(cluster: None, cli: Any, planted: list[Path], tmp_path: Path) -> None:
    """``regtech monitor run --engine ray`` writes the single process's alerts (it joins
    the Ray runtime already started here) and the same summary."""
    source, _, rates = planted
    common = ["monitor", "run", str(source), "--rates", str(rates), "--output"]
    local = cli(*common, str(tmp_path / "one.jsonl"))
    spread = cli(*common, str(tmp_path / "ray.jsonl"), "--engine", "ray", "--workers", "2")
    assert (local.code, spread.code) == (0, 0)
    single = _lines(tmp_path / "one.jsonl")
    assert single and sorted(_lines(tmp_path / "ray.jsonl"), key=_key) == sorted(single, key=_key)
    assert spread.err == local.err
