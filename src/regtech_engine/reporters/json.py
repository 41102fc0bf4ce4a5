"""The JSON report of contracts/check-output.md: sorted, byte-for-byte deterministic."""

from __future__ import annotations

import orjson

from ..findings import Report
from ..vocabulary import Lang


def to_data(report: Report) -> dict[str, object]:
    data = report.model_dump(mode="json", by_alias=True)
    for result in data["results"]:
        for finding in result["findings"]:
            finding.pop("waivable", None)
    return data


def render(report: Report, lang: Lang = Lang.EN) -> str:
    return orjson.dumps(to_data(report), option=orjson.OPT_INDENT_2).decode() + "\n"
