"""Throughput and memory of ``regtech monitor`` beside a plain-Python baseline, in one run.

    python benchmarks/monitor_bench.py [--n 1000000] [--days 90] [--seed 1] [--keep DIR]
        [--data FILE] [--no-ray | --ray-only]

Generates N transactions with planted typologies (``regtech monitor generate``; or reads
``--data``), then, each in a fresh child process so peak memory is its own:

- full pack: ingest -> features -> durable_rules (all monitoring rules) -> alerts;
- the same pack evaluated by the reference evaluator (durable_rules' share);
- baseline: the same large-value logic (validation, Shanghai business day, categories,
  CNY/USD day totals, at-or-above, report_due) in plain Python with no rules engine;
- the distributed monitor on a local Ray cluster with 1 and 2 partitions: the cluster's
  start-up apart, the run, and the stream (from the first batch sent, once the actors are
  ready, to the last answer), each as a ratio to the single process; CPU seconds of the
  single process, the driver and each actor.

Prints transactions/second, peak RSS and RSS samples along the stream (flat = bounded by
the window), and the ratios. Not run by the test suite except as a tiny smoke test.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any


def _rss_mb() -> float:
    with open("/proc/self/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def full_pack(source: str, rates_path: str, n: int, out: Any) -> None:
    from regtech_engine.cli.monitor_cmd import with_rare_gc
    from regtech_engine.monitor.rates import load_rates
    from regtech_engine.monitor.rules import load_pack
    from regtech_engine.monitor.runner import RunOptions, run

    pack = load_pack()
    rates = load_rates(Path(rates_path))
    samples: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu_s()
        start = time.perf_counter()
        options = RunOptions(
            source, pack, rates, output=Path(tmp) / "alerts.jsonl", checkpoint_every=max(1, n // 10)
        )
        result = with_rare_gc(
            lambda: run(  # as the CLI runs it
                options, progress=lambda s: samples.append((s.rows, round(_rss_mb(), 1)))
            )
        )
        elapsed = time.perf_counter() - start
        cpu = _cpu_s() - cpu
    out.send(
        {
            "rows": result.stats.rows,
            "alerts": result.stats.alerts,
            "seconds": elapsed,
            "cpu_s": cpu,
            "peak_mb": _peak_mb(),
            "samples": samples,
        }
    )


def reference_pack(source: str, rates_path: str, n: int, out: Any) -> None:
    """The same pack and feature documents, conditions evaluated by the reference evaluator
    (plain Python) instead of durable_rules: the difference is the engine's share."""
    from regtech_engine.cli.monitor_cmd import with_rare_gc
    from regtech_engine.monitor.rates import load_rates
    from regtech_engine.monitor.rules import load_pack
    from regtech_engine.monitor.runner import RunOptions, run

    pack = load_pack()
    pack.backend = "reference"
    rates = load_rates(Path(rates_path))
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = with_rare_gc(lambda: run(RunOptions(source, pack, rates, output=Path(tmp) / "alerts.jsonl")))
        elapsed = time.perf_counter() - start
    out.send(
        {
            "rows": result.stats.rows,
            "alerts": result.stats.alerts,
            "seconds": elapsed,
            "peak_mb": _peak_mb(),
            "samples": [],
        }
    )


def on_ray(workers: int, source: str, rates_path: str, n: int, out: Any) -> None:
    """The distributed monitor on a local Ray cluster: the cluster's start-up (``ray.init``)
    timed apart from the run, which includes the actors' start-up (they start while the
    driver reads the input) and reports the stream's own seconds, from the first batch sent
    (once the actors are ready) to the last answer."""
    import logging

    import ray

    from regtech_engine.cli.monitor_cmd import with_rare_gc
    from regtech_engine.monitor.distributed import RayOptions, run_distributed
    from regtech_engine.monitor.rates import load_rates
    from regtech_engine.monitor.rules import load_pack
    from regtech_engine.monitor.runner import RunOptions

    pack = load_pack()
    rates = load_rates(Path(rates_path))
    start = time.perf_counter()
    ray.init(num_cpus=workers + 1, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    cluster = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu_s()
        start = time.perf_counter()
        result, figures = with_rare_gc(  # as the CLI runs it
            lambda: run_distributed(
                RunOptions(source, pack, rates, output=Path(tmp) / "alerts.jsonl"),
                RayOptions(workers=workers),
            )
        )
        elapsed = time.perf_counter() - start
        cpu = _cpu_s() - cpu
    ray.shutdown()
    out.send(
        {
            **figures,
            "actors_mb": figures["peak_mb"],
            "rows": result.stats.rows,
            "transactions": result.stats.transactions,
            "alerts": result.stats.alerts,
            "seconds": elapsed,
            "cluster_s": cluster,
            "driver_cpu_s": cpu,
            "peak_mb": _peak_mb(),
            "samples": [],
        }
    )


def traffic(source: str, partitions: int) -> dict[str, float]:
    """The share of transfers between two of the institution's accounts whose customers fall
    in different partitions (the money the graph actor follows across partitions)."""
    from regtech_engine.monitor.distributed import partition_of

    owner: dict[str, str] = {}
    rows: list[tuple[str, str | None]] = []
    with open(source, encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            owner[r["account_id"]] = r["customer_id"]
            rows.append((r["customer_id"], r.get("counterparty_id")))
    internal = [(c, owner[cp]) for c, cp in rows if cp is not None and cp in owner]
    crossing = sum(partition_of(a, partitions) != partition_of(b, partitions) for a, b in internal)
    return {
        "internal_share": len(internal) / max(1, len(rows)),
        "cross_partition_share": crossing / max(1, len(rows)),
    }


def baseline(source: str, rates_path: str, n: int, out: Any) -> None:
    """Large-value reports only, written directly in Python (no feature layer, no engine)."""
    import datetime as dt
    from decimal import Decimal

    import chinese_calendar
    import yaml

    rates = {
        k: (Decimal(str(v["cny"])), Decimal(str(v["usd"])))
        for k, v in yaml.safe_load(Path(rates_path).read_text()).items()
    }
    shanghai = dt.timezone(dt.timedelta(hours=8))
    cny_limit = {
        "cash": 50_000,
        "entity_transfer": 2_000_000,
        "individual_domestic_transfer": 500_000,
        "individual_cross_border_transfer": 200_000,
    }
    usd_limit = {
        "cash": 10_000,
        "entity_transfer": 200_000,
        "individual_domestic_transfer": 100_000,
        "individual_cross_border_transfer": 10_000,
    }

    def due(day: dt.date) -> dt.date:
        left = 5
        while left:
            day += dt.timedelta(days=1)
            left -= chinese_calendar.is_workday(day)
        return day

    start = time.perf_counter()
    totals: dict[tuple[str, str, str, str], list[Any]] = {}
    current: dt.date | None = None
    alerts = rows = 0
    seen: set[str] = set()

    def close() -> int:
        count = 0
        for (customer, direction, category, basis), (total, ids) in sorted(totals.items()):
            limit = (cny_limit if basis == "CNY" else usd_limit)[category]
            if total >= limit:
                assert current is not None
                json.dumps(
                    {
                        "customer_id": customer,
                        "direction": direction,
                        "category": category,
                        "currency_basis": basis,
                        "total": str(total),
                        "tx_ids": sorted(ids),
                        "report_due": due(current).isoformat(),
                    }
                )
                count += 1
        totals.clear()
        return count

    with open(source, encoding="utf-8") as fh:
        for line in fh:
            rows += 1
            r = json.loads(line)
            if r["tx_id"] in seen:
                continue
            seen.add(r["tx_id"])
            amount = Decimal(str(r["amount"]))
            if amount <= 0:
                continue
            stamp = dt.datetime.fromisoformat(r["timestamp"])
            if stamp.tzinfo is None:
                stamp = stamp.replace(tzinfo=shanghai)
            day = stamp.astimezone(shanghai).date()
            if current is not None and day > current:
                alerts += close()
            current = day if current is None or day > current else current
            country = r.get("counterparty_country")
            cross = country is not None and country != "CN"
            category = (
                "cash"
                if r["channel"] == "cash"
                else "entity_transfer"
                if r["customer_type"] == "entity"
                else "individual_cross_border_transfer"
                if cross
                else "individual_domestic_transfer"
            )
            if r["currency"] == "CNY":
                basis, value = "CNY", amount
            else:
                basis, value = "USD", amount * rates[r["currency"]][1]
            entry = totals.setdefault((r["customer_id"], r["direction"], category, basis), [Decimal(0), []])
            entry[0] += value
            entry[1].append(r["tx_id"])
        alerts += close()
    out.send(
        {
            "rows": rows,
            "alerts": alerts,
            "seconds": time.perf_counter() - start,
            "peak_mb": _peak_mb(),
            "samples": [],
        }
    )


def _child(target: Any, *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("fork")  # the parent never loads durable_rules
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(*args, child))
    proc.start()
    result: dict[str, Any] = parent.recv()
    proc.join()
    return result


def _ray_report(
    runs: list[tuple[str, dict[str, Any]]],
    full: dict[str, Any],
    flows: dict[str, float],
    report: dict[str, Any],
) -> None:
    """Each Ray run against the single process: all in (with the cluster's start-up), the
    run (the actors' start-up overlaps the driver's reading), the stream alone; where the
    CPU went; and a paper estimate from the actors' CPU rates."""
    single = full["rows"] / full["seconds"]
    for name, r in runs:
        rows, run_s = r["rows"], r["seconds"]
        rates = {
            "all in": rows / (r["cluster_s"] + run_s),
            "run": rows / run_s,
            "stream": r["transactions"] / max(r["stream_s"], 1e-9),
        }
        report[name]["ratios"] = {k: v / single for k, v in rates.items()}
        print(
            f"{name}: cluster start {r['cluster_s']:.1f} s, actors ready after {r['startup_s']:.1f} s; "
            + ", ".join(f"{k} {v:,.0f} tx/s = {v / single:.2f}x" for k, v in rates.items())
            + " the single process"
        )
        total = r["driver_cpu_s"] + sum(r["cpu_s"].values())
        print(
            f"  CPU seconds: {total:.1f} in all ({total / full['cpu_s']:.2f}x the single "
            f"process's {full['cpu_s']:.1f}): driver {r['driver_cpu_s']:.1f}, "
            + ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["cpu_s"].items()))
            + "; peak MB: "
            + ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["actors_mb"].items()))
            + f"; the graph actor was sent {r['graph_rows'] / max(1, r['transactions']):.0%} of the rows"
        )
    print(
        "traffic: each row is pickled once and read by its partition and, if it can matter "
        f"to the graph, by the graph actor; {flows['internal_share']:.1%} of rows move money "
        f"between own accounts, {flows['cross_partition_share']:.1%} across partitions"
    )
    # paper estimate: 100 million a day at 10x the average at peak, from the CPU each actor
    # spent per row in the two-partition run (its capacity on a core of its own)
    r = runs[-1][1]
    peak = 100e6 / 86_400 * 10
    graph_rate = r["graph_rows"] / r["cpu_s"]["graph"]
    part_rate = r["transactions"] / sum(v for k, v in r["cpu_s"].items() if k != "graph")
    driver_rate = r["rows"] / r["driver_cpu_s"]
    report["estimate"] = {
        "peak_tx_per_s": peak,
        "graph_actor_tx_per_cpu_s": graph_rate,
        "partition_tx_per_cpu_s": part_rate,
        "driver_tx_per_cpu_s": driver_rate,
    }
    print(
        f"estimate for 100 M tx/day at 10x peak = {peak:,.0f} tx/s: per CPU second the graph "
        f"actor took {graph_rate:,.0f} of its rows, a partition {part_rate:,.0f}, the driver "
        f"(read, validate, sequence) {driver_rate:,.0f}; at that peak the graph actor would "
        f"need {peak * r['graph_rows'] / r['transactions'] / graph_rate:.1f} cores, the driver "
        f"{peak / driver_rate:.1f} and the partitions {peak / part_rate:.1f} in all (one "
        "process runs on one core: above 1.0 the graph or the reading must be split)"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--days",
        type=int,
        default=90,
        help="Business days with planted typologies, after the generator's "
        "history of ordinary traffic (the stream is longer than every "
        "window, so memory can be seen to level off).",
    )
    parser.add_argument("--keep", type=Path, help="Write the generated data here and keep it.")
    parser.add_argument("--no-ray", action="store_true", help="Skip the Ray runs.")
    parser.add_argument(
        "--ray-only",
        action="store_true",
        help="Only the single process (full pack) and the Ray runs: no reference or baseline.",
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="Use this transactions file (rates.yaml beside it) instead of generating one.",
    )
    args = parser.parse_args(argv)

    from regtech_engine.monitor.generate import GeneratorConfig, write_dataset

    with tempfile.TemporaryDirectory() as tmp:
        if args.data is not None:
            source, rates = str(args.data), str(args.data.parent / "rates.yaml")
            print(f"data: {source}")
        else:
            t0 = time.perf_counter()
            files = write_dataset(
                args.keep or Path(tmp),
                GeneratorConfig(
                    n=args.n, seed=args.seed, days=args.days, plants=max(1, min(50, args.n // 20000))
                ),
            )
            print(
                f"generated {args.n:,} transactions ({args.days} planted days after the history) "
                f"in {time.perf_counter() - t0:.1f} s: {files[0]}"
            )
            source, rates = str(files[0]), str(files[2])
        full = _child(full_pack, source, rates, args.n)
        runs = [("full pack (durable_rules)", full)]
        if not args.ray_only:
            ref = _child(reference_pack, source, rates, args.n)
            base = _child(baseline, source, rates, args.n)
            runs += [("full pack (reference)", ref), ("baseline (plain Python LV)", base)]
        if not args.no_ray:
            for workers in (1, 2):
                runs.append(
                    (f"ray, {workers} partition(s)", _child(partial(on_ray, workers), source, rates, args.n))
                )
            flows = traffic(source, 2)
    report: dict[str, Any] = {"n": args.n}
    for name, r in runs:
        rate = r["rows"] / r["seconds"]
        report[name] = {**r, "tx_per_s": rate}
        print(
            f"{name:<28} {r['rows']:>10,} rows  {r['seconds']:>7.1f} s  {rate:>9,.0f} tx/s  "
            f"peak {r['peak_mb']:>6.0f} MB  {r['alerts']:,} alerts"
        )
    if full["samples"]:
        samples = full["samples"]
        shown = samples[:: max(1, len(samples) // 10)][:10] + samples[-1:]
        print("RSS along the stream (rows: MB): " + ", ".join(f"{rows:,}: {mb}" for rows, mb in shown))
    if not args.ray_only:
        ratio = (full["rows"] / full["seconds"]) / (base["rows"] / base["seconds"])
        report["ratio"] = ratio
        print(f"full pack / baseline throughput: {ratio:.2f}x (baseline {1 / ratio:.1f}x faster)")
        engine = (full["rows"] / full["seconds"]) / (ref["rows"] / ref["seconds"])
        print(
            f"durable_rules vs the reference evaluator on the same documents: {engine:.2f}x the "
            "throughput (the rest of the gap to the baseline is the typologies' features)"
        )
    if not args.no_ray:
        _ray_report([(name, r) for name, r in runs if name.startswith("ray")], full, flows, report)
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
