"""Generated data with planted typologies: reproducible, and found by the shipped pack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from regtech_engine.monitor.generate import SUSPICIOUS, GeneratorConfig, write_dataset
from regtech_engine.monitor.scoring import evaluate_path, score_generated


def test_same_seed_same_files(tmp_path: Path) -> None:
    cfg = GeneratorConfig(n=800, seed=42, plants=1, days=8)
    a = write_dataset(tmp_path / "a", cfg)
    b = write_dataset(tmp_path / "b", cfg)
    for x, y in zip(a, b, strict=True):
        assert x.read_bytes() == y.read_bytes()
    c = write_dataset(tmp_path / "c", GeneratorConfig(n=800, seed=43, plants=1, days=8))
    assert c[0].read_bytes() != a[0].read_bytes()


def test_planted_typologies_are_found(tmp_path: Path) -> None:
    files = write_dataset(tmp_path / "gen", GeneratorConfig(n=6000, seed=5, plants=5), "csv")
    scores = evaluate_path(files[0])
    rows = scores.rows
    assert rows["large_value"].planted == 20
    assert rows["large_value"].recall == 1.0
    for typology in SUSPICIOUS:
        assert rows[typology].planted == 5
        recall = rows[typology].recall
        assert recall is not None and recall >= 0.95, typology
        assert rows[typology].precision is not None  # reported; background is kept clean
    assert all(s.precision == 1.0 for s in rows.values()), scores.render()


def test_scoring_counts_misses_and_false_alarms(tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "instance_id,typology,kind,customer_id,account_id,business_date,direction,category,"
        "currency_basis,tx_ids\n"
        "lv-1,large_value,large_value,C1,,2025-09-01,in,cash,CNY,a b\n"
        "fi-1,fan_in,suspicious,C2,A2,,,,,f1 f2 f3\n"
        "fi-2,fan_in,suspicious,C3,A3,,,,,g1 g2\n",
        encoding="utf-8",
    )
    alerts: list[dict[str, Any]] = [
        {
            "kind": "large_value",
            "customer_id": "C1",
            "business_date": "2025-09-01",
            "direction": "in",
            "category": "cash",
            "currency_basis": "CNY",
            "tx_ids": ["a", "b"],
        },
        {
            "kind": "large_value",
            "customer_id": "C9",
            "business_date": "2025-09-01",
            "direction": "in",
            "category": "cash",
            "currency_basis": "CNY",
            "tx_ids": ["z"],
        },
        {"kind": "suspicious", "typology": "fan_in", "tx_ids": ["f2"]},
        {"kind": "suspicious", "typology": "cycle", "tx_ids": ["q"]},
    ]
    scores = score_generated(alerts, labels)
    assert (scores.rows["large_value"].recall, scores.rows["large_value"].precision) == (1, 0.5)
    assert (scores.rows["fan_in"].recall, scores.rows["fan_in"].precision) == (0.5, 1)
    assert scores.unlabelled == {"cycle": 1}
    assert "fan_in" in scores.render()
