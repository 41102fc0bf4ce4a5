"""Large-value day totals: per (customer, direction, category, currency basis) for the open
business day only; handed over to the day_total rules and dropped when the day closes."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .records import Tx

TotalKey = tuple[str, str, str, str]  # customer, direction, category, basis


@dataclass(slots=True)
class DayTotal:
    customer_type: str
    total: Decimal = Decimal(0)
    tx_ids: list[str] = field(default_factory=list)


@dataclass
class DayTotals:
    totals: dict[TotalKey, DayTotal] = field(default_factory=dict)

    def add(self, tx: Tx) -> None:
        key = (tx.customer_id, tx.direction, tx.category, tx.basis)
        total = self.totals.get(key)
        if total is None:  # most customers make one transaction a day
            self.totals[key] = DayTotal(tx.customer_type, tx.basis_amount, [tx.tx_id])
        else:
            total.total += tx.basis_amount
            total.tx_ids.append(tx.tx_id)

    def take(self) -> dict[TotalKey, DayTotal]:
        """The closed day's totals; the next day starts from nothing."""
        out, self.totals = self.totals, {}
        return out
