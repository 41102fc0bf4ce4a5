"""The memoised timestamp reader agrees with datetime on every form, warm or cold."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regtech_engine.monitor.clock import Clock, TimestampError
from regtech_engine.timezone import SHANGHAI


def reference(text: str) -> tuple[int, int, dt.date]:
    stamp = dt.datetime.fromisoformat(text)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=SHANGHAI)
    return math.floor(stamp.timestamp()), stamp.microsecond, stamp.astimezone(SHANGHAI).date()


offsets = st.sampled_from(["", "Z", "+08:00", "+00:00", "-05:00", "+05:45", "+14:00", "-12:00"])
moments = st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1))


@given(st.lists(st.tuples(moments, offsets, st.booleans(), st.sampled_from("T ")), min_size=1, max_size=30))
def test_fast_and_slow_paths_agree_with_datetime(stamps: list[tuple[dt.datetime, str, bool, str]]) -> None:
    clock = Clock()  # shared: later rows take the memoised path where one applies
    for moment, offset, fraction, sep in stamps:
        text = moment.isoformat(sep, "microseconds" if fraction else "seconds") + offset
        assert clock.read(text) == reference(text), text
        assert clock.read(text) == reference(text), text  # now memoised


def test_same_day_rows_use_the_memo_and_stay_exact() -> None:
    clock = Clock()
    clock.read("2025-10-01T09:00:00")
    assert clock.read("2025-10-01T23:59:59") == reference("2025-10-01T23:59:59")
    assert clock.read("2025-10-01T16:00:00Z") == reference("2025-10-01T16:00:00Z")  # next day
    assert clock.read("2025-10-01T15:59:59Z")[2] == dt.date(2025, 10, 1)


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "2025-10-01T24:00:00",
        "2025-10-01T09:60:00",
        "2025-10-01T09:00:60",
        "2025-10-01T+9:00:00",
        "2025-10-01T09:00:00+25:00",
        "2025-13-01T09:00:00",
        "2025-10-01T09:0٣:00",
    ],
)
def test_bad_timestamps_are_refused_even_on_a_memoised_date(text: str) -> None:
    clock = Clock()
    clock.read("2025-10-01T09:00:00")
    clock.read("2025-10-01T09:00:00+08:00")
    with pytest.raises(TimestampError, match="not ISO 8601"):
        clock.read(text)


def test_an_instant_before_year_one_in_shanghai_is_out_of_range() -> None:
    clock = Clock()
    clock.read("0001-01-01T12:00:00")
    clock.read("2025-01-01T00:00:00+14:00")
    with pytest.raises(TimestampError, match="out of range"):
        clock.read("0001-01-01T00:00:00+14:00")
