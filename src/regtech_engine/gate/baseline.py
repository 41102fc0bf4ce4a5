"""Baselines: the findings a team already knows about, so only new ones block a merge.

A baseline lists findings by spec path and ``Finding.fingerprint`` (made from the rule, the
spec id and the evidence paths, never line numbers): reformatting a spec does not make a
known finding new, and a copy of a spec under another path inherits nothing. A finding of a
rule marked ``waivable: false`` is never accepted: ``baseline create`` leaves it out and a
hand-edited entry for one is refused at check time (the finding stays open). It is JSON,
sorted, and records which tool and rules made it. A bad baseline file is reported like a bad
waiver file (a baseline is a bulk waiver), with file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ..errors import Problem, WaiverError
from ..files.yamlio import read_document
from ..findings import Finding, Report

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Baseline:
    file: str
    entries: frozenset[tuple[str, str]]  # (spec path, fingerprint)


@dataclass(frozen=True)
class BaselineMatch:
    known: list[str]
    new: list[str]
    fixed: list[str]
    refused: list[str]  # listed, but the rule is not waivable: the finding stays open


def left_out(report: Report, waivable: Mapping[str, bool]) -> list[Finding]:
    """The findings a baseline may not accept: those of rules marked ``waivable: false``."""
    return [f for f in report.all_findings() if not waivable.get(f.rule_id, f.waivable)]


def baseline_data(report: Report, waivable: Mapping[str, bool] | None = None) -> dict[str, Any]:
    """A report's acceptable findings as a baseline document (sorted, no timestamps)."""
    refused = {f.fingerprint for f in left_out(report, waivable or {})}
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "spec_id": r.spec.id,
                "spec": r.spec.path,
                "severity": str(f.severity),
            }
            for r in report.results
            for f in r.findings
            if f.fingerprint not in refused
        ),
        key=lambda e: (e["spec"], e["rule_id"], e["fingerprint"]),
    )
    return {
        "regtech_baseline": FORMAT_VERSION,
        "tool": {"version": report.tool.version, "rules_digest": report.tool.rules_digest},
        "as_of": report.as_of,
        "findings": entries,
    }


def render_baseline(report: Report, waivable: Mapping[str, bool] | None = None) -> str:
    return orjson.dumps(baseline_data(report, waivable), option=orjson.OPT_INDENT_2).decode() + "\n"


def load_baseline(path: str | Path) -> Baseline:
    doc = read_document(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise WaiverError.single(
            "not a baseline file: expected a mapping with a `findings` list"
            " (make one with `regtech baseline create`)",
            file=doc.file,
            line=1,
        )
    version = data.get("regtech_baseline")
    if version != FORMAT_VERSION:
        raise WaiverError.single(
            f"unsupported baseline version {version!r} (expected 1)",
            file=doc.file,
            line=doc.line_of(("regtech_baseline",)) or 1,
            path="regtech_baseline",
        )
    problems: list[Problem] = []
    entries: set[tuple[str, str]] = set()
    for i, entry in enumerate(data["findings"]):
        entry = entry if isinstance(entry, dict) else {}
        for key in ("fingerprint", "spec"):
            if not isinstance(entry.get(key), str) or not entry[key]:
                problems.append(
                    Problem(
                        f"each baseline entry needs a `{key}`",
                        doc.file,
                        doc.line_of(("findings", i)),
                        f"findings[{i}].{key}",
                    )
                )
        if not problems:
            entries.add((entry["spec"], entry["fingerprint"]))
    if problems:
        raise WaiverError(problems)
    return Baseline(doc.file, frozenset(entries))


def match_baseline(
    report: Report, baseline: Baseline, waivable: Mapping[str, bool] | None = None
) -> BaselineMatch:
    """Which findings the baseline accepts: same spec path and fingerprint, waivable rule."""
    refused_rules = {f.fingerprint for f in left_out(report, waivable or {})}
    seen = {(r.spec.path, f.fingerprint) for r in report.results for f in r.findings}
    listed = seen & baseline.entries
    return BaselineMatch(
        known=sorted(fp for _, fp in listed if fp not in refused_rules),
        new=sorted(fp for key in seen - listed for fp in [key[1]]),
        fixed=sorted(f"{path}:{fp}" for path, fp in baseline.entries - seen),
        refused=sorted(fp for _, fp in listed if fp in refused_rules),
    )
