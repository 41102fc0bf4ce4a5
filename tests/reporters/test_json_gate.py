"""Waivers and baselines change only the gate's fields of the JSON report: per finding its
status, whether it blocks and its waiver; the run's `gate` block. Everything else stays."""

from __future__ import annotations

import json

from regtech_engine.gate.baseline import Baseline
from regtech_engine.gate.decision import apply_gate
from regtech_engine.gate.waivers import Waiver
from regtech_engine.reporters import renderer
from regtech_engine.vocabulary import Lang
from tests.reporters.helpers import AS_OF, report_of

GATE_FIELDS = ("status", "blocking", "waiver")


def _strip(data: dict) -> dict:  # type: ignore[type-arg]
    data.pop("gate")
    for r in data["results"]:
        for f in r["findings"]:
            for key in GATE_FIELDS:
                f.pop(key, None)
    return data


def test_gate_fields_are_added_only() -> None:
    report = report_of("evil", "noncompliant")
    plain = json.loads(renderer("json")(report, Lang.EN))
    assert plain["gate"]["fail_on"] == "high" and plain["gate"]["verdict"] == "fail"
    assert all(f["status"] == "open" for r in plain["results"] for f in r["findings"])
    waiver = Waiver("GATE-DS-NO-ENCRYPTION", "*", "compensating control", "ann", "bo", AS_OF, "w.yaml", 2)
    result = report.results[1]
    known = (result.spec.path, result.findings[0].fingerprint)
    gated = json.loads(
        renderer("json")(
            apply_gate(report, AS_OF, [waiver], "w.yaml", Baseline("b.json", frozenset({known}))), Lang.EN
        )
    )
    statuses = [f["status"] for r in gated["results"] for f in r["findings"]]
    assert statuses == ["open", "open", "waived", "baselined"]  # by severity
    waived = [f["waiver"] for r in gated["results"] for f in r["findings"] if "waiver" in f]
    assert [w["justification"] for w in waived] == ["compensating control"]
    gate = gated["gate"]
    assert gate["baseline"] == {"file": "b.json", "known": 1, "new": 3, "fixed": 0}
    assert gate["waivers_file"] == "w.yaml" and len(gate["waived"]) == 1
    assert gate["counts"]["waived"] == 1 and gate["counts"]["baselined"] == 1
    assert _strip(gated) == _strip(plain)
