"""`challenge-bot schedule`: every day with its local and UTC time and its state."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime
from pathlib import Path

from bot.content import ContentError
from bot.series.config import SeriesConfig, effective_config, series_config
from bot.series.loader import load_series
from bot.series.model import Series
from bot.series.schedule import planned_times
from bot.settings import Settings
from bot.store import Database, StoreError
from bot.store.series import DayRow, SeriesStore


def format_row(
    number: int, title: str, at: datetime | None, state: str, config: SeriesConfig
) -> str:
    if at is None:
        local = utc = "—"
    else:
        local = at.astimezone(config.tz).strftime("%a %Y-%m-%d %H:%M %Z")
        utc = at.strftime("%Y-%m-%d %H:%M:%S UTC")
    short = title if len(title) <= 32 else title[:31] + "…"
    return f"{number:>3}  {short:<32}  {local:<26}  {utc:<23}  {state}"


def header(config: SeriesConfig) -> str:
    return f"{'Day':>3}  {'Title':<32}  {'Local (' + config.tz.key + ')':<26}  {'UTC':<23}  State"


def stored_schedule(settings: Settings) -> tuple[int | None, SeriesConfig, list[DayRow]]:
    """(server, its effective settings, its rows), from the database if there is one.

    Listing must not create a database, so without one only `.env` applies. The server is
    GUILD_ID, or else the first one with a schedule.
    """
    if not Path(settings.database_path).exists():
        return settings.guild_id, effective_config(settings, {}, guild_id=settings.guild_id), []
    return asyncio.run(_read_schedule(settings))


async def _read_schedule(settings: Settings) -> tuple[int | None, SeriesConfig, list[DayRow]]:
    db = Database(settings.database_path)
    await db.open(check_writable=False)
    try:
        store = SeriesStore(db)
        guild_id = settings.guild_id
        if guild_id is None:
            guilds = await store.guilds(settings.series_id)
            guild_id = guilds[0] if guilds else None
        config = await series_config(db, settings, guild_id)
        rows = [] if guild_id is None else await store.list_days(guild_id, settings.series_id)
        return guild_id, config, rows
    finally:
        await db.close()


def computed_lines(series: Series, config: SeriesConfig) -> list[str]:
    if config.start is None:
        return [format_row(day.number, day.title, None, "not scheduled", config) for day in series]
    times = planned_times(config.start, config.post_time, config.tz, config.interval, len(series))
    return [
        format_row(day.number, day.title, at, "scheduled (computed)", config)
        for day, at in zip(series.days, times, strict=True)
    ]


def schedule(settings: Settings, args: argparse.Namespace) -> int:
    try:
        series = load_series(Path(settings.series_dir))
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        guild_id, config, rows = stored_schedule(settings)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    every = config.interval_text
    print(f"{settings.series_name}: {len(series)} days, every {every}, start {config.start_text}")
    if config.paused:
        print("Paused (/challenge resume to continue).")
    if config.start is None and not rows:
        print(
            "No start date: set SERIES_START in .env (or use /challenge reschedule). "
            "Nothing is scheduled."
        )
    from bot.checks import schedule_problems

    for problem in schedule_problems(settings, database_exists=bool(rows)):
        if config.start is not None:  # (no start: said above)
            print(f"warning: {problem}", file=sys.stderr)
    print(header(config))
    if rows:
        print(f"(from the database, server {guild_id})", file=sys.stderr)
        for row in rows:
            state = row.state + (" (late)" if row.late else "")
            if row.error:
                state += f" — {row.error}"
            print(format_row(row.day, row.title, row.planned_at, state, config))
    else:
        for line in computed_lines(series, config):
            print(line)
    return 0
