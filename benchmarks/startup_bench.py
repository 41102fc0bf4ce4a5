"""Cold start of `regtech check` on one spec beside `python -c 'import pydantic, yaml, click'`.

Pre-commit hooks and CI check one or two specs, so start-up is most of the user's wait.
Both commands run as fresh processes, interleaved, in one run; the ratio of the medians is
the figure (this machine is noisy). `regtech check` runs with the parsed-pack cache warm
(the usual case after the first run) and cold (REGTECH_NO_CACHE=1).

    python benchmarks/startup_bench.py [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "fixtures" / "products" / "qr-pay-compliant.yaml"


def _time(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    base_env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        warm_env = {**base_env, "REGTECH_CACHE_DIR": cache}
        cold_env = {**base_env, "REGTECH_NO_CACHE": "1"}
        check = [sys.executable, "-m", "regtech_engine", "check", str(SPEC), "--as-of", "2026-11-25"]
        baseline = [sys.executable, "-c", "import pydantic, yaml, click"]
        _time(check, warm_env)  # fills the cache
        times: dict[str, list[float]] = {"baseline": [], "warm": [], "cold": []}
        for _ in range(runs):
            times["baseline"].append(_time(baseline, base_env))
            times["warm"].append(_time(check, warm_env))
            times["cold"].append(_time(check, cold_env))
    median = {k: statistics.median(v) for k, v in times.items()}
    print(f"runs: {runs} each, interleaved")
    print(f"import pydantic, yaml, click   {median['baseline'] * 1000:7.0f} ms  (baseline)")
    for key, label in (("warm", "regtech check, cache warm"), ("cold", "regtech check, no cache")):
        print(f"{label:<30} {median[key] * 1000:7.0f} ms  {median[key] / median['baseline']:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
