"""Dormant reactivation: an own account active again after days without activity.

Per own account the last business date it was active (dormancy must remember years, so
this grows with the institution's accounts, not with the stream); the document gets the
days since then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from ..records import Tx
from ..windows import Evidence, EvidenceFn


def _ev_dormant(tx_id: str, epoch: int, account: str, last: int) -> Evidence:
    """Built only on a firing: most rows follow activity of the day before."""
    return Evidence(
        [tx_id], epoch, epoch, account, details={"previous_activity": dt.date.fromordinal(last).isoformat()}
    )


@dataclass
class DormantReactivation:
    last_day: dict[str, int] = field(default_factory=dict)  # account -> date ordinal

    def observe(self, tx: Tx, ev: dict[str, EvidenceFn]) -> int:
        """Days since the account was last active (0: active the same day, or first seen)."""
        day = tx.business_date.toordinal()
        last = self.last_day.get(tx.account_id)
        self.last_day[tx.account_id] = day
        if last is None or last >= day:
            return 0
        ev["dormant_reactivation"] = partial(_ev_dormant, tx.tx_id, tx.epoch, tx.account_id, last)
        return day - last
