"""When a row happened: epoch seconds, microsecond and Shanghai business date of its timestamp.

``datetime`` with time zones costs ~5 µs a row here (parse, attach the zone, ``timestamp()``),
a fifth of reading a row. A stream has few distinct dates and offsets, so the common form
``YYYY-MM-DDTHH:MM:SS`` (or a space for the ``T``) with no offset, ``Z`` or ``±HH:MM`` is
read with integer arithmetic from memoised dates and offsets; each date and offset enters
the memo only after ``datetime.fromisoformat`` accepted a row using it, so both paths give
the same answers (a property test compares them). Anything else (fractions of a second,
other ISO forms) takes the ``datetime`` path.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from ..timezone import SHANGHAI, SHANGHAI_OFFSET_SECONDS

DAY = 86_400
SHANGHAI_OFFSET = SHANGHAI_OFFSET_SECONDS
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_MEMO_LIMIT = 100_000  # distinct dates remembered; a hostile stream cannot grow it further
# every valid "HH:MM" and "SS" of a time of day, with its seconds (table lookups are the
# cheapest exact parse: no other text is in them)
_HOURS_MINUTES = {f"{h:02d}:{m:02d}": h * 3_600 + m * 60 for h in range(24) for m in range(60)}
_SECONDS = {f"{s:02d}": s for s in range(60)}
_SEPARATORS = ("T", " ")  # ISO 8601's, and the space of spreadsheet and database exports
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_OFFSET = re.compile(r"[+-]\d{2}:\d{2}")


class TimestampError(ValueError):
    """The text is not an ISO 8601 timestamp, or names an instant outside the calendar."""


class Clock:
    """Memo of dates (UTC midnight epoch) and offsets (seconds east of UTC)."""

    __slots__ = ("_dates", "_days", "_offsets")

    def __init__(self) -> None:
        self._dates: dict[str, int] = {}
        self._offsets: dict[str, int] = {"": SHANGHAI_OFFSET}  # naive means Asia/Shanghai
        self._days: dict[int, dt.date] = {}

    def read(self, text: str) -> tuple[int, int, dt.date]:
        """(epoch seconds, floored; microsecond; business date in Asia/Shanghai)."""
        if len(text) >= 19 and text[10] in _SEPARATORS and text[16] == ":":
            base = self._dates.get(text[:10])
            offset = self._offsets.get(text[19:])
            hm = _HOURS_MINUTES.get(text[11:16])
            s = _SECONDS.get(text[17:19])
            if base is not None and offset is not None and hm is not None and s is not None:
                epoch = base + hm + s - offset
                date = self._days.get((epoch + SHANGHAI_OFFSET) // DAY)
                return epoch, 0, date if date is not None else self._business_date(epoch)
        return self._slow(text)

    def _business_date(self, epoch: int) -> dt.date:
        day = (epoch + SHANGHAI_OFFSET) // DAY
        date = self._days.get(day)
        if date is None:
            try:
                date = dt.date.fromordinal(day + _EPOCH_ORDINAL)
            except (ValueError, OverflowError):
                raise TimestampError("out of range") from None
            if len(self._days) >= _MEMO_LIMIT:
                self._days.clear()
            self._days[day] = date
        return date

    def _slow(self, text: str) -> tuple[int, int, dt.date]:
        try:
            stamp = dt.datetime.fromisoformat(text)
        except ValueError:
            raise TimestampError("not ISO 8601") from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=SHANGHAI)
        try:
            epoch, date = math.floor(stamp.timestamp()), stamp.astimezone(SHANGHAI).date()
        except (OverflowError, ValueError):  # e.g. 0001-01-01T00:00:00+14:00 is in year 0
            raise TimestampError("out of range") from None
        self._remember(text, stamp)
        return epoch, stamp.microsecond, date

    def _remember(self, text: str, stamp: dt.datetime) -> None:
        if len(text) < 19 or text[10] not in _SEPARATORS or not _DATE.fullmatch(text[:10]):
            return
        suffix = text[19:]
        if suffix not in ("", "Z") and not _OFFSET.fullmatch(suffix):
            return  # fractions of a second, seconds in the offset: the slow path's job
        offset = stamp.utcoffset()
        if offset is None or offset.microseconds or offset.seconds % 60:
            return
        if len(self._dates) >= _MEMO_LIMIT:
            self._dates.clear()
        self._dates[text[:10]] = (stamp.date().toordinal() - _EPOCH_ORDINAL) * DAY
        if suffix:
            self._offsets[suffix] = int(offset.total_seconds())


_DURATION = re.compile(r"(\d+)([smhd])")
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3_600, "d": DAY}


def parse_duration(text: str) -> int:
    """Seconds in a duration such as ``90s``, ``10m``, ``2h`` or ``1d`` (one number, one
    unit: what an operator types for --max-lateness); ValueError says what is accepted."""
    found = _DURATION.fullmatch(text.strip().lower())
    if found is None:
        raise ValueError(
            f"{text!r} is not a duration: a whole number and a unit, s, m, h or d (e.g. 10m, 2h, 1d)"
        )
    return int(found[1]) * _DURATION_UNITS[found[2]]


def format_duration(seconds: int) -> str:
    """The largest whole unit of ``seconds`` (the form parse_duration reads back)."""
    for unit in ("d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
