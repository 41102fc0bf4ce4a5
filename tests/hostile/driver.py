"""Runs many ``regtech`` command lines in one process (one import, bounded memory) and writes
what each ended with: the hostile-input test's worker, run as a subprocess so that a hang is
caught by its timeout. Usage: python driver.py CASES.json RESULTS.json"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time

ADDRESS_SPACE = 3 * 1024**3  # a run that needs more fails with MemoryError (exit 3): caught


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        cases = json.load(fh)
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    from regtech_engine.cli.main import main as regtech

    results = []
    for case in cases:
        saved = dict(os.environ)
        os.environ.update(case.get("env", {}))
        err, out = io.StringIO(), io.StringIO()
        started = time.monotonic()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
                code = regtech(case["argv"])
        except BaseException as exc:
            code, err = -1, io.StringIO(f"escaped: {type(exc).__name__}: {exc}")
        finally:
            os.environ.clear()
            os.environ.update(saved)
        results.append(
            {
                "id": case["id"],
                "code": code,
                "stderr": err.getvalue()[-4000:],
                "seconds": time.monotonic() - started,
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    with open(sys.argv[2], "w", encoding="utf-8") as fh:
        json.dump(results, fh)


if __name__ == "__main__":
    main()
