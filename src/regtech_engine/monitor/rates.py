"""Exchange rates: one unit of a currency in CNY and in USD (contract: rates file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import InputError, Problem, TransactionError
from ..files.yamlio import Document, read_document


@dataclass(frozen=True)
class Rates:
    """CNY needs no entry; a currency without a rate makes its rows input errors."""

    table: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)

    def known(self, currency: str) -> bool:
        return currency == "CNY" or currency in self.table

    def cny(self, amount: Decimal, currency: str) -> Decimal:
        return amount if currency == "CNY" else amount * self.table[currency][0]

    def usd(self, amount: Decimal, currency: str) -> Decimal:
        return amount * self.table[currency][1]


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    # a rate is a few digits either side of the point: 1e400 CNY to the dollar is a typo
    return number if number.is_finite() and number > 0 and -9 <= number.adjusted() <= 9 else None


def read_input_file(path: Path) -> Document:
    """A monitoring input file (rates, holidays) read safely; problems as TransactionError."""
    try:
        return read_document(path)
    except InputError as exc:  # read_document also turns OSError into a located problem
        raise TransactionError(exc.problems) from None


def load_rates(path: Path) -> Rates:
    """Read a rates file; any problem is a TransactionError naming the file and line."""
    doc = read_input_file(path)
    if not isinstance(doc.data, dict):
        raise TransactionError.single(
            "a rates file maps currencies to {cny: N, usd: N}", file=doc.file, line=1
        )
    table: dict[str, tuple[Decimal, Decimal]] = {}
    problems: list[Problem] = []
    for code, body in doc.data.items():
        line = doc.line_of((code,))
        if not isinstance(code, str) or len(code) != 3 or not code.isupper():
            problems.append(Problem("not an ISO 4217 currency code", doc.file, line, str(code)))
            continue
        if not isinstance(body, dict) or set(body) != {"cny", "usd"}:
            problems.append(Problem("expected {cny: N, usd: N}", doc.file, line, code))
            continue
        cny, usd = _decimal(body["cny"]), _decimal(body["usd"])
        if cny is None or usd is None:
            problems.append(Problem("rates must be positive numbers", doc.file, line, code))
            continue
        table[code] = (cny, usd)
    if problems:
        raise TransactionError(problems)
    return Rates(table)
