"""The built-in packs ship inside the package and are found without a checkout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import regtech_engine
from regtech_engine.packs import builtin_root


def test_installed_package_uses_its_own_rules() -> None:
    package = Path(regtech_engine.__file__).resolve().parent
    root = builtin_root()
    assert (root / "laws.yaml").is_file()
    assert any(root.glob("personal_information/*.yaml"))
    if "site-packages" in package.parts:  # a wheel install (as in CI): no checkout involved
        assert root == package / "builtin_rules"


def test_regtech_runs_from_any_directory(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "regtech_engine", "rules", "list"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    count = int(proc.stdout.strip().splitlines()[-1].split()[0])
    assert count >= 95
