"""A server's effective series settings: `.env` defaults overridden by admin commands.

Overrides live in `guild_settings` (as text) under the keys below and win over `.env`.
`series_config` is the one way to read them: nothing else reads SERIES_START, SERIES_POST_TIME,
SERIES_INTERVAL or CHALLENGE_CHANNEL_ID from the settings directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.series.definition import SeriesDefinition, default_definition
from bot.settings import Settings, format_duration, parse_duration, parse_series_start
from bot.store.database import SqlDatabase
from bot.store.guild_settings import GuildSettingsStore

START_KEY = "series_start"
POST_TIME_KEY = "series_post_time"
INTERVAL_KEY = "series_interval"
CHANNEL_KEY = "challenge_channel_id"
PAUSED_KEY = "series_paused"
HOLD_KEY = "series_hold"  # days a start in the past made due at once, waiting for an admin

MIN_INTERVAL = timedelta(seconds=1)


@dataclass(frozen=True, slots=True)
class SeriesConfig:
    start: date | datetime | None
    post_time: time
    tz: ZoneInfo
    interval: timedelta
    channel_id: int | None
    paused: bool
    missed_policy: str
    answer_delay: timedelta
    ping_role_id: int | None
    archive_minutes: int
    held: tuple[int, ...] = ()  # overdue days held back until an admin decides

    @property
    def start_text(self) -> str:
        if self.start is None:
            return "not set"
        if isinstance(self.start, datetime):
            return self.start.isoformat(timespec="minutes")
        return f"{self.start.isoformat()} at {self.post_time:%H:%M}"

    @property
    def interval_text(self) -> str:
        return duration_text(self.interval)


def duration_text(delta: timedelta) -> str:
    """`1d`, `30s`, or `1.5s` for the odd rehearsal interval (stored and shown the same way)."""
    seconds = delta.total_seconds()
    return format_duration(delta) if seconds.is_integer() else f"{seconds:g}s"


def parse_post_time(text: str) -> time:
    """`HH:MM` (24-hour) → time; ValueError with a readable message otherwise."""
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"{text!r} is not a time HH:MM such as 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def parse_start(text: str) -> date | datetime:
    try:
        return parse_series_start(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date (2026-12-01) or a date-time (2026-12-01T09:00)"
        ) from None


def parse_interval(text: str) -> timedelta:
    try:
        interval = parse_duration(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a duration such as 1d, 12h, 10m or 30s") from None
    if interval < MIN_INTERVAL:
        raise ValueError("the interval must be at least 1s")
    return interval


def effective_config(
    settings: Settings,
    overrides: dict[str, str],
    *,
    guild_id: int | None = None,
    definition: SeriesDefinition | None = None,
) -> SeriesConfig:
    """Settings of one series in one server. The series' channel only applies to its server."""
    series = definition or default_definition(settings)
    key = series.key
    start = series.start
    if key(START_KEY) in overrides:
        start = parse_series_start(overrides[key(START_KEY)])
    post_time = series.post_time
    if key(POST_TIME_KEY) in overrides:
        post_time = parse_post_time(overrides[key(POST_TIME_KEY)])
    interval = series.interval
    if key(INTERVAL_KEY) in overrides:
        interval = parse_duration(overrides[key(INTERVAL_KEY)])
    channel_id = series.channel_id
    if series.guild_id is not None and guild_id is not None and guild_id != series.guild_id:
        channel_id = None
    if key(CHANNEL_KEY) in overrides:
        channel_id = int(overrides[key(CHANNEL_KEY)])
    held = overrides.get(key(HOLD_KEY), "")
    return SeriesConfig(
        start=start,
        post_time=post_time,
        tz=series.tz,
        interval=interval,
        channel_id=channel_id,
        paused=overrides.get(key(PAUSED_KEY)) == "1",
        missed_policy=settings.missed_post_policy,
        answer_delay=series.answer_delay,
        ping_role_id=series.ping_role_id,
        archive_minutes=settings.thread_auto_archive_minutes,
        held=tuple(int(n) for n in held.split(",") if n.strip().isdigit()),
    )


async def series_config(
    db: SqlDatabase | None,
    settings: Settings,
    guild_id: int | None,
    definition: SeriesDefinition | None = None,
) -> SeriesConfig:
    """The settings of a series in one server (`db=None`: `.env` only, no database)."""
    overrides: dict[str, str] = {}
    if db is not None and guild_id is not None:
        overrides = await GuildSettingsStore(db).all(guild_id)
    return effective_config(settings, overrides, guild_id=guild_id, definition=definition)
