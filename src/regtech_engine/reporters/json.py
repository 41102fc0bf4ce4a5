"""The JSON report of contracts/check-output.md: sorted, byte-for-byte deterministic."""

from __future__ import annotations

import orjson

from ..findings import Report
from ..gate.decision import gated
from ..vocabulary import Lang


def to_data(report: Report) -> dict[str, object]:
    """The report with the gate's decision beside it: per finding its status and whether it
    blocks, per undetermined rule whether it blocks, and the run's counts and verdict."""
    gated_report = gated(report)
    gate = gated_report.gate
    data = report.model_dump(mode="json", by_alias=True, exclude={"gate"})
    for result, model in zip(data["results"], report.results, strict=True):
        for finding, f in zip(result["findings"], model.findings, strict=True):
            finding.pop("waivable", None)
            finding["status"] = gate.status(f).value
            finding["blocking"] = gate.blocks(f)
            waiver = gate.waiver_of(f)
            if waiver is not None:
                finding["waiver"] = waiver.model_dump(mode="json")
        for item, u in zip(result["undetermined"], model.undetermined, strict=True):
            item["blocking"] = gate.blocks_undetermined(u)
    tally = gated_report.tally()
    gate_data = gate.model_dump(mode="json", exclude_none=True, exclude={"policy"})
    data["gate"] = {
        **gate_data,
        "fail_on": gate.policy.fail_on,
        "allow_undetermined": gate.policy.allow_undetermined,
        "counts": {**tally.model_dump(), "blocking": tally.blocking},
        "verdict": "fail" if tally.blocking else "pass",
    }
    return data


def render(report: Report, lang: Lang = Lang.EN) -> str:
    return orjson.dumps(to_data(report), option=orjson.OPT_INDENT_2).decode() + "\n"
