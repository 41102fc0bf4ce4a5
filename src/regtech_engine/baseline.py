"""Baselines: the findings a team already knows about, so only new ones block a merge.

A baseline lists findings by ``Finding.fingerprint``, which is made from the rule, the spec
id and the evidence paths, never line numbers: moving or reformatting a spec does not make
a known finding new. It is JSON, sorted, and records which tool and rules made it. A bad
baseline file is reported like a bad waiver file (a baseline is a bulk waiver), with
file, line and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .errors import Problem, WaiverError
from .findings import Report
from .yamlio import read_document

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    file: str
    fingerprints: frozenset[str]


@dataclass(frozen=True)
class BaselineMatch:
    known: list[str]
    new: list[str]
    fixed: list[str]


def baseline_data(report: Report) -> dict[str, Any]:
    """A report's findings as a baseline document (deterministic: sorted, no timestamps)."""
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule_id": f.rule_id, "spec_id": r.spec.id,
          "spec": r.spec.path, "severity": str(f.severity)}
         for r in report.results for f in r.findings),
        key=lambda e: (e["spec"], e["rule_id"], e["fingerprint"]),
    )
    return {
        "regtech_baseline": FORMAT_VERSION,
        "tool": {"version": report.tool.version, "rules_digest": report.tool.rules_digest},
        "as_of": report.as_of,
        "findings": entries,
    }


def render_baseline(report: Report) -> str:
    return orjson.dumps(baseline_data(report), option=orjson.OPT_INDENT_2).decode() + "\n"


def load_baseline(path: str | Path) -> Baseline:
    doc = read_document(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise WaiverError.single(
            "not a baseline file: expected a mapping with a `findings` list"
            " (make one with `regtech baseline create`)", file=doc.file, line=1)
    version = data.get("regtech_baseline")
    if version != FORMAT_VERSION:
        raise WaiverError.single(f"unsupported baseline version {version!r} (expected 1)",
                                 file=doc.file, line=doc.line_of(("regtech_baseline",)) or 1,
                                 path="regtech_baseline")
    problems: list[Problem] = []
    prints: set[str] = set()
    for i, entry in enumerate(data["findings"]):
        fp = entry.get("fingerprint") if isinstance(entry, dict) else None
        if not isinstance(fp, str) or not fp:
            problems.append(Problem("each baseline entry needs a `fingerprint`", doc.file,
                                    doc.line_of(("findings", i)), f"findings[{i}].fingerprint"))
        else:
            prints.add(fp)
    if problems:
        raise WaiverError(problems)
    return Baseline(doc.file, frozenset(prints))


def match_baseline(report: Report, baseline: Baseline) -> BaselineMatch:
    seen = [f.fingerprint for f in report.all_findings()]
    return BaselineMatch(
        known=sorted(fp for fp in seen if fp in baseline.fingerprints),
        new=sorted(fp for fp in seen if fp not in baseline.fingerprints),
        fixed=sorted(baseline.fingerprints - set(seen)),
    )
