"""Alerts as an analyst reads them: a table with headers, or CSV for a spreadsheet.

Core code: it returns text, the CLI prints it. The input is the alerts as stored (JSON
dicts with ``status``), in the store's order, so the same store gives the same bytes.
The table has one line per alert (and, with details, its narrative and transactions); the
CSV one line per transaction of each alert, with the alert's filing fields repeated, so a
large-value report can be filed from it and a suspicious alert reviewed without the input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

Item = dict[str, Any]

ALERT_COLUMNS = (
    "alert_id",
    "status",
    "kind",
    "rule",
    "customer",
    "account",
    "business_date",
    "direction",
    "amount",
    "currency",
    "txs",
    "report_due",
    "thresholds",
)
TX_COLUMNS = (
    "tx_id",
    "time",
    "account_id",
    "direction",
    "channel",
    "amount",
    "currency",
    "counterparty_id",
    "counterparty_name",
    "counterparty_country",
)
CSV_COLUMNS = (
    "alert_id",
    "status",
    "kind",
    "rule_id",
    "typology",
    "category",
    "customer_id",
    "customer_type",
    "account",
    "business_date",
    "direction",
    "currency_basis",
    "total",
    "report_due",
    "window_start",
    "window_end",
    "thresholds",
    *(f"tx_{c}" if c != "tx_id" else c for c in TX_COLUMNS),
    "narrative_en",
    "narrative_zh",
    "note",
)
_OPS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<", "eq": "=", "ne": "!="}


def _thresholds(item: Item) -> str:
    return "; ".join(
        f"{t['feature']} {t['value']} {_OPS.get(t['test'], t['test'])} {t['threshold']}"
        + (f" ({t['parameter']})" if t.get("parameter") else "")
        for t in item.get("features", [])
    )


def _amount(item: Item) -> tuple[str, str]:
    """(amount, currency): a report's cumulative total, else the transactions' sum."""
    if item.get("total") is not None:
        return f"{Decimal(item['total']):,.2f}", str(item.get("currency_basis", ""))
    sums: dict[str, Decimal] = {}
    for tx in item.get("transactions", []):
        if tx.get("amount") is not None:
            sums[tx["currency"]] = sums.get(tx["currency"], Decimal(0)) + Decimal(tx["amount"])
    if len(sums) != 1:
        return "; ".join(f"{v:,.2f} {k}" for k, v in sorted(sums.items())), ""
    [(currency, total)] = sums.items()
    return f"{total:,.2f}", currency


def _account(item: Item) -> str:
    if item.get("account_id"):
        return str(item["account_id"])
    return ", ".join(item.get("accounts") or []) if item["kind"] == "large_value" else ""


def alert_row(item: Item) -> list[str]:
    amount, currency = _amount(item)
    return [
        item["alert_id"],
        item.get("status", ""),
        item["kind"],
        item.get("typology") or item.get("category") or "",
        item["customer_id"],
        _account(item),
        item["business_date"],
        item.get("direction") or "",
        amount,
        currency,
        str(len(item.get("tx_ids", []))),
        item.get("report_due") or item.get("report_due_error") or "",
        _thresholds(item),
    ]


def _grid(header: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    return [
        indent + "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]


def render_table(items: Sequence[Item], details: bool = False, lang: str = "en") -> str:
    """One line per alert under a header; with ``details``, each alert's narrative and its
    transactions follow it."""
    if not items:
        return "no alerts\n"
    if not details:
        return "\n".join(_grid(ALERT_COLUMNS, [alert_row(i) for i in items])) + "\n"
    lines: list[str] = []
    for item in items:
        lines.extend(_grid(ALERT_COLUMNS, [alert_row(item)]))
        narrative = (item.get("narrative") or {}).get(lang)
        if narrative:
            lines.append(f"  {narrative}")
        txs = [[str(tx.get(c) or "") for c in TX_COLUMNS] for tx in item.get("transactions", [])]
        if txs:
            lines.extend(_grid(TX_COLUMNS, txs, indent="  "))
        lines.append("")
    return "\n".join(lines)


def render_csv(items: Sequence[Item]) -> str:
    """One CSV line per transaction of each alert (an alert without any: one line)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        narrative = item.get("narrative") or {}
        head = [
            item["alert_id"],
            item.get("status", ""),
            item["kind"],
            item["rule_id"],
            item.get("typology", ""),
            item.get("category", ""),
            item["customer_id"],
            item.get("customer_type", ""),
            _account(item),
            item["business_date"],
            item.get("direction", ""),
            item.get("currency_basis", ""),
            item.get("total", ""),
            item.get("report_due") or item.get("report_due_error", ""),
            item.get("window_start", ""),
            item.get("window_end", ""),
            _thresholds(item),
        ]
        tail = [narrative.get("en", ""), narrative.get("zh", ""), item.get("note", "")]
        txs = item.get("transactions") or [{"tx_id": i} for i in item.get("tx_ids", [])] or [{}]
        for tx in txs:
            writer.writerow([*head, *(tx.get(c) or "" for c in TX_COLUMNS), *tail])
    return buffer.getvalue()
