"""Transactions and alerts as the contract (contracts/transactions.md) defines them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..findings import Citation

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no daylight saving time

Category = Literal[
    "cash", "entity_transfer", "individual_domestic_transfer", "individual_cross_border_transfer"
]
CATEGORIES: tuple[str, ...] = (
    "cash", "entity_transfer", "individual_domestic_transfer", "individual_cross_border_transfer"
)


class TransactionRow(BaseModel):
    """One input row as written; validated strictly, bad rows go to the dead-letter file."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)

    tx_id: str = Field(min_length=1)
    timestamp: str = Field(min_length=1)
    customer_id: str = Field(min_length=1)
    customer_type: Literal["individual", "entity"]
    account_id: str = Field(min_length=1)
    direction: Literal["in", "out"]
    channel: Literal["cash", "transfer", "card", "wallet"]
    amount: str | int | float
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    counterparty_id: str | None = None
    counterparty_name: str | None = None
    counterparty_country: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    cross_border: bool | None = None


@dataclass(slots=True)
class Tx:
    """A validated transaction with its derived values (Shanghai business day, CNY/USD)."""

    tx_id: str
    at: dt.datetime  # aware, UTC
    epoch: int  # seconds since 1970 (UTC), for windows
    business_date: dt.date  # calendar date in Asia/Shanghai
    customer_id: str
    customer_type: str
    account_id: str
    direction: str
    channel: str
    amount: Decimal
    currency: str
    amount_cny: Decimal  # CNY equivalent (features compare everything in CNY)
    basis: str  # "CNY" for yuan amounts, "USD" for foreign currency (converted to USD)
    basis_amount: Decimal  # the amount on that basis
    category: str
    cross_border: bool
    counterparty_id: str | None
    counterparty_name: str | None
    counterparty_country: str | None
    line: int

    def sort_key(self) -> tuple[int, int, str]:
        return (self.epoch, self.at.microsecond, self.tx_id)


class Alert(BaseModel):
    """One alert line of the output; unset optional fields are left out of the JSON."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alert_id: str
    kind: Literal["large_value", "suspicious"]
    rule_id: str
    typology: str | None = None
    category: str | None = None
    citations: list[Citation]
    customer_id: str
    account_id: str | None = None
    accounts: list[str] | None = None
    direction: str | None = None
    business_date: str
    currency_basis: str | None = None
    total: str | None = None
    tx_ids: list[str]
    report_due: str | None = None
    report_due_error: str | None = None
    window_start: str | None = None
    window_end: str | None = None
    score: int | None = None
    details: dict[str, Any] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
