"""When each day is posted: pure date maths, no Discord and no database.

Daily series (an interval of whole days) follow the local wall clock of the series time zone,
so a 09:00 post stays at 09:00 across daylight-saving changes (Europe's, or Morocco's Ramadan
shifts). Shorter intervals (rehearsals: `30s`, `10m`) are plain steps in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)

# Day states, as stored in `series_days.state`.
SCHEDULED, POSTING, POSTED, SKIPPED, MISSED = "scheduled", "posting", "posted", "skipped", "missed"
DONE_STATES = frozenset({POSTED, SKIPPED, MISSED})


def is_daily(interval: timedelta) -> bool:
    """True for 1d, 2d, … — those follow the local wall clock."""
    return interval >= DAY and interval % DAY == timedelta(0)


def resolve_local(wall: datetime, tz: ZoneInfo) -> datetime:
    """A naive local wall-clock time in `tz` → the UTC instant.

    Ambiguous times (clocks going back) take the first occurrence (fold=0). Times in a gap
    (clocks jumping forward) don't exist; they move forward by the gap's length, so 02:30
    on a night when 02:00 becomes 03:00 is posted at 03:30 — never earlier than asked.
    """
    aware = wall.replace(tzinfo=tz, fold=0)
    # fold=0 in a gap uses the offset from before the jump, which lands after the gap.
    return aware.astimezone(UTC)


def first_post(start: date | datetime, post_time: time, tz: ZoneInfo) -> datetime:
    """The first post as a UTC instant.

    A date uses `post_time`; a naive date-time is local time in `tz`; a date-time with an
    offset is that instant.
    """
    if isinstance(start, datetime):
        if start.tzinfo is not None and start.utcoffset() is not None:
            return start.astimezone(UTC)
        return resolve_local(start, tz)
    return resolve_local(datetime.combine(start, post_time), tz)


def planned_times(
    start: date | datetime, post_time: time, tz: ZoneInfo, interval: timedelta, days: int
) -> list[datetime]:
    """UTC times of days 1..`days`."""
    if interval <= timedelta(0):
        raise ValueError("the interval must be positive")
    first = first_post(start, post_time, tz)
    if not is_daily(interval):
        return [first + interval * index for index in range(days)]
    # Same wall-clock time every N days: step the local date, then resolve each one.
    wall = first.astimezone(tz).replace(tzinfo=None)
    return [resolve_local(wall + interval * index, tz) for index in range(days)]


def grace_period(interval: timedelta) -> timedelta:
    """How late a post may be and still count as on time (a restart, a slow event loop)."""
    return min(max(interval / 2, timedelta(seconds=2)), timedelta(hours=1))


RETRY_STEPS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15))


def retry_delay(attempt: int, interval: timedelta) -> timedelta:
    """Wait before retry number `attempt` (0-based): 1, 5, then every 15 minutes.

    Rehearsals with a short interval retry proportionally sooner (at most a quarter of it,
    at least half a second) so a fault switched off is noticed within the next step or two.
    """
    step = RETRY_STEPS[min(attempt, len(RETRY_STEPS) - 1)]
    return min(step, max(interval / 4, timedelta(seconds=0.5)))


@dataclass(frozen=True, slots=True)
class Slot:
    """A day's number, planned UTC time and state — what the functions below reason about."""

    number: int
    planned_at: datetime
    state: str


def ordered(slots: Iterable[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda slot: slot.number)


def due_days(slots: Iterable[Slot], now: datetime) -> list[Slot]:
    """Days that should be (or are being) posted now, in posting order.

    A day interrupted mid-post (`posting`) is always due: it must be finished first.
    """
    return [
        slot
        for slot in ordered(slots)
        if slot.state == POSTING or (slot.state == SCHEDULED and slot.planned_at <= now)
    ]


def is_late(planned_at: datetime, now: datetime, grace: timedelta) -> bool:
    return now - planned_at > grace


def missed_days(slots: Iterable[Slot], now: datetime, grace: timedelta) -> list[Slot]:
    """Not-yet-posted days whose time passed more than `grace` ago (bot offline or paused)."""
    return [
        slot
        for slot in ordered(slots)
        if slot.state == SCHEDULED and is_late(slot.planned_at, now, grace)
    ]


def next_post(slots: Iterable[Slot], now: datetime) -> Slot | None:
    """The next day still to post (lowest number first), or None when nothing is left.

    Its real time is `max(planned_at, now)`: an overdue day goes out as soon as it can.
    """
    waiting = [slot for slot in ordered(slots) if slot.state in (SCHEDULED, POSTING)]
    return waiting[0] if waiting else None


def next_after(slots: Iterable[Slot], number: int) -> Slot | None:
    """The first day after `number` that is still to be posted (for "next post at …")."""
    later = [s for s in ordered(slots) if s.number > number and s.state in (SCHEDULED, POSTING)]
    return later[0] if later else None


def current_day(slots: Iterable[Slot]) -> int | None:
    """The highest-numbered posted day — today's challenge."""
    posted = [slot.number for slot in slots if slot.state == POSTED]
    return max(posted) if posted else None


def previous_posted(slots: Sequence[Slot], number: int) -> Slot | None:
    """The latest posted day before `number` (its thread ends when `number` is posted)."""
    before = [s for s in ordered(slots) if s.number < number and s.state == POSTED]
    return before[-1] if before else None
