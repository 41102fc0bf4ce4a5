"""Speed and memory of `regtech check`: durable_rules backend beside the reference evaluator.

Prints, for the shipped packs: compile time, per-spec evaluation time (median), specs per
second, resident memory after N evaluations, and the CLI's start-to-exit time for one spec.
The figure that counts on a noisy machine is the ratio to the baseline measured in the
same run (the reference evaluator: the same IR in plain Python, no rules engine).

    python benchmarks/check_bench.py [--evaluations 100000] [--as-of 2026-11-25]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path

from regtech_engine.check import Checker
from regtech_engine.engine.cache import CompileCache
from regtech_engine.engine.values import spec_values
from regtech_engine.language.rules import load_pack
from regtech_engine.spec.loader import load_spec

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def specs() -> list[dict[str, object]]:
    files = sorted(
        p for p in (ROOT / "fixtures" / "products").iterdir() if p.suffix in (".yaml", ".json")
    ) + sorted((ROOT / "rules" / "bases").glob("*.yaml"))
    return [spec_values(load_spec(f).model) for f in files]


def bench_backend(name: str, as_of: dt.date, data: list[dict[str, object]], n: int) -> dict[str, float]:
    pack = load_pack()
    started = time.perf_counter()
    checker = Checker(pack, as_of, backend=name, cache=CompileCache())
    compile_ms = (time.perf_counter() - started) * 1000
    for d in data * 20:  # warm up
        checker.outcomes(d)
    gc.collect()
    samples = []
    for _ in range(30):
        for d in data:
            t0 = time.perf_counter()
            checker.outcomes(d)
            samples.append(time.perf_counter() - t0)
    median_ms = statistics.median(samples) * 1000
    rss_before = rss_mb()
    started = time.perf_counter()
    for i in range(n):
        checker.outcomes(data[i % len(data)])
    elapsed = time.perf_counter() - started
    return {
        "rules": len(checker.active),
        "compile_ms": compile_ms,
        "median_ms": median_ms,
        "specs_per_s": n / elapsed,
        "rss_before_mb": rss_before,
        "rss_after_mb": rss_mb(),
    }


def cli_seconds(repeats: int = 7) -> float:
    spec = ROOT / "fixtures" / "products" / "face-pay.yaml"
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "regtech_engine", "check", str(spec), "--fail-on", "never"],
            capture_output=True,
            check=True,
        )
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=100_000)
    parser.add_argument("--as-of", default="2026-11-25")
    args = parser.parse_args()
    as_of = dt.date.fromisoformat(args.as_of)
    data = specs()
    print(f"{len(data)} specs, {args.evaluations:,} evaluations per backend, as of {as_of}")
    results = {name: bench_backend(name, as_of, data, args.evaluations) for name in ("reference", "durable")}
    header = f"{'':<22}{'reference':>14}{'durable':>14}{'ratio':>10}"
    print(header)
    rows = [
        ("rules evaluated", "rules", "{:.0f}"),
        ("compile (ms)", "compile_ms", "{:.1f}"),
        ("median per spec (ms)", "median_ms", "{:.3f}"),
        ("specs / second", "specs_per_s", "{:.0f}"),
        ("RSS before (MB)", "rss_before_mb", "{:.1f}"),
        ("RSS after (MB)", "rss_after_mb", "{:.1f}"),
    ]
    for label, key, fmt in rows:
        ref, dur = results["reference"][key], results["durable"][key]
        ratio = f"{dur / ref:.2f}x" if ref else ""
        print(f"{label:<22}{fmt.format(ref):>14}{fmt.format(dur):>14}{ratio:>10}")
    print(f"CLI start to exit, one spec (median of 7): {cli_seconds():.3f} s")


if __name__ == "__main__":
    main()
