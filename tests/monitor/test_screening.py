"""Name normalisation and list screening."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from regtech_engine.errors import RuleError
from regtech_engine.monitor.screening import Lists, load_lists, normalise_name


def test_normalisation_ignores_case_spacing_punctuation_and_script() -> None:
    assert normalise_name("  Tanchon  COMMERCIAL-bank. ") == "tanchoncommercialbank"
    assert normalise_name("東方遠景國際貿易（有限）公司") == normalise_name("东方远景国际贸易有限公司")
    assert normalise_name("ＫＯＭＩＤ") == "komid"  # full-width letters


def test_high_risk_list_respects_dates(tmp_path: Path) -> None:
    (tmp_path / "l.yaml").write_text(
        "source: test\njurisdictions:\n  - {code: ZZ, name: Z, since: 2024-01-01, until: 2024-12-31}\n",
        encoding="utf-8",
    )
    lists = load_lists(tmp_path)
    assert lists.high_risk("ZZ", dt.date(2024, 6, 1))
    assert not lists.high_risk("ZZ", dt.date(2025, 1, 1))
    assert not lists.high_risk("ZZ", dt.date(2023, 12, 31))
    assert not Lists().high_risk(None, dt.date(2024, 6, 1))


def test_list_files_must_name_their_source(tmp_path: Path) -> None:
    (tmp_path / "l.yaml").write_text("sanctions: [{ref: X, name: Y}]\n", encoding="utf-8")
    with pytest.raises(RuleError, match="source"):
        load_lists(tmp_path)


def test_fuzzy_scores_below_half_are_no_match(tmp_path: Path) -> None:
    (tmp_path / "l.yaml").write_text(
        "source: test\nsanctions:\n  - {ref: S1, name: Tanchon Commercial Bank}\n", encoding="utf-8"
    )
    lists = load_lists(tmp_path)
    score, entry = lists.screen("Tanchon Comercial Bank")
    assert score >= 90 and entry is not None and entry.ref == "S1"
    assert lists.screen("Zhang Wei") == (0, None)
