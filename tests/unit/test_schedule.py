"""Schedule maths: wall-clock days across DST changes, year ends, rehearsal intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.series.schedule import (
    MISSED,
    POSTED,
    POSTING,
    SCHEDULED,
    SKIPPED,
    Slot,
    current_day,
    due_days,
    first_post,
    grace_period,
    is_daily,
    missed_days,
    next_after,
    next_post,
    planned_times,
    previous_posted,
    resolve_local,
    retry_delay,
)

PARIS = ZoneInfo("Europe/Paris")
CASABLANCA = ZoneInfo("Africa/Casablanca")
DAILY = timedelta(days=1)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def local_times(plan: list[datetime], tz: ZoneInfo) -> set[time]:
    return {moment.astimezone(tz).time() for moment in plan}


def test_paris_spring_forward_keeps_nine_o_clock() -> None:
    # Clocks jump from 02:00 to 03:00 on 29 March 2026: UTC+1 before, UTC+2 after.
    plan = planned_times(date(2026, 3, 25), time(9, 0), PARIS, DAILY, 12)
    assert plan[0] == utc(2026, 3, 25, 8, 0)
    assert plan[3] == utc(2026, 3, 28, 8, 0)
    assert plan[4] == utc(2026, 3, 29, 7, 0)
    assert plan[11] == utc(2026, 4, 5, 7, 0)
    assert local_times(plan, PARIS) == {time(9, 0)}
    assert [p.astimezone(PARIS).date() for p in plan] == [
        date(2026, 3, 25) + timedelta(days=i) for i in range(12)
    ]


def test_paris_fall_back_keeps_nine_o_clock() -> None:
    plan = planned_times(date(2026, 10, 20), time(9, 0), PARIS, DAILY, 12)
    assert plan[4] == utc(2026, 10, 24, 7, 0)
    assert plan[5] == utc(2026, 10, 25, 8, 0)
    assert local_times(plan, PARIS) == {time(9, 0)}
    assert all(
        b - a in (timedelta(hours=23), DAILY, timedelta(hours=25)) for a, b in pairwise(plan)
    )


def test_casablanca_ramadan_shifts_2026() -> None:
    # Morocco is UTC+1, except around Ramadan 2026 (15 Feb – 22 Mar) when it is UTC+0.
    start = planned_times(date(2026, 2, 10), time(9, 0), CASABLANCA, DAILY, 12)
    assert start[0] == utc(2026, 2, 10, 8, 0)
    assert start[4] == utc(2026, 2, 14, 8, 0)
    assert start[5] == utc(2026, 2, 15, 9, 0)
    assert local_times(start, CASABLANCA) == {time(9, 0)}
    end = planned_times(date(2026, 3, 15), time(9, 0), CASABLANCA, DAILY, 12)
    assert end[6] == utc(2026, 3, 21, 9, 0)
    assert end[7] == utc(2026, 3, 22, 8, 0)
    assert local_times(end, CASABLANCA) == {time(9, 0)}


def test_year_end_rolls_over() -> None:
    plan = planned_times(date(2026, 12, 25), time(20, 30), CASABLANCA, DAILY, 12)
    assert plan[0] == utc(2026, 12, 25, 19, 30)
    assert plan[6] == utc(2026, 12, 31, 19, 30)
    assert plan[7] == utc(2027, 1, 1, 19, 30)
    assert plan[11] == utc(2027, 1, 5, 19, 30)


def test_time_in_a_gap_moves_forward_and_ambiguous_takes_first() -> None:
    # 02:30 doesn't exist in Paris on 29 March 2026: it becomes 03:30 local (01:30 UTC).
    assert resolve_local(datetime(2026, 3, 29, 2, 30), PARIS) == utc(2026, 3, 29, 1, 30)
    # 02:30 happens twice on 25 October 2026: the first one (still UTC+2).
    assert resolve_local(datetime(2026, 10, 25, 2, 30), PARIS) == utc(2026, 10, 25, 0, 30)
    plan = planned_times(date(2026, 3, 28), time(2, 30), PARIS, DAILY, 3)
    assert plan == [utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    assert plan == sorted(plan)


def test_start_forms() -> None:
    assert first_post(date(2026, 12, 1), time(9, 0), CASABLANCA) == utc(2026, 12, 1, 8, 0)
    naive = datetime(2026, 12, 1, 18, 15)
    assert first_post(naive, time(9, 0), CASABLANCA) == utc(2026, 12, 1, 17, 15)
    offset = datetime.fromisoformat("2026-12-01T09:00+03:00")
    assert first_post(offset, time(9, 0), CASABLANCA) == utc(2026, 12, 1, 6, 0)


def test_daily_start_with_offset_follows_local_wall_clock() -> None:
    start = datetime.fromisoformat("2026-03-28T08:00+00:00")  # 09:00 in Paris (UTC+1)
    plan = planned_times(start, time(0, 0), PARIS, DAILY, 2)
    assert plan == [utc(2026, 3, 28, 8, 0), utc(2026, 3, 29, 7, 0)]


@pytest.mark.parametrize(
    ("interval", "daily"),
    [
        (timedelta(seconds=30), False),
        (timedelta(hours=2), False),
        (timedelta(hours=36), False),
        (timedelta(days=1), True),
        (timedelta(days=2), True),
    ],
)
def test_interval_forms(interval: timedelta, daily: bool) -> None:
    assert is_daily(interval) is daily
    plan = planned_times(date(2026, 3, 28), time(9, 0), PARIS, interval, 4)
    if daily:
        assert local_times(plan, PARIS) == {time(9, 0)}
    else:
        assert [b - a for a, b in pairwise(plan)] == [interval] * 3


def test_sub_day_interval_is_plain_utc_across_dst() -> None:
    start = datetime(2026, 3, 29, 1, 59)  # one minute before the jump
    plan = planned_times(start, time(0, 0), PARIS, timedelta(minutes=1), 3)
    assert plan == [utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 1)]


def test_non_positive_interval_is_refused() -> None:
    with pytest.raises(ValueError):
        planned_times(date(2026, 1, 1), time(9, 0), PARIS, timedelta(0), 3)


@given(
    day=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    zone=st.sampled_from(["Africa/Casablanca", "Europe/Paris", "America/New_York", "UTC"]),
)
def test_daily_plan_is_increasing_and_on_consecutive_local_dates(
    day: date, hour: int, minute: int, zone: str
) -> None:
    tz = ZoneInfo(zone)
    plan = planned_times(day, time(hour, minute), tz, DAILY, 12)
    assert all(moment.tzinfo is UTC for moment in plan)
    assert plan == sorted(set(plan))
    dates = [moment.astimezone(tz).date() for moment in plan]
    assert dates == [day + timedelta(days=i) for i in range(12)]


JAN_1 = utc(2026, 1, 1, 9)


def slots(*states: str) -> list[Slot]:
    return [Slot(i + 1, JAN_1 + DAILY * i, state) for i, state in enumerate(states)]


def test_due_and_missed_and_next() -> None:
    days = slots(POSTED, POSTING, SCHEDULED, SCHEDULED, SCHEDULED)
    now = utc(2026, 1, 4, 9, 30)  # day 4 half an hour ago
    assert [s.number for s in due_days(days, now)] == [2, 3, 4]
    assert [s.number for s in missed_days(days, now, timedelta(hours=1))] == [3]
    assert next_post(days, now).number == 2  # type: ignore[union-attr]
    assert next_after(days, 3).number == 4  # type: ignore[union-attr]
    assert next_after(days, 5) is None
    assert current_day(days) == 1
    assert previous_posted(days, 3).number == 1  # type: ignore[union-attr]


def test_nothing_left() -> None:
    days = slots(POSTED, SKIPPED, MISSED, POSTED)
    now = utc(2026, 2, 1)
    assert due_days(days, now) == []
    assert next_post(days, now) is None
    assert current_day(days) == 4
    assert current_day(slots(SCHEDULED)) is None


def test_grace_and_retry_scale_with_interval() -> None:
    assert grace_period(DAILY) == timedelta(hours=1)
    assert grace_period(timedelta(seconds=1)) == timedelta(seconds=2)
    assert grace_period(timedelta(minutes=10)) == timedelta(minutes=5)
    assert [retry_delay(n, DAILY) for n in range(5)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=15),
        timedelta(minutes=15),
    ]
    assert retry_delay(0, timedelta(seconds=1)) == timedelta(seconds=0.5)
    assert retry_delay(3, timedelta(minutes=2)) == timedelta(seconds=30)
