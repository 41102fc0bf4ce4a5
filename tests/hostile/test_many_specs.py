"""Many specs in one folder: checked as a stream, in bounded time and memory.

A folder of 5,000 small specs (copies of a shipped product, each under its own id) with a
few invalid ones among them is checked with the built-in packs, ``--jobs 2``, in a child
process (a hang is caught by its timeout). Each file is read, checked and dropped; only
the report's findings stay. Before streaming, the run held every parsed spec: 1.6 GB at
peak with ``--jobs 2`` (1.16 GB with ``--jobs 1``); now 0.34 GB in the calling process
(the worker about 60 MB), of which the results take about 26 KB per spec and the text
report's rendering most of the rest.

The bounds are generous, for a loaded shared machine: 150 s (17 s on an idle 2-core
machine) and 500 MB of peak resident memory in any process of the run. The invalid files
are named with their line, in order, and the run ends with exit 2 after writing the report.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "fixtures" / "products" / "digital-asset-exchange.yaml"  # 1.4 KB
COUNT = 5_000
SECONDS = 150.0
MEGABYTES = 500.0

# The child: runs `regtech check` in-process and measures its wall time and the peak
# resident memory (VmHWM, which the kernel keeps) of itself and of every process under it
# (the forkserver and the workers), read every 0.1 s while they live.
RUN = textwrap.dedent(
    """
    import json, os, resource, sys, threading, time
    from pathlib import Path

    def tree(root):
        children = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, todo = [], [root]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    peaks = {}
    done = threading.Event()

    def watch():
        while not done.wait(0.1):
            for pid in tree(os.getpid()):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]) / 1024)

    threading.Thread(target=watch, daemon=True).start()
    from regtech_engine.cli.main import main

    started = time.monotonic()
    code = main(sys.argv[1:])
    seconds = time.monotonic() - started
    done.set()
    peaks[os.getpid()] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"code": code, "seconds": seconds, "peaks": sorted(peaks.values())}))
    """
)


def _folder(folder: Path, count: int) -> list[str]:
    """``count`` specs, valid but for a few; how each problem line must start, in order."""
    text = SOURCE.read_text(encoding="utf-8")
    assert text.count("\n  id: coinhub\n") == 1
    folder.mkdir()
    for n in range(count):
        (folder / f"spec-{n:05d}.yaml").write_text(
            text.replace("\n  id: coinhub\n", f"\n  id: coinhub-{n}\n"), encoding="utf-8"
        )
    bad = {  # among the others, in name order
        "spec-00100.yaml": (
            text.replace("launch_date:", "lauch_date:"),
            ":8: product.lauch_date: unknown key",
        ),
        "spec-02500.yaml": (
            text.replace("category: digital_asset", "category: digital_assets"),
            ":6: product.category: invalid value 'digital_assets'",
        ),
        "spec-04998.yaml": (text + "extra: [unclosed\n", ":46: invalid YAML/JSON"),
    }
    for name, (content, _) in bad.items():
        (folder / name).write_text(content, encoding="utf-8")
    # two specs under one id: both named, at the line of product.id, after the invalid files
    (folder / "spec-03333.yaml").write_text(text.replace("\n  id: coinhub\n", "\n  id: coinhub-7\n"))
    expected = [f"{folder / name}{where}" for name, (_, where) in bad.items()]
    for name, other in (("spec-00007.yaml", "spec-03333.yaml"), ("spec-03333.yaml", "spec-00007.yaml")):
        expected.append(
            f"{folder / name}:4: product.id: product.id `coinhub-7` is also used by {folder / other}"
        )
    return expected


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads peak memory from /proc")
def test_five_thousand_specs_in_one_folder(tmp_path: Path) -> None:
    folder = tmp_path / "specs"
    expected = _folder(folder, COUNT)
    report = tmp_path / "report.txt"
    argv = ["check", str(folder), "--as-of", "2026-06-01", "--jobs", "2", "--output", str(report)]
    done = subprocess.run(
        [sys.executable, "-c", RUN, *argv],
        capture_output=True,
        text=True,
        timeout=SECONDS * 2,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["code"] == 2, done.stderr[-4000:]  # some input could not be checked
    problems = [line for line in done.stderr.splitlines() if line.startswith(str(folder))]
    assert len(problems) == len(expected), problems
    for line, start in zip(problems, expected, strict=True):
        assert line.startswith(start), (line, start)
    assert outcome["seconds"] < SECONDS, outcome
    assert max(outcome["peaks"]) < MEGABYTES, outcome
    # the report was written first: every valid spec (all but 3 invalid, 2 sharing an id)
    headers = [
        line for line in report.read_text(encoding="utf-8").splitlines() if line.startswith(str(folder))
    ]
    assert len(headers) == COUNT - 5
