"""Waivers and baselines only add fields to the JSON report; existing fields stay as they are."""

from __future__ import annotations

import json

from regtech_engine.baseline import Baseline
from regtech_engine.gate import apply_gate
from regtech_engine.reporters import renderer
from regtech_engine.vocabulary import Lang
from regtech_engine.waivers import Waiver
from tests.reporters.helpers import AS_OF, report_of


def test_gate_fields_are_added_only() -> None:
    report = report_of("evil", "noncompliant")
    plain = json.loads(renderer("json")(report, Lang.EN))
    assert "gate" not in plain
    assert all("status" not in f for r in plain["results"] for f in r["findings"])
    waiver = Waiver("GATE-DS-NO-ENCRYPTION", "*", "compensating control", "ann", "bo", AS_OF,
                    "w.yaml", 2)
    known = report.results[1].findings[0].fingerprint
    gated = json.loads(renderer("json")(
        apply_gate(report, AS_OF, [waiver], "w.yaml", Baseline("b.json", frozenset({known}))),
        Lang.EN))
    statuses = [f.pop("status") for r in gated["results"] for f in r["findings"]]
    assert statuses == ["open", "open", "waived", "baselined"]  # by severity
    waived = [f.pop("waiver") for r in gated["results"] for f in r["findings"] if "waiver" in f]
    assert [w["justification"] for w in waived] == ["compensating control"]
    gate = gated.pop("gate")
    assert gated == plain
    assert gate["baseline"] == {"file": "b.json", "known": 1, "new": 3, "fixed": 0}
    assert gate["waivers_file"] == "w.yaml" and len(gate["waived"]) == 1
