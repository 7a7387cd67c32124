"""`challenge-bot check`: settings, content and database in one readable report."""

from __future__ import annotations

import argparse
import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.clock import SYSTEM_CLOCK
from bot.content import ContentError
from bot.i18n import ENGLISH
from bot.settings import Settings
from bot.store import Database, StoreError, database_at
from bot.store.database import NoDatabaseError

if TYPE_CHECKING:
    import discord


@dataclass
class Report:
    sections: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def add(self, title: str, ok: list[str], problems: list[str]) -> None:
        self.sections.append((title, ok, problems))

    @property
    def problem_count(self) -> int:
        return sum(len(problems) for _, _, problems in self.sections)

    def render(self) -> str:
        lines = []
        for title, ok, problems in self.sections:
            mark = "✗" if problems else "✓"
            lines.append(f"{mark} {title}")
            lines.extend(f"    {line}" for line in ok)
            lines.extend(f"    ✗ {line}" for line in problems)
        total = self.problem_count
        lines.append("")
        lines.append("All good." if not total else f"{total} problem(s) found.")
        return "\n".join(lines)


def check_settings(settings: Settings) -> tuple[list[str], list[str]]:
    ok, problems = [], []
    if settings.discord_token is None:
        problems.append("DISCORD_TOKEN is not set (needed for `run`)")
    else:
        ok.append("DISCORD_TOKEN is set (hidden)")
    if settings.challenge_channel_id is None:
        problems.append("CHALLENGE_CHANNEL_ID is not set: the bot doesn't know where to post")
    else:
        ok.append(f"CHALLENGE_CHANNEL_ID = {settings.challenge_channel_id}")
    ok.append(f"GUILD_ID = {settings.guild_id or 'not set (commands sync globally)'}")
    ok.append(f"SERIES_TIMEZONE = {settings.series_timezone}")
    for key in ("GUILD_ID", "CHALLENGE_CHANNEL_ID", "WELCOME_CHANNEL_ID", "PING_ROLE_ID"):
        value = getattr(settings, key.lower(), None)
        if value is not None and value <= 0:
            problems.append(
                f"{key} {value} is not a Discord id: copy it with right-click → Copy ID "
                "(Developer Mode on in Discord's settings)"
            )
    problems += schedule_problems(settings)
    if settings.welcome_message:
        from bot.members.welcome import template_problem

        trouble = template_problem(settings.welcome_message)
        if trouble:
            problems.append(f"WELCOME_MESSAGE: {trouble} (the default greeting is used instead)")
    return ok, problems


def schedule_problems(settings: Settings, *, database_exists: bool | None = None) -> list[str]:
    """What would make the series not run as the organiser expects."""
    from bot.series.config import duration_text, effective_config
    from bot.series.schedule import grace_period, is_late, planned_times

    problems = []
    config = effective_config(settings, {}, guild_id=settings.guild_id)
    if config.start is None:
        problems.append(
            "SERIES_START is not set: nothing will be posted (set it in .env, or use "
            "/challenge reschedule)"
        )
    if settings.answer_delay > config.interval:
        problems.append(
            f"ANSWER_DELAY ({duration_text(settings.answer_delay)}) is longer than "
            f"SERIES_INTERVAL ({config.interval_text}): each expert answer would come after the "
            "next day is out (a rehearsal would show none in time)"
        )
    location = settings.database_location
    fresh = (
        isinstance(location, Path) and not location.exists()
        if database_exists is None
        else not database_exists
    )
    if config.start is not None and fresh:
        times = planned_times(config.start, config.post_time, config.tz, config.interval, 12)
        now = SYSTEM_CLOCK.now()
        due = [at for at in times if at <= now]
        if len(due) > 1 and is_late(due[0], now, grace_period(config.interval)):
            problems.append(
                f"SERIES_START ({config.start_text}) is in the past: {len(due)} days would be due "
                "at once. The bot will hold them and ask an admin in /challenge status; set a "
                "future start to begin normally"
            )
    return problems


def check_content(settings: Settings) -> list[tuple[str, list[str], list[str]]]:
    from bot.keywords.loader import load_catalogue
    from bot.series.loader import load_series

    sections: list[tuple[str, list[str], list[str]]] = []
    days_title = f"Challenge days ({settings.series_dir})"
    try:
        days = load_series(Path(settings.series_dir))
    except ContentError as exc:
        sections.append((days_title, [], [str(p) for p in exc.problems]))
    else:
        sections.append((days_title, [f"{len(days)} loaded"], long_days(days, settings)))
    sections.extend(check_more_series(settings))
    # The bot serves every sound article and skips the rest: report both.
    keywords_title = f"Keyword articles ({settings.keywords_dir})"
    try:
        catalogue = load_catalogue(Path(settings.keywords_dir))
    except ContentError as exc:
        sections.append((keywords_title, [], [str(p) for p in exc.problems]))
    else:
        loaded = [f"{len(catalogue.articles)} loaded"]
        sections.append((keywords_title, loaded, [str(p) for p in catalogue.problems]))
    return sections


def check_more_series(settings: Settings) -> list[tuple[str, list[str], list[str]]]:
    """EXTRA_SERIES_DIRS: each series.yml and its day pages."""
    from bot.series.definition import load_definitions
    from bot.series.loader import load_series

    definitions, problems = load_definitions(settings)
    sections: list[tuple[str, list[str], list[str]]] = []
    if problems:
        sections.append(("Series files (EXTRA_SERIES_DIRS)", [], problems))
    for definition in definitions[1:]:
        title = f"Series {definition.id} ({definition.content_dir})"
        where = f"channel {definition.channel_id}" if definition.channel_id else "no channel_id"
        start = definition.start.isoformat() if definition.start else "no start"
        try:
            days = load_series(definition.content_dir)
        except ContentError as exc:
            sections.append((title, [], [str(p) for p in exc.problems]))
            continue
        ok = [f"{definition.name}: {len(days)} days, {where}, {start}"]
        missing = [] if definition.channel_id else ["channel_id is not set in series.yml"]
        sections.append((title, ok, missing))
    return sections


MANY_MESSAGES = 10  # a day post longer than this floods the channel: say so


def long_days(series: Any, settings: Settings) -> list[str]:
    """Day pages that would go out as an unusually long run of messages."""
    from bot.rendering.days import render_day_bundle

    problems = []
    for day in series:
        bundle = render_day_bundle(
            ENGLISH, day, next_post_at=None, series_name=settings.series_name, is_last=False
        )
        count = len(bundle.parts) + len(bundle.opening) + len(bundle.answers)
        if count > MANY_MESSAGES:
            problems.append(
                f"{day.source or 'day ' + str(day.number)}: day {day.number} becomes {count} "
                f"messages (more than {MANY_MESSAGES}): shorten the page or split it"
            )
    return problems


async def check_postgres(url: str) -> tuple[list[str], list[str]]:
    """Connect to the PostgreSQL state database and read its schema version (never creates it)."""
    db = database_at(url)
    try:
        await db.open(create=False)
        problems = await db.integrity_check()
        version = await db.user_version()
    except NoDatabaseError:
        return [f"{db.describe()} is empty; the bot creates its tables at the first run"], []
    except StoreError as exc:
        return [], [str(exc)]
    finally:
        await db.close()
    return [f"{db.describe()}: schema version {version}"], problems


async def check_database(path: Path, existed: bool) -> tuple[list[str], list[str]]:
    """Open an existing database (migrating it) and run SQLite's quick check."""
    if not existed:
        parent = path.parent if str(path.parent) else Path(".")
        where = parent if parent.exists() else parent.parent
        if not os.access(where, os.W_OK):
            return [], [f"DATABASE_PATH {path}: can't create it, {where} is not writable"]
        return [f"{path} doesn't exist yet; it will be created at the first run"], []
    db = Database(path)
    try:
        await db.open()
        problems = await db.integrity_check()
        version = await db.user_version()
    except StoreError as exc:
        return [], [str(exc)]
    finally:
        await db.close()
    return [f"{path} exists, schema version {version}"], problems


async def check_discord(settings: Settings) -> tuple[list[str], list[str]]:
    """Log in over REST and report, per configured channel, the permissions the bot lacks."""
    import discord

    from bot.discord_setup import apply_endpoints

    apply_endpoints(settings.discord_api_url, settings.discord_gateway_url)
    client = discord.Client(intents=discord.Intents.none())
    ok: list[str] = []
    problems: list[str] = []
    try:
        await client.login(settings.require_token())
        ok.append(f"logged in as {client.user} via {settings.discord_api_url}")
        if settings.guild_id:
            try:
                guild = await client.fetch_guild(settings.guild_id)
                ok.append(f"GUILD_ID {settings.guild_id}: the bot is in {guild.name}")
            except (discord.NotFound, discord.Forbidden):
                problems.append(
                    f"GUILD_ID {settings.guild_id}: the bot is not in that server — invite it "
                    "(`challenge-bot invite`) or fix GUILD_ID"
                )
        configured = {
            "CHALLENGE_CHANNEL_ID": settings.challenge_channel_id,
            "WELCOME_CHANNEL_ID": settings.welcome_channel_id,
        }
        for key, channel_id in configured.items():
            if channel_id:
                good, line = await _channel_report(client, key, channel_id)
                (ok if good else problems).append(line)
    except discord.LoginFailure:
        problems.append("DISCORD_TOKEN was refused by Discord: reset it in the developer portal")
    except (discord.HTTPException, OSError) as exc:
        problems.append(f"can't reach Discord at {settings.discord_api_url}: {exc}")
    finally:
        await client.close()
    return ok, problems


async def _channel_report(client: discord.Client, key: str, channel_id: int) -> tuple[bool, str]:
    """Whether the bot can do its job in one configured channel, and the line that says so."""
    import discord

    from bot.discord_setup import missing_permissions

    try:
        found = await client.fetch_channel(channel_id)
        if not isinstance(found, discord.abc.GuildChannel) or client.user is None:
            raise LookupError(channel_id)  # a DM or group channel: not in a server
        guild = await client.fetch_guild(found.guild.id)
        me = await guild.fetch_member(client.user.id)
        channel = next(c for c in await guild.fetch_channels() if c.id == channel_id)
    except (discord.NotFound, discord.Forbidden, LookupError, StopIteration):
        return False, f"{key} {channel_id}: channel not found or not visible to the bot"
    missing = missing_permissions(channel.permissions_for(me))
    if missing:
        return False, f"{key} #{channel.name}: missing {', '.join(missing)}"
    return True, f"{key} #{channel.name}: all needed permissions present"


def check(settings: Settings, args: argparse.Namespace) -> int:
    if getattr(args, "live", False):
        from bot.health import health_path, judge

        healthy, why = judge(health_path(Path(settings.database_path)), SYSTEM_CLOCK.now())
        print(("healthy: " if healthy else "unhealthy: ") + why)
        return 0 if healthy else 1
    report = Report()
    report.add("Settings", *check_settings(settings))
    for section in check_content(settings):
        report.add(*section)
    location = settings.database_location
    if isinstance(location, Path):
        report.add("Database", *asyncio.run(check_database(location, location.exists())))
    else:
        report.add("Database", *asyncio.run(check_postgres(location)))
    if settings.discord_token is not None and not args.offline:
        report.add("Discord", *asyncio.run(check_discord(settings)))
    print(report.render())
    return 1 if report.problem_count else 0
