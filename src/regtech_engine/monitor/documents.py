"""The documents monitoring rules read, as pydantic models (the rule loader's scope).

Rule conditions are checked against these models when loaded, so a misspelt feature is a
load-time error with a suggestion. Every value is a plain integer, boolean or word: money is
whole units (floored, which is exact for at-or-above tests against whole-unit thresholds),
because durable_rules has no decimals.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from .records import Category

PeerGroup = Literal["individual", "business", "intermediary"]


class TransactionFeatures(BaseModel):
    """One transaction with the windowed aggregates around it (see features.py)."""

    model_config = ConfigDict(extra="forbid")

    direction: Literal["in", "out"]
    channel: Literal["cash", "transfer", "card", "wallet"]
    customer_type: Literal["individual", "entity"]
    peer_group: PeerGroup  # declared segment's peer group, else by customer type (features.py)
    category: Category
    cross_border: bool
    amount_cny: int
    structuring_count: int  # near-threshold cash rows of the customer in the window (0 if not one)
    structuring_total_cny: int
    rapid_in_cny: int  # received by the account in the window before this payment out
    rapid_out_pct: int  # share of that paid out again in the window, in percent
    fan_in_new_payers: int  # distinct first-time payers into the account in the window, on
    # the rows that are such a first payment (0 on other rows)
    fan_in_burst_payers: int  # the same within the burst window, history or not
    fan_out_payees: int  # distinct payees of the account in the window, on its payments
    # to a counterparty (0 on other rows)
    fan_out_non_hub_payees: int  # of them, those that are not hubs (typologies/fan.py)
    cycle_hops: int  # transfers in the shortest cycle this transfer closes (0 = none)
    cycle_hours: int  # hours from the cycle's first transfer to this one (rounded up)
    cycle_quiet_accounts: int  # accounts of that cycle that were quiet when it passed them
    chain_hops: int  # transfers in the chain of new relationships through this one (0 = none)
    chain_prior_hops: int  # the longer part of that chain on either side of this transfer
    chain_quiet_accounts: int  # accounts of that chain that were quiet when it passed them
    gather_intermediaries: int  # accounts relaying one source's money to this account
    dormant_days: int  # days since the account's previous transaction (0 = none known)
    counterparty_high_risk: bool
    sanctions_score: int  # 50-100, best match of the counterparty name on the list (0: none)


class DayTotal(BaseModel):
    """One customer's same-day total in one direction, category and currency basis."""

    model_config = ConfigDict(extra="forbid")

    category: Category
    direction: Literal["in", "out"]
    customer_type: Literal["individual", "entity"]
    currency_basis: Literal["CNY", "USD"]
    total: int
    tx_count: int


DOCUMENT_MODELS: dict[str, type[BaseModel]] = {
    "transaction": TransactionFeatures,
    "day_total": DayTotal,
}
