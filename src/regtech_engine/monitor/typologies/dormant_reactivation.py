"""Dormant reactivation: an own account active again after days without activity.

Per own account the last business date it was active (dormancy must remember years, so
this grows with the institution's accounts, not with the stream); the document gets the
days since then.

Cap (``Limits.parties``): at most that many accounts are remembered; beyond it the longest
idle are forgotten down to nine tenths of the cap (``parties`` in the run summary, one hit
per account). A forgotten account active again looks new, not dormant, so its reactivation
raises no alert; from the first forgetting on, dormant alerts say so in their ``limits``.
Only an institution with more own accounts than the cap hits it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

from ..limits import CapHits, Limits
from ..records import Tx
from ..windows import Evidence, EvidenceFn, forget_least_active, low_water, party_note

_FORGOTTEN = "an account forgotten is not seen as dormant when it is active again"


def _ev_dormant(tx_id: str, epoch: int, account: str, last: int, notes: tuple[str, ...]) -> Evidence:
    """Built only on a firing: most rows follow activity of the day before."""
    return Evidence(
        [tx_id],
        epoch,
        epoch,
        account,
        details={"previous_activity": dt.date.fromordinal(last).isoformat()},
        limits=notes,
    )


def _day(last: int) -> int:
    return last


@dataclass
class DormantReactivation:
    last_day: dict[str, int] = field(default_factory=dict)  # account -> date ordinal
    forgot: int = 0  # accounts forgotten early (Limits.parties)

    def observe(self, tx: Tx, ev: dict[str, EvidenceFn], limits: Limits, caps: CapHits) -> int:
        """Days since the account was last active (0: active the same day, or first seen)."""
        day = tx.business_date.toordinal()
        last = self.last_day.get(tx.account_id)
        self.last_day[tx.account_id] = day
        if last is None:
            if len(self.last_day) > limits.parties:
                gone = forget_least_active(self.last_day, _day, low_water(limits.parties))
                self.forgot += len(gone)
                caps.hit("parties", "last_day", len(gone))
            return 0
        if last >= day:
            return 0
        notes = (party_note("last_day", limits.parties, _FORGOTTEN),) if self.forgot else ()
        ev["dormant_reactivation"] = partial(_ev_dormant, tx.tx_id, tx.epoch, tx.account_id, last, notes)
        return day - last
