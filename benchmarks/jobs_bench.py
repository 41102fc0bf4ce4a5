"""Specs per second of ``regtech check`` with ``--jobs 1`` beside ``--jobs 2`` (and more), in one run.

    python benchmarks/jobs_bench.py [--specs 400] [--jobs 1 2]

Makes N specs from the shipped products (each under its own id), loads them once, then
times the report with each worker count, pool start-up (each worker compiles the packs)
included, and checks that every report is the same as the first.
"""

from __future__ import annotations

import argparse
import datetime as dt
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


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specs", type=int, default=400)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)

    from regtech_engine.cli.check_cmd import load_specs
    from regtech_engine.language.rules import load_pack
    from regtech_engine.pool import check_report

    as_of = dt.date(2026, 6, 1)
    pack = load_pack([], builtin=True)
    with tempfile.TemporaryDirectory() as tmp:
        make_specs(Path(tmp), args.specs)
        specs, problems = load_specs((tmp,), pack.spec_model)
    assert not problems, problems
    figures: dict[str, Any] = {"specs": len(specs)}
    first: str | None = None
    for jobs in args.jobs:
        start = time.perf_counter()
        report = check_report(pack, as_of, specs, jobs=jobs)
        seconds = time.perf_counter() - start
        text = report.model_dump_json()
        first = first or text
        assert text == first, "reports differ"
        figures[f"jobs={jobs}"] = {"seconds": seconds, "specs_per_s": len(specs) / seconds}
    base = figures[f"jobs={args.jobs[0]}"]["specs_per_s"]
    print(f"{len(specs)} specs, {len(pack.rules)} rules (pool start-up included; reports equal)")
    for jobs in args.jobs:
        f = figures[f"jobs={jobs}"]
        print(
            f"  --jobs {jobs}: {f['seconds']:7.2f} s  {f['specs_per_s']:8.1f} specs/s  "
            f"{f['specs_per_s'] / base:5.2f}x"
        )
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
