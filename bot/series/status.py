"""Read models of a series: what `/challenge status`, `today`, `day` and `preview` show.

Pure functions over (rows, config, content, now); the service reads the rows and calls these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import Messages
from bot.rendering.series import run_label
from bot.series.config import SeriesConfig
from bot.series.model import (
    DONE_STATES,
    POSTED,
    ChallengeDay,
    DayRow,
    Series,
    current_day,
    in_order,
    next_post,
)
from bot.store.series import Run


@dataclass(frozen=True, slots=True)
class SeriesStatus:
    """Everything `/challenge status` shows."""

    config: SeriesConfig
    rows: list[DayRow]
    total_days: int
    next_day: int | None
    next_at: datetime | None
    overdue: list[int]  # not-yet-posted days whose time passed
    now: datetime
    problems: list[str] = field(default_factory=list)
    run: Run | None = None  # the edition shown
    idle: str | None = None  # why nothing more will be posted, and what to do


@dataclass(frozen=True, slots=True)
class DayView:
    """What `/challenge day N` (or `today`, `number=None`) can show a member."""

    number: int | None  # None: `today` before anything was posted
    total_days: int  # days in the series (0: the content didn't load)
    day: ChallengeDay | None  # None: no such day
    row: DayRow | None  # None: not scheduled in this server
    next_at: datetime | None = None  # for `today` before day 1: when it comes

    @property
    def shown(self) -> bool:
        """Only a posted day is shown (its question would spoil an unposted one)."""
        return self.day is not None and self.row is not None and self.row.state == POSTED


def next_post_at(rows: list[DayRow], config: SeriesConfig, now: datetime) -> datetime | None:
    """When the next day goes out (None: nothing left, paused or not scheduled)."""
    if config.paused or config.start is None:
        return None
    nxt = next_post(rows)
    return None if nxt is None else max(nxt.planned_at, now)


def idle_reason(
    tr: Messages,
    config: SeriesConfig,
    rows: list[DayRow],
    run: Run | None,
    now: datetime,
    *,
    mention: bool = False,
) -> str | None:
    """Why nothing more will be posted, with what to do; None while something will be."""
    if config.start is None:
        return tr._("no start date: set SERIES_START in .env or use /challenge reschedule")
    if not rows or not all(row.state in DONE_STATES for row in rows):
        if config.paused:
            return tr._("the series is paused: /challenge resume continues it")
        return None
    posted = [row for row in rows if row.posted_at is not None]
    edition = run_label(tr, run) if run is not None else tr._("edition {number}", number=1)
    if not posted:
        return tr._("every day of {edition} was skipped or missed", edition=edition)
    last = max(posted, key=lambda row: row.posted_at or now)
    when = last.posted_at.date().isoformat() if last.posted_at else "?"
    if not last.channel_id:
        return tr._(
            "{edition} finished on {date}. To run the series again, set a future start "
            "(/challenge reschedule or SERIES_START): it becomes a new edition with its own "
            "records. Or /challenge new-edition.",
            edition=edition,
            date=when,
        )
    where = (
        f"<#{last.channel_id}>" if mention else tr._("channel {channel}", channel=last.channel_id)
    )
    return tr._(
        "{edition} finished on {date} in {channel}. To run the series again, set a future "
        "start (/challenge reschedule or SERIES_START): it becomes a new edition with its own "
        "records. Or /challenge new-edition.",
        edition=edition,
        date=when,
        channel=where,
    )


def config_problems(tr: Messages, config: SeriesConfig) -> list[str]:
    problems = []
    if config.start is None:
        problems.append(
            tr._(
                "No start date: set SERIES_START in .env or use /challenge reschedule. "
                "Nothing is scheduled."
            )
        )
    if config.channel_id is None:
        problems.append(
            tr._("No challenge channel: set CHALLENGE_CHANNEL_ID or use /challenge channel.")
        )
    return problems


def series_status(
    tr: Messages,
    config: SeriesConfig,
    rows: list[DayRow],
    series: Series | None,
    content_problems: list[str],
    now: datetime,
    run: Run | None = None,
) -> SeriesStatus:
    nxt = next_post(rows)
    overdue = [row.day for row in in_order(rows) if row.waiting and row.planned_at < now]
    return SeriesStatus(
        config=config,
        rows=rows,
        total_days=len(series) if series is not None else 0,
        next_day=None if nxt is None else nxt.day,
        next_at=next_post_at(rows, config, now),
        overdue=overdue,
        problems=[*content_problems, *config_problems(tr, config)],
        now=now,
        run=run,
        idle=idle_reason(tr, config, rows, run, now, mention=True),
    )


def day_view(
    series: Series | None, rows: list[DayRow], number: int | None, next_at: datetime | None
) -> DayView:
    """Day `number` as this server has it; `None` means today's (the latest posted)."""
    total = len(series) if series is not None else 0
    if number is None:
        today = current_day(rows)
        if today is None:
            return DayView(None, total, None, None, next_at)
        number = today.day
    day = series.day(number) if series is not None else None
    row = next((r for r in rows if r.day == number), None) if day else None
    return DayView(number, total, day, row)
