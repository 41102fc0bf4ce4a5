"""Reading transaction rows (JSONL, CSV, gzip, standard input) and validating them.

A bad row never stops the run: it becomes a ``DeadRow`` with its line number and the reason,
for the dead-letter file. Rows are yielded as they are read, so standard input is a stream.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from .models import SHANGHAI, TransactionRow, Tx
from .rates import Rates

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class DeadRow:
    line: int
    reason: str
    raw: str

    def to_json_dict(self, source: str) -> dict[str, Any]:
        return {"source": source, "line": self.line, "reason": self.reason, "raw": self.raw}


def open_text(path: str | Path, stdin: IO[str] | None = None) -> IO[str]:
    """A text stream for a path, ``-`` (standard input) or a ``.gz`` file."""
    if str(path) == "-":
        import sys

        return stdin or sys.stdin
    p = Path(path)
    if p.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8", newline="")
    return p.open(encoding="utf-8", newline="")


def _format(path: str | Path, first: str) -> str:
    name = str(path).removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    return "jsonl" if first.lstrip().startswith("{") else "csv"


def raw_rows(stream: IO[str], path: str | Path) -> Iterator[tuple[int, dict[str, Any] | str, str]]:
    """(line, parsed mapping or an error reason, raw text) for each non-empty row."""
    first = stream.readline()
    if not first:
        return
    if _format(path, first) == "jsonl":
        yield from _jsonl(first, stream)
    else:
        yield from _csv(first, stream)


def _jsonl(first: str, stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | str, str]]:
    lineno = 0
    for text in _chain(first, stream):
        lineno += 1
        raw = text.rstrip("\r\n")
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield lineno, f"not valid JSON: {exc.msg}", raw
            continue
        if not isinstance(value, dict):
            yield lineno, "a JSONL row must be an object", raw
            continue
        yield lineno, value, raw


def _csv(first: str, stream: IO[str]) -> Iterator[tuple[int, dict[str, Any] | str, str]]:
    header = next(csv.reader([first]))
    lineno = 1
    for text in stream:
        lineno += 1
        raw = text.rstrip("\r\n")
        if not raw.strip():
            continue
        try:
            values = next(csv.reader([raw]))
        except csv.Error as exc:
            yield lineno, f"not valid CSV: {exc}", raw
            continue
        if len(values) != len(header):
            yield lineno, f"expected {len(header)} columns, found {len(values)}", raw
            continue
        row: dict[str, Any] = {k: v for k, v in zip(header, values, strict=True) if v != ""}
        if "cross_border" in row:
            flag = str(row["cross_border"]).lower()
            row["cross_border"] = {"true": True, "false": False, "1": True, "0": False}.get(
                flag, row["cross_border"])
        yield lineno, row, raw


def _chain(first: str, stream: IO[str]) -> Iterator[str]:
    yield first
    yield from stream


class RowError(ValueError):
    """Why one row cannot be used."""


def parse_timestamp(text: str) -> dt.datetime:
    """ISO 8601; naive = Asia/Shanghai; returned in UTC."""
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"timestamp {text!r} is not ISO 8601") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=SHANGHAI)
    return stamp.astimezone(dt.UTC)


def category_of(channel: str, customer_type: str, cross_border: bool) -> str:
    if channel == "cash":
        return "cash"
    if customer_type == "entity":
        return "entity_transfer"
    return "individual_cross_border_transfer" if cross_border else "individual_domestic_transfer"


def to_tx(row: dict[str, Any], line: int, rates: Rates) -> Tx:
    """Validate one row against the contract; raises RowError with the reason."""
    try:
        model = TransactionRow.model_validate(row)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"])
        raise RowError(f"{where}: {err['msg']}".replace("String should match pattern", "invalid"
                       " value, expected pattern")) from None
    if isinstance(model.amount, bool):
        raise RowError("amount: not a number")
    try:
        amount = Decimal(str(model.amount))
    except InvalidOperation:
        raise RowError(f"amount: {model.amount!r} is not a number") from None
    if not amount.is_finite() or amount <= 0:
        raise RowError(f"amount: {model.amount!r} must be a positive number")
    if not rates.known(model.currency):
        raise RowError(f"currency: no rate for {model.currency} (add it to the rates file)")
    at = parse_timestamp(model.timestamp)
    cross = model.cross_border
    if cross is None:
        cross = model.counterparty_country is not None and model.counterparty_country != "CN"
    if model.currency == "CNY":
        basis, basis_amount = "CNY", amount
    else:
        basis, basis_amount = "USD", rates.usd(amount, model.currency)
    return Tx(
        tx_id=model.tx_id,
        at=at,
        epoch=int((at - _EPOCH).total_seconds() // 1),
        business_date=at.astimezone(SHANGHAI).date(),
        customer_id=model.customer_id,
        customer_type=model.customer_type,
        account_id=model.account_id,
        direction=model.direction,
        channel=model.channel,
        amount=amount,
        currency=model.currency,
        amount_cny=rates.cny(amount, model.currency),
        basis=basis,
        basis_amount=basis_amount,
        category=category_of(model.channel, model.customer_type, cross),
        cross_border=cross,
        counterparty_id=model.counterparty_id,
        counterparty_name=model.counterparty_name,
        counterparty_country=model.counterparty_country,
        line=line,
    )


def read_transactions(
    stream: IO[str], path: str | Path, rates: Rates, skip: int = 0
) -> Iterator[tuple[int, Tx | DeadRow]]:
    """(row number, Tx or DeadRow); ``skip`` rows already consumed (resume) are not parsed."""
    n = 0
    for line, value, raw in raw_rows(stream, path):
        n += 1
        if n <= skip:
            continue
        if isinstance(value, str):
            yield n, DeadRow(line, value, raw)
            continue
        try:
            yield n, to_tx(value, line, rates)
        except RowError as exc:
            yield n, DeadRow(line, str(exc), raw)
