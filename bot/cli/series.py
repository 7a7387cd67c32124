"""`challenge-bot schedule`: every day with its local and UTC time and its state."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import SYSTEM_CLOCK
from bot.content import ContentError
from bot.i18n import ENGLISH
from bot.members.days import current_record
from bot.series.config import (
    SeriesConfig,
    duration_text,
    effective_config,
    parse_interval,
    series_config,
)
from bot.series.definition import SeriesDefinition, default_definition, load_definitions
from bot.series.loader import load_series
from bot.series.model import DayRow, Series
from bot.series.schedule import planned_times
from bot.series.status import idle_reason
from bot.settings import Settings
from bot.store import StoreError, database_at
from bot.store.database import NoDatabaseError
from bot.store.series import LIVE, REHEARSAL, Run, SeriesStore, series_of


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


@dataclass(frozen=True, slots=True)
class StoredSchedule:
    guild_id: int | None
    config: SeriesConfig
    rows: list[DayRow]
    runs: list[Run] = field(default_factory=list)
    record: str | None = None  # the run shown


def stored_schedule(
    settings: Settings, record: str | None = None, definition: SeriesDefinition | None = None
) -> StoredSchedule:
    """The server's effective settings and the rows of one run (default: the current
    edition), from the database if there is one.

    Listing must not create a database, so without one only `.env` applies. The server is
    GUILD_ID, or else the first one with a schedule.
    """
    definition = definition or default_definition(settings)
    try:
        return asyncio.run(_read_schedule(settings, record, definition))
    except NoDatabaseError:  # no SQLite file, or an empty PostgreSQL database
        config = effective_config(settings, {}, guild_id=settings.guild_id, definition=definition)
        return StoredSchedule(settings.guild_id, config, [])


async def _read_schedule(
    settings: Settings, record: str | None, definition: SeriesDefinition
) -> StoredSchedule:
    db = database_at(settings.database_location)
    await db.open(check_writable=False, create=False)
    try:
        store = SeriesStore(db)
        guild_id = definition.guild_id
        if guild_id is None:
            guilds = await store.guilds(definition.id)
            guild_id = guilds[0] if guilds else None
        config = await series_config(db, settings, guild_id, definition)
        if guild_id is None:
            return StoredSchedule(None, config, [])
        runs = await store.runs(guild_id, definition.id)
        record = record or await current_record(store, guild_id, definition.id)
        rows = await store.list_days(guild_id, record)
        return StoredSchedule(guild_id, config, rows, runs, record)
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


def chosen_definition(
    settings: Settings, requested: str | None
) -> tuple[SeriesDefinition | None, str | None, list[SeriesDefinition]]:
    """(the series `--series` names, the record asked for or None, every series); the first
    is None when no series has that id, name or record."""
    definitions, problems = load_definitions(settings)
    for problem in problems:
        print(f"warning: series not run: {problem}", file=sys.stderr)
    if not requested or not requested.strip():
        return definitions[0], None, definitions
    wanted = requested.strip()
    for definition in definitions:
        if wanted.casefold() in (definition.id.casefold(), definition.name.casefold()):
            return definition, None, definitions
    found = next((d for d in definitions if d.id == series_of(wanted)), None)
    return found, wanted, definitions


def schedule(settings: Settings, args: argparse.Namespace) -> int:
    definition, record, definitions = chosen_definition(settings, getattr(args, "series", None))
    if definition is None:
        known = ", ".join(d.id for d in definitions)
        print(f"error: no series {args.series!r} (series: {known})", file=sys.stderr)
        return 2
    loaded = _load_or_explain(settings, definition, record)
    if isinstance(loaded, int):
        return loaded
    series, stored = loaded
    _print_summary(settings, definition, definitions, len(series), stored)
    _print_runs(stored)
    print(header(stored.config))
    if stored.rows:
        print(f"(from the database, server {stored.guild_id})", file=sys.stderr)
        for row in stored.rows:
            print(_stored_line(row, stored.config))
    else:
        for line in computed_lines(series, stored.config):
            print(line)
    return 0


def _load_or_explain(
    settings: Settings, definition: SeriesDefinition, record: str | None
) -> tuple[Series, StoredSchedule] | int:
    """The series' days and its stored schedule, or the exit code once the problem is printed."""
    try:
        series = load_series(definition.content_dir)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        stored = stored_schedule(settings, record, definition)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if stored.runs and stored.record not in {run.record for run in stored.runs}:
        known = ", ".join(run.record for run in stored.runs)
        print(f"error: no run {stored.record!r} in server {stored.guild_id} (runs: {known})")
        return 2
    return series, stored


def _print_summary(
    settings: Settings,
    definition: SeriesDefinition,
    definitions: list[SeriesDefinition],
    days: int,
    stored: StoredSchedule,
) -> None:
    """The series' cadence, the other series, a pause, a missing start, and warnings."""
    config = stored.config
    print(
        f"{definition.name}: {days} days, every {config.interval_text}, start {config.start_text}"
    )
    others = [d for d in definitions if d.id != definition.id]
    if others:
        listed = ", ".join(f"{d.id} ({d.name})" for d in others)
        print(f"Other series: {listed} — `schedule --series ID` shows one.")
    if config.paused:
        print("Paused (/challenge resume to continue).")
    if config.start is None and not stored.rows:
        print(
            "No start date: set SERIES_START in .env (or use /challenge reschedule). "
            "Nothing is scheduled."
        )
    from bot.cli.doctor import schedule_problems

    for warning in schedule_problems(settings, database_exists=bool(stored.rows)):
        if config.start is not None and definition.default:  # (no start: said above)
            print(f"warning: {warning}", file=sys.stderr)


def _print_runs(stored: StoredSchedule) -> None:
    """The series' runs in this server, and why a live run will post nothing more."""
    for run in stored.runs:
        mark = "  <- shown" if run.record == stored.record else ""
        ended = f", ended {run.ended_at:%Y-%m-%d}" if run.ended_at else ""
        print(f"  {run.label:<13} {run.record:<32} from {run.created_at:%Y-%m-%d}{ended}{mark}")
    shown = next((r for r in stored.runs if r.record == stored.record), None)
    if shown is None or shown.kind == LIVE:
        reason = idle_reason(ENGLISH, stored.config, stored.rows, shown, SYSTEM_CLOCK.now())
        if reason is not None:
            print(f"Nothing more will be posted: {reason}")


def _stored_line(row: DayRow, config: SeriesConfig) -> str:
    state = row.state + (" (late)" if row.late else "")
    if row.error:
        state += f" — {row.error}"
    return format_row(row.day, row.title, row.planned_at, state, config)


def rehearse(settings: Settings, args: argparse.Namespace) -> int:
    """`challenge-bot rehearse --channel ID [--interval 30s]`, or `--clear`: the CLI side of
    /challenge rehearse. The running bot picks a new rehearsal up when it next starts."""
    guild_id = args.guild or settings.guild_id
    if guild_id is None:
        print("error: say which server: set GUILD_ID or pass --guild ID", file=sys.stderr)
        return 2
    if not args.clear and args.channel is None:
        print("error: --channel ID (a private test channel) or --clear", file=sys.stderr)
        return 2
    try:
        interval = parse_interval(args.interval)
    except ValueError as exc:
        print(f"error: --interval: {exc}", file=sys.stderr)
        return 2
    definition, _, definitions = chosen_definition(settings, getattr(args, "series", None))
    if definition is None:
        known = ", ".join(d.id for d in definitions)
        print(f"error: no series {args.series!r} (series: {known})", file=sys.stderr)
        return 2
    if not args.clear and args.channel == definition.channel_id:
        print("error: that is the live challenge channel; rehearse elsewhere", file=sys.stderr)
        return 2
    try:
        print(
            asyncio.run(
                _rehearse(settings, guild_id, args.channel, interval, args.clear, definition.id)
            )
        )
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


async def _rehearse(
    settings: Settings,
    guild_id: int,
    channel: int | None,
    interval: timedelta,
    clear: bool,
    series_id: str,
) -> str:
    db = database_at(settings.database_location)
    await db.open()
    try:
        store = SeriesStore(db)
        if clear:
            runs = [r for r in await store.runs(guild_id, series_id) if r.kind == REHEARSAL]
            removed = sum([await store.delete_run(guild_id, run.record) for run in runs])
            return f"Cleared {len(runs)} rehearsal(s) and {removed} comment(s) recorded in them."
        now = SYSTEM_CLOCK.now()
        run = await store.add_run(
            guild_id,
            series_id,
            kind=REHEARSAL,
            channel_id=channel,
            interval=interval,
            at=now,
        )  # no start yet: the bot sets one a few seconds after it picks the run up
        return (
            f"{run.label.capitalize()} ({run.record}) planned in channel {channel}, every "
            f"{duration_text(interval)}. It starts a few seconds after the bot next starts "
            "(restart it now)."
        )
    finally:
        await db.close()
