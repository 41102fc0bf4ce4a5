"""The phrase reference in the guide is generated from the phrase table and cannot drift."""

from __future__ import annotations

from pathlib import Path

from regtech_engine.bdd.phrases import PHRASES, main, refresh

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "bdd-guide.md"


def test_guide_phrase_reference_is_up_to_date() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert refresh(text) == text, (
        "docs/bdd-guide.md is out of date: run "
        "`python -m regtech_engine.bdd.phrases --write docs/bdd-guide.md`"
    )
    for phrase in PHRASES:
        assert phrase.en in text and phrase.zh in text


def test_write_refreshes_a_stale_guide(tmp_path: Path) -> None:
    guide = tmp_path / "guide.md"
    stale = GUIDE.read_text(encoding="utf-8").replace(PHRASES[0].zh, "stale")
    guide.write_text(stale, encoding="utf-8")
    assert main(["--write", str(guide)]) == 0
    assert guide.read_text(encoding="utf-8") == GUIDE.read_text(encoding="utf-8")


def test_guide_lists_the_monitoring_steps_as_documented_in_code() -> None:
    import regtech_engine.bdd.monitor_steps as monitor_steps

    doc = monitor_steps.__doc__ or ""
    block = doc.split("\n\n")[2].rstrip()
    assert block in GUIDE.read_text(encoding="utf-8")
