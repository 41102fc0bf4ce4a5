"""Run one fuzz target under atheris (libFuzzer, coverage-guided)::

    pip install -e '.[fuzz]'            # atheris
    python fuzz/run.py spec -atheris_runs=100000
    python fuzz/run.py rules -max_total_time=600
    python fuzz/run.py transactions -atheris_runs=100000 -seed=1

Targets: spec, rules, transactions (fuzz/targets.py). Any libFuzzer option may follow the
target. The corpus starts from the repository's fixtures, written to a fresh temporary folder,
or to ``--corpus DIR`` when that folder is empty; libFuzzer adds there the inputs that reach
new code, so runs with the same ``--corpus`` continue where the last one stopped. A finding is
written as ``crash-<sha1>`` in the working directory; replay it with
``python fuzz/run.py spec crash-<sha1>``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", choices=["spec", "rules", "transactions"])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=None,
        help="corpus folder (default: a fresh temporary folder of the seeds)",
    )
    args, libfuzzer = parser.parse_known_args(argv)
    try:
        import atheris
    except ImportError:
        sys.exit(
            "atheris is not installed: pip install 'regtech-engine[fuzz]' (Linux x86_64; "
            "elsewhere tests/property/test_fuzz.py runs the targets on hypothesis bytes)"
        )
    sys.path.insert(0, str(HERE))
    with atheris.instrument_imports(include=["regtech_engine"]):
        import targets
    corpus = args.corpus or Path(tempfile.mkdtemp(prefix=f"regtech-fuzz-{args.target}-"))
    replay = [a for a in libfuzzer if not a.startswith("-")]
    options = [a for a in libfuzzer if a.startswith("-")]
    if not replay:
        replay = [str(targets.write_corpus(args.target, corpus))]
    atheris.Setup([sys.argv[0], *options, *replay], targets.TARGETS[args.target])
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv[1:])
