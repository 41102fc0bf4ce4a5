"""The three dated changes of the law, each on both sides of its date, citing what is in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regtech_engine.authoring.ruletests import base_specs
from regtech_engine.check import Checker
from regtech_engine.files.yamlio import Document
from regtech_engine.findings import Finding
from regtech_engine.language.rules import RulePack
from regtech_engine.spec.loader import spec_from_document
from regtech_engine.spec.patching import patched

BASE = base_specs([])["payment-compliant"].data


def findings(pack: RulePack, as_of: dt.date, changes: dict[str, Any]) -> dict[str, Finding]:
    spec = spec_from_document(Document(patched(BASE, changes, []), {}, "t.yaml"))
    return {f.rule_id: f for f in Checker(pack, as_of).check(spec).findings}


def cites(finding: Finding) -> set[str]:
    return {c.law for c in finding.citations}


def test_cross_border_thresholds_changed_on_2024_03_22(pack: RulePack) -> None:
    # 300,000 individuals, non-sensitive, under a standard contract: an assessment was
    # needed under the 2022 Measures (>= 100,000), a contract suffices under the 2024 rules.
    transfer = {
        "personal_information.cross_border_transfers": [
            {
                "destination": "SG",
                "categories": ["mobile number"],
                "individuals_this_year": 300000,
                "sensitive_individuals_this_year": 0,
                "mechanism": "standard_contract",
                "separate_consent": True,
            }
        ]
    }
    before = findings(pack, dt.date(2024, 3, 21), transfer)
    after = findings(pack, dt.date(2024, 3, 22), transfer)
    assert "PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK" in before
    assert cites(before["PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK"]) >= {"PIPL", "CBDT-2022"}
    assert "PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK" not in after
    # 1,200,000 needs an assessment after the change too, citing the 2024 Provisions
    transfer["personal_information.cross_border_transfers"][0]["individuals_this_year"] = 1_200_000
    after = findings(pack, dt.date(2024, 3, 22), transfer)
    assert cites(after["PIPL-038-CROSS-BORDER-MECHANISM-TOO-WEAK"]) >= {"PIPL", "CBDF-2024"}


def test_concentration_thresholds_follow_the_closing_date(pack: RulePack) -> None:
    # worldwide 11bn, China 2.5bn, parties 500M and 450M in China: notifiable under the
    # old thresholds (10bn / 2bn / 400M), not under the 2024 ones (12bn / 4bn / 800M)
    def deal(closing: dt.date) -> dict[str, Any]:
        return {
            "market_conduct.concentrations": [
                {
                    "counterparty": "Target",
                    "closing_date": closing,
                    "combined_turnover_cny": {"global": 11_000_000_000, "china": 2_500_000_000},
                    "each_party_china_turnover_cny": [500_000_000, 450_000_000],
                    "filed": False,
                }
            ]
        }

    old = findings(pack, dt.date(2026, 11, 25), deal(dt.date(2024, 1, 21)))
    new = findings(pack, dt.date(2026, 11, 25), deal(dt.date(2024, 1, 22)))
    assert "CONC-003-2008-NOT-FILED" in old
    assert not {k for k in new if k.startswith("CONC-003-") and k.endswith("NOT-FILED")}


def test_aml_record_retention_minimum_changed_on_2025_01_01(pack: RulePack) -> None:
    seven_years = {"aml.record_retention_years": 7}
    before = findings(pack, dt.date(2024, 12, 31), seven_years)
    after = findings(pack, dt.date(2025, 1, 1), seven_years)
    assert not [k for k in before if "RETENTION" in k]
    assert "AMLL-034-RECORD-RETENTION-SHORT" in after
    assert "AMLL-2024" in cites(after["AMLL-034-RECORD-RETENTION-SHORT"])
    four_years = findings(pack, dt.date(2024, 12, 31), {"aml.record_retention_years": 4})
    [old_rule] = [k for k in four_years if "RETENTION" in k]
    assert "PBOC-CDD-2007" in cites(four_years[old_rule])
