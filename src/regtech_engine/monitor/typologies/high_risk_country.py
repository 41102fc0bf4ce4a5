"""High-risk country: a counterparty in a country on the pack's high-risk list in force
on the business date. No state: the lists come from the rule pack."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from ..records import Tx
from ..screening import Lists
from ..windows import Evidence, EvidenceFn


@dataclass
class HighRiskCountry:
    def observe(self, tx: Tx, lists: Lists | None, ev: dict[str, EvidenceFn]) -> bool:
        if lists is None or not lists.high_risk(tx.counterparty_country, tx.business_date):
            return False
        ev["high_risk_country"] = partial(
            Evidence,
            [tx.tx_id],
            tx.epoch,
            tx.epoch,
            tx.account_id,
            details={"country": tx.counterparty_country},
        )
        return True
