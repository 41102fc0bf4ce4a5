"""``regtech monitor`` on the command line: exit codes, messages, the alert store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import RATES_YAML, row, write_jsonl


def _input(tmp_path: Path) -> Path:
    return write_jsonl(
        tmp_path / "tx.jsonl",
        [
            row(tx_id="a", amount="50000"),
            row(tx_id="bad", amount="-1"),
            row(tx_id="usd", amount="10000", currency="USD"),
        ],
    )


def test_contract_command_line(cli: Any, tmp_path: Path) -> None:
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_YAML, encoding="utf-8")
    out, dead = tmp_path / "alerts.jsonl", tmp_path / "dead.jsonl"
    result = cli(
        "monitor",
        str(_input(tmp_path)),
        "--rates",
        str(rates),
        "--output",
        str(out),
        "--dead-letter",
        str(dead),
    )
    assert result.code == 1  # a row was rejected and --max-rejected is 0
    alerts = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(a["currency_basis"] for a in alerts) == ["CNY", "USD"]
    assert json.loads(dead.read_text(encoding="utf-8"))["line"] == 2
    assert "1 rejected" in result.err
    assert "Traceback" not in result.err


def test_run_subcommand_is_the_same(cli: Any, tmp_path: Path) -> None:
    rates = tmp_path / "rates.yaml"
    rates.write_text(RATES_YAML, encoding="utf-8")
    implied = cli("monitor", str(_input(tmp_path)), "--rates", str(rates))
    explicit = cli("monitor", "run", str(_input(tmp_path)), "--rates", str(rates))
    assert implied.out == explicit.out and implied.out


def test_unreadable_rates_or_rules_exit_2_with_a_message(cli: Any, tmp_path: Path) -> None:
    source = _input(tmp_path)
    bad = tmp_path / "rates.yaml"
    bad.write_text("USD: {cny: -1, usd: 1}\n", encoding="utf-8")
    result = cli("monitor", str(source), "--rates", str(bad))
    assert result.code == 2 and "rates.yaml:1" in result.err
    missing = cli("monitor", str(source), "--rates", str(tmp_path / "none.yaml"))
    assert missing.code == 2 and "none.yaml: cannot read" in missing.err
    rules = tmp_path / "pack" / "aml" / "monitoring"
    rules.mkdir(parents=True)
    (rules / "X.yaml").write_text(
        "id: AML-X\nkind: suspicious\ndocument: transaction\ntypology: fan_in\n"
        "severity: low\ntitle: {en: x, zh: x}\ncitations: []\n"
        "when: {path: fan_in_new_payer, ge: 3}\n",
        encoding="utf-8",
    )
    broken = cli("monitor", str(source), "--rules", str(tmp_path / "pack"))
    assert broken.code == 2
    assert "X.yaml:8" in broken.err and "fan_in_new_payers" in broken.err  # did you mean
    nofile = cli("monitor", str(tmp_path / "nope.jsonl"))
    assert nofile.code == 2
    for r in (result, missing, broken, nofile):
        assert "Traceback" not in r.err


def test_checkpoint_needs_an_output_file(cli: Any, tmp_path: Path) -> None:
    result = cli("monitor", str(_input(tmp_path)), "--checkpoint", str(tmp_path / "ck"))
    assert result.code == 2 and "--output" in result.err


def test_store_list_and_mark(cli: Any, tmp_path: Path) -> None:
    store = tmp_path / "alerts.db"
    assert cli("monitor", str(_input(tmp_path)), "--store", str(store), "--max-rejected", "2").code == 0
    listed = cli("monitor", "alerts", "list", "--store", str(store))
    header, line = listed.out.splitlines()  # the USD row has no rate here: one alert
    assert header.startswith("alert_id")
    alert_id = line.split()[0]
    assert "new" in line and "cash" in line
    assert (
        cli("monitor", "alerts", "mark", alert_id, "reported", "--store", str(store), "--note", "filed").code
        == 0
    )
    assert "reported" in cli("monitor", "alerts", "list", "--store", str(store)).out
    assert cli("monitor", "alerts", "list", "--store", str(store), "--status", "new").out == "no alerts\n"
    assert cli("monitor", "alerts", "mark", "nope", "dismissed", "--store", str(store)).code == 2
    # a second run does not double the stored alerts
    cli("monitor", str(_input(tmp_path)), "--store", str(store))
    assert len(cli("monitor", "alerts", "list", "--store", str(store)).out.splitlines()) == 2


def test_generate_and_evaluate_commands(cli: Any, tmp_path: Path) -> None:
    gen = cli("monitor", "generate", str(tmp_path / "g"), "--n", "1000", "--plants", "1", "--days", "10")
    assert gen.code == 0 and "labels.csv" in gen.out
    scored = cli("monitor", "evaluate", str(tmp_path / "g" / "transactions.jsonl"), "--json")
    assert scored.code == 0
    assert json.loads(scored.out)["typologies"]["large_value"]["recall"] == 1.0


def test_evaluate_says_where_to_get_amlsim(cli: Any, tmp_path: Path) -> None:
    result = cli("monitor", "evaluate", str(tmp_path / "amlsim-10k"))
    assert result.code == 2 and "github.com/IBM/AMLSim" in result.err


def test_a_stream_shorter_than_the_history_needed_says_so(cli: Any, tmp_path: Path) -> None:
    short = write_jsonl(tmp_path / "short.jsonl", [row(tx_id="a")])
    result = cli("monitor", str(short), "--output", str(tmp_path / "a.jsonl"))
    assert result.code == 0 and "note: the stream covers 1 days" in result.err
    assert "monitor.history.min_days" in result.err
    long = write_jsonl(
        tmp_path / "long.jsonl",
        [row(tx_id="a", timestamp="2025-06-01T10:00:00"), row(tx_id="b", timestamp="2025-09-01T10:00:00")],
    )
    result = cli("monitor", str(long), "--output", str(tmp_path / "b.jsonl"))
    assert result.code == 0 and "note:" not in result.err
