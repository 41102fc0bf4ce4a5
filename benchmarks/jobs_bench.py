"""Specs per second of ``regtech check`` with ``--jobs 1`` beside ``--jobs 2`` (and more), in one run.

    python benchmarks/jobs_bench.py [--specs 2000] [--jobs 1 2] [--cli]

Writes N spec files made from the shipped products (each under its own id), loads the
packs once, then times, for each worker count, what ``regtech check`` does between the
packs and the report: listing the files, reading, validating and checking every spec, and
the report (pool start-up included: forkserver, imports, each worker's compile). Checks
that every report is the same as the first. ``--cli`` also times the whole command
(``regtech check FOLDER --format json --output FILE``) in a fresh process per count:
interpreter, packs, gate and rendering included. Each figure says how busy the machine's
CPUs were meanwhile (Linux): on a shared machine, only quiet runs compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent


def make_specs(folder: Path, count: int) -> None:
    sources = sorted((ROOT / "fixtures" / "products").glob("*.yaml"))
    for n in range(count):
        src = sources[n % len(sources)]
        data = yaml.safe_load(src.read_text(encoding="utf-8"))
        data["product"]["id"] = f"{data['product']['id']}-{n}"
        (folder / f"{n:05d}-{src.name}").write_text(
            yaml.safe_dump(data, allow_unicode=True), encoding="utf-8"
        )


def cpu_ticks() -> tuple[int, int] | None:
    """(busy, total) CPU time of the whole machine so far (Linux), to say how loaded it was."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle, sum(fields[:8])


def busy_share(before: tuple[int, int] | None) -> str:
    after = cpu_ticks()
    if before is None or after is None or after[1] == before[1]:
        return ""
    share = (after[0] - before[0]) / (after[1] - before[1])
    return f"  machine {share:4.0%} busy"


def cli_seconds(folder: Path, jobs: int, out: Path) -> float:
    start = time.perf_counter()
    command = ["check", str(folder), "--as-of", "2026-06-01", "--fail-on", "never", "--jobs", str(jobs)]
    subprocess.run(
        [sys.executable, "-m", "regtech_engine", *command, "--format", "json", "--output", str(out)],
        check=True,
    )
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specs", type=int, default=2000)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--cli", action="store_true", help="also time the whole command")
    args = parser.parse_args(argv)

    from regtech_engine.language.rules import load_pack
    from regtech_engine.pool import check_files, spec_files

    as_of = dt.date(2026, 6, 1)
    pack = load_pack([], builtin=True)
    figures: dict[str, Any] = {"specs": args.specs}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "specs"
        folder.mkdir()
        make_specs(folder, args.specs)
        first: str | None = None
        for jobs in args.jobs:
            gc.collect()  # each run starts with the same heap: the last report is text by now
            ticks = cpu_ticks()
            start = time.perf_counter()
            files, problems = spec_files((str(folder),))
            report, problems = check_files(pack, as_of, files, jobs=jobs)
            seconds = time.perf_counter() - start
            assert not problems, problems
            text = report.model_dump_json()
            del report
            first = first or text
            assert text == first, "reports differ"
            figures[f"jobs={jobs}"] = {
                "seconds": seconds,
                "specs_per_s": args.specs / seconds,
                "busy": busy_share(ticks),
            }
        if args.cli:
            outputs = []
            for jobs in args.jobs:
                out = Path(tmp) / f"report-{jobs}.json"
                ticks = cpu_ticks()
                seconds = cli_seconds(folder, jobs, out)
                outputs.append(out.read_bytes())
                figures[f"cli jobs={jobs}"] = {
                    "seconds": seconds,
                    "specs_per_s": args.specs / seconds,
                    "busy": busy_share(ticks),
                }
            assert all(o == outputs[0] for o in outputs), "reports differ"
    print(
        f"{args.specs} specs, {len(pack.rules)} rules"
        " (files to report, pool start-up included; reports equal)"
    )
    for prefix in ("", "cli ") if args.cli else ("",):
        base = figures[f"{prefix}jobs={args.jobs[0]}"]["specs_per_s"]
        for jobs in args.jobs:
            f = figures[f"{prefix}jobs={jobs}"]
            print(
                f"  {'whole command ' if prefix else ''}--jobs {jobs}: {f['seconds']:7.2f} s"
                f"  {f['specs_per_s']:8.1f} specs/s  {f['specs_per_s'] / base:5.2f}x{f['busy']}"
            )
    if any(figures[k].get("busy") for k in figures if k != "specs"):
        cpus = os.cpu_count() or 1
        print(
            f"  (machine busy: all {cpus} CPUs, this run included; alone, --jobs N keeps"
            f" N of them busy, {1 / cpus:.0%} per process: more is other load, and the ratio"
            " is not this code's)"
        )
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
