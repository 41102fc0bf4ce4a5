"""The realistic population: scored for alert volume and lift beside recall and precision."""

from __future__ import annotations

from pathlib import Path

from regtech_engine.monitor.generate import GeneratorConfig, generate, write_dataset
from regtech_engine.monitor.scoring import evaluate_path


def _config(**kw: object) -> GeneratorConfig:
    base: dict[str, object] = {
        "seed": 3,
        "plants": 2,
        "days": 30,
        "history_days": 60,
        "population": "realistic",
        "customers": 250,
    }
    base.update(kw)
    return GeneratorConfig(**base)  # type: ignore[arg-type]


def test_the_realistic_population_is_seeded_and_declares_segments() -> None:
    first, labels = generate(_config())
    again, _ = generate(_config())
    rows = list(first)
    assert rows == list(again)
    assert {r["customer_segment"] for r in rows} >= {"retail", "merchant", "broker", "escrow"}
    assert len(labels) == 10  # two of each planted typology


def test_the_scorer_reports_alerted_share_per_month_and_lift(tmp_path: Path) -> None:
    write_dataset(tmp_path / "real", _config())
    scores = evaluate_path(tmp_path / "real")
    report = scores.to_json()
    assert 0 < report["base_rate"] < 0.2
    total = report["all_suspicious"]
    assert set(total) >= {"alerted_share_per_month", "alerted_by_month", "lift"}
    assert total["alerted_by_month"]  # one share per month of the data
    fan_out = report["typologies"]["fan_out"]
    assert fan_out["naive"]["rule"].startswith(">= 5 distinct payees")
    assert "alerted_share_per_month" in fan_out["naive"]
    text = scores.render()
    assert "alerted/month" in text and "naive rule" in text and "base rate" in text
