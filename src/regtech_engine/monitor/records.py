"""Transactions and alerts as the contract (contracts/transactions.md) defines them."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, StringConstraints, TypeAdapter
from typing_extensions import TypedDict

from ..findings import Citation, Text
from ..timezone import SHANGHAI

Category = Literal[
    "cash", "entity_transfer", "individual_domestic_transfer", "individual_cross_border_transfer"
]
CATEGORIES: tuple[str, ...] = (
    "cash",
    "entity_transfer",
    "individual_domestic_transfer",
    "individual_cross_border_transfer",
)
# what the institution declared about the customer at onboarding (KYC); optional in a row
Segment = Literal["retail", "merchant", "broker", "escrow", "business"]


_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class TransactionRow(TypedDict):
    """One input row as written; validated strictly, bad rows go to the dead-letter file.

    A TypedDict rather than a model: rows are validated straight from their JSON text by
    pydantic-core, and building no model instance per row makes reading ~4x faster.
    """

    __pydantic_config__ = ConfigDict(extra="ignore")  # type: ignore[misc]

    tx_id: _Text
    timestamp: _Text
    customer_id: _Text
    customer_type: Literal["individual", "entity"]
    account_id: _Text
    direction: Literal["in", "out"]
    channel: Literal["cash", "transfer", "card", "wallet"]
    amount: StrictStr | StrictInt | StrictFloat  # strict: true/false is not an amount
    currency: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{3}$")]
    counterparty_id: NotRequired[_Text | None]
    counterparty_name: NotRequired[_Text | None]
    counterparty_country: NotRequired[
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z]{2}$")] | None
    ]
    cross_border: NotRequired[bool | None]
    customer_segment: NotRequired[Segment | None]


TRANSACTION_ROW: TypeAdapter[TransactionRow] = TypeAdapter(TransactionRow)


@dataclass(slots=True)
class Tx:
    """A validated transaction with its derived values (Shanghai business day, CNY/USD)."""

    tx_id: str
    epoch: int  # seconds since 1970 (UTC), floored, for windows
    micro: int  # the timestamp's microsecond (orders rows within one second)
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
    customer_segment: str | None = None  # declared segment (Segment), None when not declared


# the processing order within a business day: time, then tx_id (attrgetter: no Python call)
SORT_KEY = operator.attrgetter("epoch", "micro", "tx_id")


def iso_time(epoch: int) -> str:
    """An event time as alerts and messages show it (ISO 8601, Asia/Shanghai)."""
    return dt.datetime.fromtimestamp(epoch, SHANGHAI).isoformat()


class AlertTransaction(BaseModel):
    """One transaction behind an alert, as the input gave it (time in Asia/Shanghai)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tx_id: str
    time: str | None = None
    account_id: str | None = None
    direction: str | None = None
    channel: str | None = None
    amount: str | None = None
    currency: str | None = None
    counterparty_id: str | None = None
    counterparty_name: str | None = None
    counterparty_country: str | None = None


class FeatureTest(BaseModel):
    """A test of the rule that held: the feature's value against the threshold in force."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    feature: str
    value: bool | int | float
    test: str  # ge, gt, le, lt, eq, ne
    threshold: bool | int | float
    parameter: str | None = None  # the parameter the threshold comes from (None: a literal)


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
    customer_type: str | None = None  # large-value reports: individual or entity
    currencies: list[str] | None = None  # large-value reports: the currencies cumulated
    transactions: list[AlertTransaction] = []
    features: list[FeatureTest] = []
    narrative: Text | None = None
    # caps of monitor/limits.py that touched this alert's evidence (None: none did)
    limits: list[str] | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)
