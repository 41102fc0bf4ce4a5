"""A house pack through the embedding API, and its policy cited by title in Chinese."""

from __future__ import annotations

import datetime as dt

from regtech_engine import Engine
from regtech_engine.reporters import renderer
from regtech_engine.vocabulary import Lang
from tests.conftest import DATA

PACK = DATA / "house_pack"
SPEC = PACK / "bases" / "acme-loan.yaml"


def test_extension_fields_work_through_the_api_and_cite_the_policy_by_title() -> None:
    engine = Engine.load([PACK])
    text = SPEC.read_text(encoding="utf-8").replace("apr_disclosed: true", "apr_disclosed: false")
    report = engine.check(text, as_of=dt.date(2026, 11, 25), select=["ACME-*"])
    [finding] = report.all_findings()
    assert finding.rule_id == "ACME-POL7-003-APR-NOT-DISCLOSED"
    zh = renderer("text")(report, Lang.ZH)
    assert "《本公司贷款产品信息披露制度》第三条" in zh
    assert engine.check(SPEC, as_of=dt.date(2026, 11, 25), select=["ACME-*"]).all_findings() == []
