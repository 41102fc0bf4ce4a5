"""Documents that cannot raise an alert are left out of the rules' session
(loop.SKIP_SILENT): the alerts are byte-identical to evaluating every document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from regtech_engine.monitor import loop, rules
from regtech_engine.monitor.generate import SUSPICIOUS, GeneratorConfig, write_dataset
from regtech_engine.monitor.limits import Limits
from regtech_engine.monitor.rates import load_rates
from regtech_engine.monitor.rules import MonitoringPack
from regtech_engine.monitor.runner import RunOptions, run

from .conftest import read_alerts


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every typology planted, with history before it."""
    return write_dataset(tmp_path_factory.mktemp("gen"), GeneratorConfig(n=4000, seed=5, plants=2, days=12))


@pytest.mark.parametrize(
    "limits",
    [Limits(), Limits(close_chunk=7, ledger_briefs=300)],  # chunk edges and evictions too
    ids=["default", "tiny-chunks"],
)
def test_skipping_silent_documents_gives_the_same_bytes(
    planted: list[Path], monitoring_pack: MonitoringPack, tmp_path: Path, monkeypatch: Any, limits: Limits
) -> None:
    source, _, rates = planted
    evaluated: dict[bool, int] = {}
    real_fire = rules.fire  # the name loop.py calls, patched there below

    def counting(ruleset: Any, docs: list[dict[str, Any]], batch: int = loop.BATCH) -> Any:
        evaluated[loop.SKIP_SILENT] = evaluated.get(loop.SKIP_SILENT, 0) + len(docs)
        return real_fire(ruleset, docs, batch)

    monkeypatch.setattr(loop, "fire", counting)
    out: dict[bool, bytes] = {}
    for skip in (False, True):
        monkeypatch.setattr(loop, "SKIP_SILENT", skip)
        path = tmp_path / f"{skip}.jsonl"
        result = run(RunOptions(str(source), monitoring_pack, load_rates(rates), output=path, limits=limits))
        out[skip] = path.read_bytes()
        if limits.ledger_briefs < Limits().ledger_briefs:
            assert result.caps.counts["ledger_briefs"] > 0
    alerts = read_alerts(tmp_path / "True.jsonl")
    assert {a["typology"] for a in alerts if a["kind"] == "suspicious"} == set(SUSPICIOUS)
    assert out[True] == out[False]
    # some documents were left out (most rows carry some typology's evidence: an account
    # active before has dormancy evidence, a payer with a window fan-out evidence)
    assert evaluated[True] < evaluated[False]
