"""Reports for the CI-gate tests, made from tests/data only (independent of built-in packs)."""

from __future__ import annotations

import datetime as dt
import shutil
from functools import cache
from pathlib import Path

from regtech_engine.check import Checker
from regtech_engine.findings import Report
from regtech_engine.language.rules import RulePack, load_pack
from regtech_engine.spec.loader import load_spec
from tests.conftest import DATA

GATE_RULES = DATA / "gate_rules"
SPECS = DATA / "specs"
AS_OF = dt.date(2026, 6, 1)
EVIL_NAME = "<script>alert(1)</script> [x](javascript:alert(1)) | &amp;"
EVIL_CATEGORY = "<img src=x onerror=alert(1)>[x](javascript:alert(2))"
GATE_ARGS = ("--no-builtin", "--rules", str(GATE_RULES), "--as-of", AS_OF.isoformat())


@cache
def gate_pack() -> RulePack:
    return load_pack([GATE_RULES], builtin=False)


def report_of(*names: str, as_of: dt.date = AS_OF) -> Report:
    """Check specs from tests/data/specs (by stem) with the gate pack, named relatively."""
    specs = [load_spec(SPECS / f"{n}.yaml", f"tests/data/specs/{n}.yaml") for n in names]
    return Checker(gate_pack(), as_of, backend="reference").report(specs)


def copy_spec(name: str, folder: Path, new_name: str | None = None) -> Path:
    target = folder / f"{new_name or name}.yaml"
    shutil.copyfile(SPECS / f"{name}.yaml", target)
    return target
