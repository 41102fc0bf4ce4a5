"""Where alerts go: JSONL (always) and optionally an SQLite store analysts can list and mark."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from ..errors import TransactionError
from .records import Alert

STATUSES = ("new", "reviewing", "reported", "dismissed")


def alert_line(alert: Alert) -> str:
    return json.dumps(alert.to_json_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


class JsonlSink:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, alerts: Iterable[Alert]) -> None:
        for alert in alerts:
            self.stream.write(alert_line(alert))


class AlertStore:
    """SQLite (the embedded default): one row per alert; re-adding an alert is a no-op."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the store; a file that is not one is a located TransactionError."""
        self.path = path
        try:
            self.db = sqlite3.connect(path)
        except sqlite3.Error as exc:
            raise TransactionError.single(f"cannot open the alert store: {exc}", file=str(path)) from None
        try:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS alerts (alert_id TEXT PRIMARY KEY, kind TEXT, "
                "typology TEXT, customer_id TEXT, business_date TEXT, body TEXT, "
                "status TEXT NOT NULL DEFAULT 'new', note TEXT)"
            )
            self.db.execute("SELECT alert_id, body, status, note FROM alerts LIMIT 1")
        except sqlite3.Error as exc:
            self.db.close()
            raise TransactionError.single(
                f"not a usable alert store (SQLite): {exc}", file=str(path)
            ) from None

    def add(self, alerts: Iterable[Alert]) -> None:
        rows = [
            (
                a.alert_id,
                a.kind,
                a.typology or a.category,
                a.customer_id,
                a.business_date,
                json.dumps(a.to_json_dict(), ensure_ascii=False),
            )
            for a in alerts
        ]
        with self.db:
            self.db.executemany(
                "INSERT OR IGNORE INTO alerts (alert_id, kind, typology, customer_id, "
                "business_date, body) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def list(self, status: str | None = None, kind: str | None = None) -> list[dict[str, Any]]:
        query = "SELECT body, status, note FROM alerts WHERE 1=1"
        args: list[str] = []
        if status:
            query += " AND status = ?"
            args.append(status)
        if kind:
            query += " AND kind = ?"
            args.append(kind)
        query += " ORDER BY business_date, alert_id"
        out = []
        for body, st, note in self.db.execute(query, args):
            item = json.loads(body)
            item["status"] = st
            if note:
                item["note"] = note
            out.append(item)
        return out

    def mark(self, alert_id: str, status: str, note: str | None = None) -> bool:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        with self.db:
            cur = self.db.execute(
                "UPDATE alerts SET status = ?, note = COALESCE(?, note) WHERE alert_id = ?",
                (status, note, alert_id),
            )
        return cur.rowcount > 0

    def close(self) -> None:
        self.db.close()
