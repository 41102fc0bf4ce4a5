"""AMLSim scoring: its README's rule, with cycles found by cycle or layering alerts."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

from regtech_engine.monitor.scoring import score_amlsim


def _amlsim(folder: Path) -> Path:
    """Two planted cycles (alerts 1, 2) and one fan-in (3) in AMLSim's layout."""
    folder.mkdir()
    (folder / "alerts.csv").write_text(
        "alert_id,typology,account_id\n"
        + "".join(f"1,cycle,{a}\n" for a in ("A1", "A2", "A3"))
        + "".join(f"2,cycle,{a}\n" for a in ("B1", "B2", "B3", "B4"))
        + "".join(f"3,fan_in,{a}\n" for a in ("H", "P1", "P2")),
        encoding="utf-8",
    )
    transfers = [
        ("1", "A1", "A2", "2018-01-10"),
        ("2", "A2", "A3", "2018-01-12"),
        ("3", "A3", "A1", "2018-01-15"),
        ("4", "B1", "B2", "2018-02-01"),
        ("5", "B2", "B3", "2018-02-03"),
        ("6", "B3", "B4", "2018-02-05"),
        ("7", "P1", "H", "2018-03-01"),
        ("8", "P2", "H", "2018-03-02"),
    ]
    alert_of = {"1": 1, "2": 1, "3": 1, "4": 2, "5": 2, "6": 2, "7": 3, "8": 3}
    (folder / "labels.csv").write_text(
        "tx_id,alert_id,typology,accounts\n"
        + "".join(
            f"{t},{alert_of[t]},{'fan_in' if alert_of[t] == 3 else 'cycle'},{s} {d}\n"
            for t, s, d, _ in transfers
        ),
        encoding="utf-8",
    )
    header = (
        "tx_id,timestamp,customer_id,customer_type,account_id,direction,channel,amount,"
        "currency,counterparty_id\n"
    )
    with gzip.open(folder / "transactions.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(header)
        for t, s, d, day in transfers:
            fh.write(f"{t}-out,{day}T00:00:00Z,C{s},individual,{s},out,transfer,100,USD,{d}\n")
            fh.write(f"{t}-in,{day}T00:00:00Z,C{d},individual,{d},in,transfer,100,USD,{s}\n")
    return folder


def _alert(typology: str, accounts: list[str], start: str, end: str) -> dict[str, Any]:
    return {
        "kind": "suspicious",
        "typology": typology,
        "account_id": accounts[0],
        "accounts": accounts,
        "window_start": f"{start}T00:00:00+08:00",
        "window_end": f"{end}T00:00:00+08:00",
        "business_date": end,
    }


def test_a_cycle_is_found_by_a_cycle_or_a_layering_alert(tmp_path: Path) -> None:
    alerts = [
        _alert("cycle", ["A1", "A2", "A3"], "2018-01-10", "2018-01-15"),  # finds 1
        _alert("layering", ["B1", "B2", "B3", "B4"], "2018-02-01", "2018-02-05"),  # finds 2
        _alert("layering", ["B1", "B2"], "2018-06-01", "2018-06-05"),  # outside its period
        _alert("layering", ["A1", "X9"], "2018-01-10", "2018-01-15"),  # one account only
        _alert("fan_in", ["H"], "2018-03-01", "2018-03-02"),
        _alert("structuring", ["Q"], "2018-03-01", "2018-03-02"),
    ]
    scores = score_amlsim(alerts, _amlsim(tmp_path / "amlsim"))
    cycle = scores.rows["cycle"]
    assert (cycle.planted, cycle.found, cycle.alerts, cycle.true_alerts) == (2, 2, 4, 2)
    assert (cycle.by["cycle"].found, cycle.by["cycle"].precision) == (1, 1.0)
    assert (cycle.by["layering"].found, cycle.by["layering"].alerts, cycle.by["layering"].true_alerts) == (
        1,
        3,
        1,
    )
    assert (scores.rows["fan_in"].found, scores.rows["fan_in"].recall) == (1, 1.0)
    assert dict(scores.unlabelled) == {"structuring": 1}
    assert "  by layering" in scores.render()
    assert scores.to_json()["typologies"]["cycle"]["by"]["cycle"]["recall"] == 0.5
