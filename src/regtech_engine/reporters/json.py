"""The JSON report of contracts/check-output.md: sorted, byte-for-byte deterministic."""

from __future__ import annotations

import orjson

from ..findings import Report
from ..gate import gate_of
from ..vocabulary import Lang


def to_data(report: Report) -> dict[str, object]:
    data = report.model_dump(mode="json", by_alias=True)
    gate = gate_of(report)
    for result, model in zip(data["results"], report.results, strict=True):
        for finding, f in zip(result["findings"], model.findings, strict=True):
            finding.pop("waivable", None)
            if gate is not None:  # added fields only when waivers or a baseline were used
                finding["status"] = gate.status(f).value
                waiver = gate.waiver_of(f)
                if waiver is not None:
                    finding["waiver"] = waiver.model_dump(mode="json")
    return data


def render(report: Report, lang: Lang = Lang.EN) -> str:
    return orjson.dumps(to_data(report), option=orjson.OPT_INDENT_2).decode() + "\n"
