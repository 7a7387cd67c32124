"""The shared day model: a run's days in order, today's day, the next one to post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.series.model import (
    MISSED,
    POSTED,
    POSTING,
    SCHEDULED,
    SKIPPED,
    DayRow,
    current_day,
    next_after,
    next_post,
)

JAN_1 = datetime(2026, 1, 1, 9, tzinfo=UTC)


def run(*states: str) -> list[DayRow]:
    """Days 1…n of one run, listed out of order (the store's order must not matter)."""
    rows = [
        DayRow(1, "s", n, f"Title {n}", JAN_1 + timedelta(days=n - 1), state)
        for n, state in enumerate(states, start=1)
    ]
    return rows[::-1]


def number(row: DayRow | None) -> int | None:
    return None if row is None else row.day


def test_a_running_series() -> None:
    days = run(POSTED, POSTING, SCHEDULED, SCHEDULED, SCHEDULED)
    assert number(next_post(days)) == 2  # a claimed post comes first
    assert number(next_after(days, 3)) == 4
    assert next_after(days, 5) is None
    assert number(current_day(days)) == 1


def test_skipped_and_missed_days_are_not_today_nor_next() -> None:
    days = run(POSTED, SKIPPED, MISSED, POSTED)
    assert next_post(days) is None
    assert number(current_day(days)) == 4
    assert current_day(run(SCHEDULED)) is None
    assert number(next_post(run(SKIPPED, SCHEDULED))) == 2


def test_a_new_row_starts_scheduled_with_nothing_sent() -> None:
    row = DayRow(1, "s", 3, "Title", JAN_1, SCHEDULED)
    assert row.waiting and not row.posted and not row.recap_sent
    assert (row.parts_sent, row.attempts, row.answer_state) == (0, 0, "pending")
