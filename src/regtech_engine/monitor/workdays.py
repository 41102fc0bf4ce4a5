"""China working days for ``report_due``: official holidays and adjusted working weekends.

The maintained ``chinesecalendar`` package knows the State Council's published calendar; the
next year is often published after its release, so a user-supplied holiday file covers the
years it lists. A date in a year neither knows is an explicit error for that alert, never a
guess (a plain Monday-Friday rule would be wrong around every Spring Festival).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TransactionError
from .rates import read_input_file


class CalendarGap(LookupError):
    """No official calendar is known for a year."""


@dataclass(frozen=True)
class HolidayFile:
    years: frozenset[int]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # weekend days officially made working days
    source: str = ""


@dataclass
class WorkdayCalendar:
    extra: HolidayFile | None = None
    _cache: dict[dt.date, bool] = field(default_factory=dict)

    def is_workday(self, day: dt.date) -> bool:
        known = self._cache.get(day)
        if known is not None:
            return known
        if self.extra is not None and day.year in self.extra.years:
            result = day in self.extra.workdays or (day.weekday() < 5 and day not in self.extra.holidays)
        else:
            import chinese_calendar

            try:
                result = bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                raise CalendarGap(
                    f"no official working-day calendar for {day.year}: the installed "
                    "chinesecalendar does not cover it; pass --holidays FILE with that year"
                ) from None
        self._cache[day] = result
        return result

    def add_workdays(self, day: dt.date, n: int) -> dt.date:
        """The n-th working day after ``day`` (``day`` itself not counted)."""
        current = day
        while n > 0:
            current += dt.timedelta(days=1)
            if self.is_workday(current):
                n -= 1
        return current


def _dates(raw: object, file: str, name: str) -> frozenset[dt.date]:
    if raw is None:
        return frozenset()
    if not isinstance(raw, list) or not all(isinstance(d, dt.date) for d in raw):
        raise TransactionError.single(f"`{name}` must be a list of dates", file=file)
    return frozenset(raw)


def load_holidays(path: Path) -> HolidayFile:
    """``{years: [2027], holidays: [dates], workdays: [dates], source: "..."}``."""
    doc = read_input_file(path)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("years"), list):
        raise TransactionError.single(
            "a holiday file needs `years: [YYYY]`, `holidays` and `workdays` lists",
            file=doc.file,
            line=1,
        )
    years = data["years"]
    if not all(isinstance(y, int) for y in years):
        raise TransactionError.single("`years` must be a list of years", file=doc.file)
    return HolidayFile(
        frozenset(years),
        _dates(data.get("holidays"), doc.file, "holidays"),
        _dates(data.get("workdays"), doc.file, "workdays"),
        str(data.get("source", "")),
    )
