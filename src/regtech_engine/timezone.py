"""China's time: one definition of the zone every date in a report or an alert is in.

Asia/Shanghai has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact
for every date the rules care about and needs no tz database.
"""

from __future__ import annotations

import datetime as dt

SHANGHAI_OFFSET_SECONDS = 8 * 3_600
SHANGHAI = dt.timezone(dt.timedelta(seconds=SHANGHAI_OFFSET_SECONDS), "Asia/Shanghai")


def today_in_shanghai() -> dt.date:
    """The calendar date in mainland China now: the default ``as_of``."""
    return dt.datetime.now(SHANGHAI).date()
