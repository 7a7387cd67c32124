"""Schedule maths: wall-clock days across DST changes, year ends, rehearsal intervals."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.series.model import MISSED, POSTED, POSTING, SCHEDULED, SKIPPED, DayRow
from bot.series.schedule import (
    RECAP_TRIES,
    RECAP_WINDOW,
    Timing,
    due_at_once,
    due_work,
    first_post,
    grace_period,
    is_daily,
    next_slot,
    next_wakeup,
    planned_times,
    recap_time,
    resolve_local,
    retry_delay,
)
from tests.fakes import day_row as make_row

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


# --- the timetable: what is due, and when to wake up -------------------------------------

T0 = utc(2026, 1, 1, 8)  # any moment: these functions read no clock
TIMING = Timing(interval=DAILY, answer_delay=timedelta(hours=2), posting=True)


def day_row(number: int, state: str = SCHEDULED, **fields: object) -> DayRow:
    if state == POSTED:  # posted on time, in its thread
        fields.setdefault("thread_id", 100 + number)
        fields.setdefault("posted_at", T0 + DAILY * (number - 1))
    return make_row(number, state, T0, **fields)


def recapped(number: int, **fields: object) -> DayRow:
    at = T0 + DAILY * number
    fields.setdefault("answer_state", "posted")
    return day_row(number, POSTED, recap_posted_at=at, recap_message_id=7, **fields)


def test_the_next_wakeup_is_the_earliest_of_post_answer_and_recap() -> None:
    rows = [day_row(1), day_row(2)]
    assert next_wakeup(rows, TIMING, T0 - DAILY) == T0  # the first post
    assert due_work(rows, TIMING, T0).posts == [1]
    assert due_work(rows, TIMING, T0 - timedelta(seconds=1)) == due_work([], TIMING, T0)

    posted = [day_row(1, POSTED), day_row(2)]
    assert next_wakeup(posted, TIMING, T0) == T0 + timedelta(hours=2)  # day 1's answer
    assert due_work(posted, TIMING, T0 + timedelta(hours=2)).answers == [1]
    answered = [day_row(1, POSTED, answer_state="posted"), day_row(2)]
    assert next_wakeup(answered, TIMING, T0) == T0 + DAILY  # day 2's post

    both = [day_row(1, POSTED, answer_state="posted"), day_row(2, POSTED)]
    work = due_work(both, TIMING, T0 + DAILY)
    assert work.recaps == [1] and work.answers == []  # day 2's post ended day 1


def test_days_go_out_in_order_even_while_one_waits_for_its_retry() -> None:
    retry = T0 + timedelta(minutes=5)
    rows = [day_row(1, POSTING, retry_at=retry, attempts=1)]
    rows += [day_row(2, planned_at=T0), day_row(3, planned_at=T0)]
    # Days 2 and 3 are due too, but day 1 comes first.
    assert due_work(rows, TIMING, T0 + timedelta(minutes=1)).posts == []
    assert next_wakeup(rows, TIMING, T0) == retry
    assert due_work(rows, TIMING, retry).posts == [1]
    interrupted = [day_row(1, POSTING), day_row(2)]  # a crash mid-post: resume at once
    assert due_work(interrupted, TIMING, T0 - DAILY).posts == [1]


def test_an_answer_waits_for_its_retry_not_for_the_next_change() -> None:
    retry = T0 + timedelta(hours=3)
    row = day_row(1, POSTED, answer_state="posting", attempts=2, retry_at=retry)
    assert next_wakeup([row], TIMING, T0 + timedelta(hours=2, minutes=1)) == retry
    assert due_work([row], TIMING, retry - timedelta(seconds=1)).answers == []
    assert due_work([row], TIMING, retry).answers == [1]


def test_paused_or_unscheduled_posts_nothing_but_answers_still_follow() -> None:
    paused = Timing(interval=DAILY, answer_delay=timedelta(0), posting=False)
    rows = [day_row(1, POSTED), day_row(2)]
    work = due_work(rows, paused, T0 + DAILY * 3)
    assert work.posts == [] and work.answers == [1]


def test_skip_policy_marks_only_days_late_beyond_grace() -> None:
    skip = Timing(interval=DAILY, answer_delay=timedelta(0), posting=True, missed_policy="skip")
    rows = [day_row(1), day_row(2), day_row(3)]
    work = due_work(rows, skip, T0 + DAILY + timedelta(minutes=5))  # day 2 5 minutes late
    assert work.missed == [1] and work.posts == [2]


def test_the_last_posted_day_is_recapped_when_the_days_after_it_are_skipped() -> None:
    """The final recap used to look only at the highest-numbered day, so skipping the last
    days (or missing them) left the last posted one without a recap."""
    rows = [recapped(n) for n in range(1, 10)]
    rows += [day_row(10, POSTED, answer_state="posted")]
    rows += [day_row(11, SKIPPED), day_row(12, MISSED)]
    ends = rows[9].posted_at + DAILY  # type: ignore[operator]
    assert next_wakeup(rows, TIMING, ends - timedelta(hours=1)) == ends
    assert due_work(rows, TIMING, ends).recaps == [10]
    assert due_work(rows, TIMING, ends - timedelta(seconds=1)).recaps == []
    # While a later day is still to come, the day ends only when that one is posted.
    waiting = [*rows[:10], day_row(11), day_row(12)]
    assert recap_time(waiting[9], waiting, TIMING, ends) is None


def test_a_recap_cut_short_is_due_now_and_a_refused_one_at_its_retry() -> None:
    later = day_row(2, POSTED, answer_state="posted")
    cut = day_row(1, POSTED, answer_state="posted", recap_posted_at=T0 + DAILY)
    assert recap_time(cut, [cut, later], TIMING, T0 + DAILY * 2) == T0 + DAILY
    retry = T0 + DAILY + timedelta(minutes=5)
    refused = day_row(1, POSTED, answer_state="posted", recap_attempts=1, recap_retry_at=retry)
    assert recap_time(refused, [refused, later], TIMING, T0 + DAILY) == retry
    given_up = day_row(1, POSTED, answer_state="posted", recap_attempts=RECAP_TRIES)
    assert recap_time(given_up, [given_up, later], TIMING, T0 + DAILY) is None


def test_an_old_day_gets_no_recap_and_recaps_can_be_off() -> None:
    rows = [day_row(1, POSTED, answer_state="posted"), day_row(2, POSTED, answer_state="posted")]
    ended = rows[1].posted_at
    assert ended is not None
    assert recap_time(rows[0], rows, TIMING, ended + RECAP_WINDOW) == ended
    assert recap_time(rows[0], rows, TIMING, ended + RECAP_WINDOW + DAILY) is None
    off = Timing(interval=DAILY, answer_delay=timedelta(0), posting=True, recaps=False)
    assert recap_time(rows[0], rows, off, ended) is None


def test_nothing_to_do_means_no_wakeup() -> None:
    rows = [recapped(n) for n in range(1, 13)]
    assert next_wakeup(rows, TIMING, T0 + DAILY * 20) is None
    assert not due_work(rows, TIMING, T0 + DAILY * 20)


def test_a_start_in_the_past_is_held_but_a_slightly_late_one_is_not() -> None:
    grace = grace_period(DAILY)  # an hour
    rows = [day_row(n) for n in range(1, 13)]
    assert due_at_once(rows, T0 + DAILY * 5, grace) == [1, 2, 3, 4, 5, 6]  # 5 days ago
    assert due_at_once(rows, T0 + timedelta(minutes=30), grace) == []  # one day, on time
    assert due_at_once(rows, T0 + DAILY + timedelta(minutes=5), grace) == [1, 2]
    # Two due but none late beyond grace (a fast rehearsal planned a moment ago): not held.
    fast = [day_row(n, planned_at=T0 + timedelta(seconds=n)) for n in range(1, 4)]
    assert due_at_once(fast, T0 + timedelta(seconds=2.5), grace_period(timedelta(seconds=1))) == []
    posted = [day_row(1, POSTED), *rows[1:]]
    assert due_at_once(posted, T0 + DAILY + timedelta(minutes=5), grace) == []  # only day 2


def test_the_next_slot_is_todays_time_if_still_ahead_else_tomorrows() -> None:
    morning = utc(2026, 12, 3, 7, 0)  # 08:00 in Casablanca (UTC+1)
    assert next_slot(time(9, 0), CASABLANCA, DAILY, morning) == datetime(2026, 12, 3, 9, 0)
    evening = utc(2026, 12, 3, 19, 0)
    assert next_slot(time(9, 0), CASABLANCA, DAILY, evening) == datetime(2026, 12, 4, 9, 0)
    rehearsal = next_slot(time(9, 0), CASABLANCA, timedelta(seconds=30), evening)
    assert rehearsal == datetime(2026, 12, 3, 20, 0, 30)  # local, one interval from now
