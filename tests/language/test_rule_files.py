"""Which files of a rules folder are rules."""

from __future__ import annotations

from pathlib import Path

from regtech_engine.language.rules import load_pack, rule_files

from ..conftest import DATA


def test_linked_folders_are_followed_and_data_folders_skipped(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "r.yaml").write_text((DATA / "oracle_rules" / "ORACLE-008-MATCHES.yaml").read_text())
    pack = tmp_path / "pack"
    (pack / "parameters").mkdir(parents=True)
    (pack / "bases").mkdir()
    (pack / "bases" / "base.yaml").write_text("spec_version: 1\n")
    (pack / "team").symlink_to(shared, target_is_directory=True)
    assert [p.name for p in rule_files(pack)] == ["r.yaml"]
    assert [r.id for r in load_pack([pack], builtin=False).rules] == ["ORACLE-008-MATCHES"]
