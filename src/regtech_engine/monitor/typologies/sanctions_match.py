"""Sanctions match: the counterparty's name screened against the pack's sanctions lists;
the document gets the best match score. No state: the lists come from the rule pack."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from ..records import Tx
from ..screening import Lists
from ..windows import Evidence, EvidenceFn


@dataclass
class SanctionsMatch:
    def observe(self, tx: Tx, lists: Lists | None, ev: dict[str, EvidenceFn]) -> int:
        if lists is None or not tx.counterparty_name:
            return 0
        score, entry = lists.screen(tx.counterparty_name)
        if entry is not None:
            ev["sanctions_match"] = partial(
                Evidence,
                [tx.tx_id],
                tx.epoch,
                tx.epoch,
                tx.account_id,
                score=score,
                details={"name": tx.counterparty_name, "list_ref": entry.ref, "list_name": entry.name},
            )
        return score
