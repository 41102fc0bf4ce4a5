"""Large-value day totals: per (customer, direction, category, currency basis) for the open
business day only; handed over to the day_total rules and dropped when the day closes.

A total keeps what its report needs without the day's rows: the sum and the count (always
exact), the accounts and currencies cumulated, and the tx_ids up to ``cap`` (the first in
processing order; ``Limits.day_total_tx_ids``): a customer with millions of transactions a
day costs one total, and its report says how many ids it lists of how many.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .records import Tx

TotalKey = tuple[str, str, str, str]  # customer, direction, category, basis
TX_IDS = 10_000  # the default of Limits.day_total_tx_ids (Monitor.attach sets the cap)


@dataclass(slots=True)
class DayTotal:
    customer_type: str
    total: Decimal = Decimal(0)
    tx_ids: list[str] = field(default_factory=list)  # the first ``cap`` of them
    count: int = 0  # transactions in the total (all of them)
    account: str = ""  # the first account; more_accounts only when there are others
    currency: str = ""
    more_accounts: set[str] | None = None
    more_currencies: set[str] | None = None

    @property
    def accounts(self) -> list[str]:
        return sorted({self.account, *(self.more_accounts or ())})

    @property
    def currencies(self) -> list[str]:
        return sorted({self.currency, *(self.more_currencies or ())})


@dataclass
class DayTotals:
    totals: dict[TotalKey, DayTotal] = field(default_factory=dict)
    cap: int = TX_IDS  # tx_ids listed per total (configuration, set by Monitor.attach)

    def add(self, tx: Tx) -> None:
        key = (tx.customer_id, tx.direction, tx.category, tx.basis)
        total = self.totals.get(key)
        if total is None:  # most customers make one transaction a day
            self.totals[key] = DayTotal(
                tx.customer_type, tx.basis_amount, [tx.tx_id], 1, tx.account_id, tx.currency
            )
            return
        total.total += tx.basis_amount
        total.count += 1
        if total.count <= self.cap:
            total.tx_ids.append(tx.tx_id)
        if tx.account_id != total.account:
            if total.more_accounts is None:
                total.more_accounts = set()
            total.more_accounts.add(tx.account_id)
        if tx.currency != total.currency:
            if total.more_currencies is None:
                total.more_currencies = set()
            total.more_currencies.add(tx.currency)

    def take(self) -> dict[TotalKey, DayTotal]:
        """The closed day's totals; the next day starts from nothing."""
        out, self.totals = self.totals, {}
        return out
