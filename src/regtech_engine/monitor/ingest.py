"""Reading transaction rows (JSONL, CSV, gzip, standard input) and validating them.

A bad row never stops the run: it becomes a ``DeadRow`` with its line number, a reason code
(rejections are counted and summarised by it), the field and a message, and its full
original text, for the dead-letter file. Rows are yielded as they are read, so standard
input is a stream.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from ..errors import TransactionError, shown
from .clock import Clock, TimestampError
from .rates import Rates
from .records import TRANSACTION_ROW, TransactionRow, Tx

MAX_ROW = 1_000_000  # characters; a transaction row is a few hundred
MAX_AMOUNT_DIGITS = 15  # 10^15 of any currency is no transaction; day totals stay int64
MAX_YEAR = 9000  # later timestamps are out of range (date arithmetic ends at year 9999)
EXCERPT = MAX_ROW  # characters of an over-long row kept in the dead-letter file
CSV_KEY_COLUMNS = ("tx_id", "timestamp")  # a CSV header names at least these

# why a row was rejected: the dead-letter file's `reason` and the summary's groups
REASONS = (
    "bad_json",
    "bad_csv",
    "bad_encoding",
    "too_long",
    "missing_field",
    "invalid_field",
    "unknown_currency",
    "late",
    "future",
    "duplicate_conflict",
)


class InputDamaged(TransactionError):
    """The input cannot be read past a point (a truncated or corrupt .gz, an I/O error):
    the rows before it are monitored, then the run ends with this located error."""


class RowError(ValueError):
    """Why one row cannot be used: a reason code (REASONS), the field if one, a message."""

    def __init__(self, message: str, reason: str = "invalid_field", field: str | None = None) -> None:
        super().__init__(message)
        self.reason, self.field = reason, field


@dataclass(frozen=True)
class DeadRow:
    """A rejected row: where it was, why, and all of its text (nothing is lost silently)."""

    line: int
    reason: str
    message: str
    raw: str
    field: str | None = None

    @classmethod
    def of(cls, line: int, error: RowError, raw: str) -> DeadRow:
        return cls(line, error.reason, str(error), raw, error.field)

    def to_json_dict(self, source: str) -> dict[str, Any]:
        out: dict[str, Any] = {"source": source, "line": self.line, "reason": self.reason}
        if self.field is not None:
            out["field"] = self.field
        out["message"] = self.message
        out["raw"] = self.raw
        return out


def open_text(path: str | Path, stdin: IO[str] | None = None) -> IO[str]:
    """A text stream for a path, ``-`` (standard input) or a ``.gz`` file.

    Bytes that are not UTF-8 are kept as surrogate escapes, so one bad row is rejected
    (``bad_encoding``) instead of ending the run."""
    if str(path) == "-":
        import sys

        if stdin is not None:
            return stdin
        buffer = getattr(sys.stdin, "buffer", None)
        if buffer is None:  # pragma: no cover - a replaced sys.stdin
            return sys.stdin
        return io.TextIOWrapper(buffer, encoding="utf-8", errors="surrogateescape", newline="")
    p = Path(path)
    if p.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(p, "rb"), encoding="utf-8", errors="surrogateescape", newline="")
    return p.open(encoding="utf-8", errors="surrogateescape", newline="")


def escaped_bytes(text: str) -> str:
    """``text`` with undecodable bytes shown as ``\\xNN`` (dead letters are UTF-8 JSON)."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _lines(stream: IO[str], path: str | Path) -> Iterator[tuple[str, bool]]:
    """(line, too long) for each line, reading at most MAX_ROW characters of any line into
    memory (a one-line gzip bomb costs no more than an ordinary row). A stream that cannot
    be read further raises InputDamaged naming the line it stopped at."""
    limit = MAX_ROW + 2  # the row and its line break
    lineno = 0
    try:
        while True:
            text = stream.readline(limit)
            if not text:
                return
            lineno += 1
            if len(text) >= limit and not text.endswith("\n"):
                head = text[:EXCERPT]
                while True:  # skip the rest of the line without keeping it
                    more = stream.readline(1 << 16)
                    if not more or more.endswith("\n"):
                        break
                yield head, True
            else:
                yield text, False
    except (OSError, EOFError, zlib.error) as exc:
        what = "compressed data" if str(path).endswith(".gz") else "data"
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, EOFError):
            reason = "the file ends in the middle of its compressed data (truncated)"
        raise InputDamaged.single(
            f"cannot read the {what} after line {lineno}: {reason[:200]}; the rows before it "
            "were monitored and their alerts written, the rest of the file was not read",
            file=str(path),
            line=lineno + 1,
        ) from None


def _format(path: str | Path, first: str) -> str:
    name = str(path).removesuffix(".gz")
    if name.endswith(".csv"):
        return "csv"
    if name.endswith((".jsonl", ".json", ".ndjson")):
        return "jsonl"
    return "jsonl" if first.lstrip().startswith("{") else "csv"


RawRow = tuple[int, "dict[str, Any] | Json | RowError", str]


class Json(str):
    """A JSONL row's text, still to be parsed (pydantic-core parses and validates at once)."""

    __slots__ = ()


def raw_rows(stream: IO[str], path: str | Path) -> Iterator[RawRow]:
    """(line, CSV mapping / JSON text / why it is unusable, raw text) for each non-empty row."""
    lines = _lines(stream, path)
    first = next(lines, None)
    if first is None:
        return
    text, too_long = first
    text = text.removeprefix("\ufeff")  # spreadsheet exports start with a BOM
    if _format(path, text) == "jsonl":
        yield from _jsonl((text, too_long), lines)
    else:
        yield from _csv((text, too_long), lines, path)


def _too_long() -> RowError:
    return RowError(f"row longer than {MAX_ROW:,} characters (the first {EXCERPT:,} are kept)", "too_long")


def _not_utf8(raw: str) -> RowError | None:
    if raw.isascii():
        return None
    try:
        raw.encode("utf-8")
    except UnicodeEncodeError as exc:
        return RowError(f"not UTF-8 text (an undecodable byte at character {exc.start + 1})", "bad_encoding")
    return None


def _jsonl(first: tuple[str, bool], lines: Iterator[tuple[str, bool]]) -> Iterator[RawRow]:
    for lineno, (text, too_long) in enumerate(itertools.chain((first,), lines), 1):
        raw = text.rstrip("\r\n")
        if too_long:
            yield lineno, _too_long(), escaped_bytes(raw)
        elif raw and not raw.isspace():
            bad = _not_utf8(raw)
            if bad is not None:
                yield lineno, bad, escaped_bytes(raw)
            else:
                yield lineno, Json(raw), raw


def _csv(first: tuple[str, bool], lines: Iterator[tuple[str, bool]], path: str | Path) -> Iterator[RawRow]:
    text, too_long = first
    header = [] if too_long or _not_utf8(text) else next(csv.reader([text]), [])
    if not set(CSV_KEY_COLUMNS) <= {h.strip() for h in header}:
        raise TransactionError.single(
            "a CSV transaction file starts with a header row naming its columns (at least "
            f"{', '.join(CSV_KEY_COLUMNS)}); the first line is "
            f"{shown(escaped_bytes(text.rstrip(chr(13) + chr(10))), 80)}",
            file=str(path),
            line=1,
        )
    lineno = 1
    for text, too_long in lines:
        lineno += 1
        raw = text.rstrip("\r\n")
        if too_long:
            yield lineno, _too_long(), escaped_bytes(raw)
            continue
        if not raw.strip():
            continue
        bad = _not_utf8(raw)
        if bad is not None:
            yield lineno, bad, escaped_bytes(raw)
            continue
        try:
            values = next(csv.reader([raw]))
        except csv.Error as exc:
            yield lineno, RowError(f"not valid CSV: {exc}", "bad_csv"), raw
            continue
        if len(values) != len(header):
            yield lineno, RowError(f"expected {len(header)} columns, found {len(values)}", "bad_csv"), raw
            continue
        row: dict[str, Any] = {k: v for k, v in zip(header, values, strict=True) if v != ""}
        if "cross_border" in row:
            flag = str(row["cross_border"]).lower()
            row["cross_border"] = {"true": True, "false": False, "1": True, "0": False}.get(
                flag, row["cross_border"]
            )
        yield lineno, row, raw


def category_of(channel: str, customer_type: str, cross_border: bool) -> str:
    if channel == "cash":
        return "cash"
    if customer_type == "entity":
        return "entity_transfer"
    return "individual_cross_border_transfer" if cross_border else "individual_domestic_transfer"


def _validated(value: dict[str, Any] | Json) -> TransactionRow:
    try:
        if isinstance(value, Json):
            return TRANSACTION_ROW.validate_json(value)
        return TRANSACTION_ROW.validate_python(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        if err["type"] == "json_invalid":
            raise RowError(f"not valid JSON: {err['ctx']['error']}", "bad_json") from None
        if not err["loc"]:
            raise RowError("a JSONL row must be an object", "bad_json") from None
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "missing":
            raise RowError(f"{where}: {err['msg']}", "missing_field", where) from None
        if err["loc"][0] == "amount":
            raise RowError(f"amount: {shown(err['input'])} is not a number", field="amount") from None
        raise RowError(
            f"{where}: {err['msg']}".replace(
                "String should match pattern", "invalid value, expected pattern"
            ),
            field=where,
        ) from None


def to_tx(value: dict[str, Any] | Json, line: int, rates: Rates, clock: Clock | None = None) -> Tx:
    """Validate one row against the contract; raises RowError with the reason."""
    row = _validated(value)
    given = row["amount"]
    try:
        amount = Decimal(given) if isinstance(given, str | int) else Decimal(str(given))
    except InvalidOperation:
        raise RowError(f"amount: {shown(given)} is not a number", field="amount") from None
    if not amount.is_finite() or amount <= 0:
        raise RowError(f"amount: {shown(given)} must be a positive number", field="amount")
    if amount.adjusted() >= MAX_AMOUNT_DIGITS:
        raise RowError(
            f"amount: {shown(given)} is out of range (at most "
            f"{MAX_AMOUNT_DIGITS} digits before the decimal point)",
            field="amount",
        )
    currency = row["currency"]
    if not rates.known(currency):
        raise RowError(
            f"currency: no rate for {currency} (add it to the rates file)", "unknown_currency", "currency"
        )
    try:
        epoch, micro, business_date = (clock or Clock()).read(row["timestamp"])
    except TimestampError as exc:
        raise RowError(f"timestamp {shown(row['timestamp'])} is {exc}", field="timestamp") from None
    if business_date.year >= MAX_YEAR:
        raise RowError(
            f"timestamp {shown(row['timestamp'])} is out of range (after year {MAX_YEAR})", field="timestamp"
        )
    country = row.get("counterparty_country")
    cross = row.get("cross_border")
    if cross is None:
        cross = country is not None and country != "CN"
    if currency == "CNY":
        basis, basis_amount, cny = "CNY", amount, amount
    else:
        basis, basis_amount, cny = "USD", rates.usd(amount, currency), rates.cny(amount, currency)
    channel, customer_type = row["channel"], row["customer_type"]
    # positional: keyword arguments cost as much again as the rest of this function
    return Tx(
        row["tx_id"],
        epoch,
        micro,
        business_date,
        row["customer_id"],
        customer_type,
        row["account_id"],
        row["direction"],
        channel,
        amount,
        currency,
        cny,
        basis,
        basis_amount,
        category_of(channel, customer_type, cross),
        cross,
        row.get("counterparty_id"),
        row.get("counterparty_name"),
        country,
        line,
        row.get("customer_segment"),
    )


def read_rows(
    stream: IO[str], path: str | Path, rates: Rates, skip: int = 0
) -> Iterator[tuple[int, Tx | DeadRow, str]]:
    """(row number, Tx or DeadRow, its text); ``skip`` rows already consumed (resume) are not
    parsed. The text is kept for rows rejected later (a stream's late rows)."""
    n = 0
    clock = Clock()
    for line, value, raw in raw_rows(stream, path):
        n += 1
        if n <= skip:
            continue
        if isinstance(value, RowError):
            yield n, DeadRow.of(line, value, raw), raw
            continue
        try:
            yield n, to_tx(value, line, rates, clock), raw
        except RowError as exc:
            yield n, DeadRow.of(line, exc, raw), raw


def read_transactions(
    stream: IO[str], path: str | Path, rates: Rates, skip: int = 0
) -> Iterator[tuple[int, Tx | DeadRow]]:
    """(row number, Tx or DeadRow); ``skip`` rows already consumed (resume) are not parsed."""
    for n, item, _raw in read_rows(stream, path, rates, skip):
        yield n, item
