"""When each day is posted: pure date maths, no Discord and no database.

Daily series (an interval of whole days) follow the local wall clock of the series time zone,
so a 09:00 post stays at 09:00 across daylight-saving changes (Europe's, or Morocco's Ramadan
shifts). Shorter intervals (rehearsals: `30s`, `10m`) are plain steps in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.series.model import POSTED, SCHEDULED, DayRow

DAY = timedelta(days=1)


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


def is_late(planned_at: datetime, now: datetime, grace: timedelta) -> bool:
    return now - planned_at > grace


# What is due, and when to wake up next: the only place that decides "when".

RECAP_TRIES = 4  # a recap Discord keeps refusing is given up after this many tries
RECAP_WINDOW = timedelta(days=3)  # a day that ended longer ago than this gets no recap


@dataclass(frozen=True, slots=True)
class Timing:
    """What the timetable needs besides the rows."""

    interval: timedelta
    answer_delay: timedelta
    posting: bool  # new days may go out: content loaded, a start date, not paused
    missed_policy: str = "late"  # or "skip": overdue days are marked missed, not posted
    recaps: bool = True  # recaps are posted (the recaps extension is loaded)

    @property
    def grace(self) -> timedelta:
        return grace_period(self.interval)


@dataclass(frozen=True, slots=True)
class Due:
    """What to do now (day numbers): mark missed; answers and recaps; the next post (one:
    after it, the rows say what comes next)."""

    missed: list[int] = field(default_factory=list)
    posts: list[int] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    recaps: list[int] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.missed or self.posts or self.answers or self.recaps)


def next_slot(post_time: time, tz: ZoneInfo, interval: timedelta, now: datetime) -> datetime:
    """A start for "begin at the next slot", as a naive local time: today's posting time if it
    is still ahead, else the next day's; a rehearsal interval starts one interval from now."""
    local = now.astimezone(tz)
    if not is_daily(interval):
        return (local + interval).replace(tzinfo=None, microsecond=0)
    today = datetime.combine(local.date(), post_time)
    return today if resolve_local(today, tz) > now else today + DAY


def due_at_once(rows: Sequence[DayRow], now: datetime, grace: timedelta) -> list[int]:
    """The days a start just set would post at once, if that start is in the past: several
    not-yet-posted days due, one of them late beyond `grace`. Catch-up is for days missed
    while the series was running; this is a question for an admin. [] when it isn't so."""
    due = sorted(r.day for r in rows if r.state == SCHEDULED and r.planned_at <= now)
    late = any(r.state == SCHEDULED and is_late(r.planned_at, now, grace) for r in rows)
    return due if len(due) > 1 and late else []


def _later_of(at: datetime, retry_at: datetime | None) -> datetime:
    return at if retry_at is None else max(at, retry_at)


def post_time(row: DayRow, timing: Timing) -> datetime | None:
    """When the day should go out (or be finished): its planned time, or its retry."""
    if not timing.posting or not row.waiting:
        return None
    # An interrupted post (`posting`) is resumed as soon as possible, unless it is waiting
    # for its retry; a scheduled one waits for its planned time too.
    at = row.planned_at if row.state == SCHEDULED else datetime.min.replace(tzinfo=UTC)
    return _later_of(at, row.retry_at)


def next_to_post(rows: Sequence[DayRow], skip: Iterable[int] = ()) -> DayRow | None:
    """The lowest-numbered day still to post: days go out in order, so it holds the rest
    back (also while it waits for a retry)."""
    skipped = set(skip)
    waiting = [r for r in rows if r.waiting and r.day not in skipped]
    return min(waiting, key=lambda r: r.day) if waiting else None


def answer_time(row: DayRow, timing: Timing) -> datetime | None:
    """When the expert answer of a posted day is due (after its delay, or at its retry)."""
    if row.state != POSTED or row.answer_state not in ("pending", "posting"):
        return None
    if row.posted_at is None:
        return None
    return _later_of(row.posted_at + timing.answer_delay, row.retry_at)


def day_end(row: DayRow, rows: Sequence[DayRow], timing: Timing) -> datetime | None:
    """When a posted day ends: when the next day is posted, or — when no later day will be
    posted (the last day, or the rest skipped or missed) — one interval after its post."""
    if row.state != POSTED or row.posted_at is None:
        return None
    later = [r for r in rows if r.day > row.day]
    posted = [r.posted_at for r in later if r.posted and r.posted_at is not None]
    if posted:
        return min(posted)
    if any(r.waiting for r in later):
        return None  # it ends when the next one goes out
    return row.posted_at + timing.interval


def recap_time(
    row: DayRow, rows: Sequence[DayRow], timing: Timing, now: datetime
) -> datetime | None:
    """When the day's recap is due: a recap cut short is resumed now; a new one when the
    day ends (or at its retry), unless given up or the day ended too long ago."""
    if not timing.recaps or row.state != POSTED or not row.thread_id:
        return None
    if row.recap_posted_at is not None:
        return row.recap_posted_at if row.recap_message_id is None else None
    ends = day_end(row, rows, timing)
    if ends is None or row.recap_attempts >= RECAP_TRIES or now - ends > RECAP_WINDOW:
        return None
    return _later_of(ends, row.recap_retry_at)


def due_work(rows: Sequence[DayRow], timing: Timing, now: datetime) -> Due:
    """What the rows say must be done at `now`."""
    ordered_rows = sorted(rows, key=lambda r: r.day)
    missed = []
    if timing.posting and timing.missed_policy == "skip":
        missed = [
            r.day
            for r in ordered_rows
            if r.state == SCHEDULED
            and r.retry_at is None
            and is_late(r.planned_at, now, timing.grace)
        ]
    first = next_to_post(ordered_rows, skip=missed)
    at = None if first is None else post_time(first, timing)
    posts = [first.day] if first is not None and at is not None and at <= now else []
    answers = [r.day for r in ordered_rows if (at := answer_time(r, timing)) and at <= now]
    recaps = [
        r.day
        for r in ordered_rows
        if (at := recap_time(r, ordered_rows, timing, now)) is not None and at <= now
    ]
    return Due(missed, posts, answers, recaps)


def next_wakeup(rows: Sequence[DayRow], timing: Timing, now: datetime) -> datetime | None:
    """The earliest time something in the rows becomes due (None: nothing ever will).

    A time already past means "now"; the caller wakes up, does `due_work`, and asks again.
    """
    first = next_to_post(rows)
    times = [] if first is None else [post_time(first, timing)]
    times += [answer_time(r, timing) for r in rows]
    times += [recap_time(r, rows, timing, now) for r in rows]
    found = [at for at in times if at is not None]
    return max(min(found), now) if found else None
