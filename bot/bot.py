"""The bot: owns the database, the scheduler and the cogs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from pathlib import Path

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands

from bot.boundary import Discord
from bot.clock import SYSTEM_CLOCK, Clock
from bot.discord_boundary import DiscordBoundary
from bot.discord_setup import apply_endpoints, intents, missing_permissions, pacing_trace
from bot.health import BEAT_EVERY, Beat, health_path, write_beat
from bot.i18n import Messages
from bot.i18n.choice import LanguageChoice
from bot.i18n.commands import CommandTranslator, reader
from bot.members.recaps import Recaps
from bot.pacing import RequestPace, process_rate
from bot.publishing import Publisher
from bot.rendering.limits import MESSAGE_CONTENT, truncate
from bot.series.config import series_config
from bot.series.definition import SeriesDefinition, load_definitions
from bot.series.loader import load_usable_series
from bot.series.schedule import DAY, next_slot, resolve_local
from bot.series.service import Report, SeriesService
from bot.settings import Settings
from bot.sharding import describe, owns
from bot.store import Database, SqlDatabase, StoreError, database_at
from bot.store.backup import nightly
from bot.store.languages import LanguageStore
from bot.store.members import MemberStore
from bot.store.series import SeriesStore, series_of
from bot.timers import SchedulerTimers

log = logging.getLogger(__name__)

EXTENSIONS: tuple[str, ...] = (
    "cogs.meta",
    "cogs.comments",
    "cogs.series",
    "cogs.welcome",
    "cogs.participation",
    "cogs.recaps",
    "cogs.keywords",
    "cogs.language",
)


class CommandTree(app_commands.CommandTree):
    """Turns any failure in a slash command into a short, private apology."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        tr = await reader(interaction)
        if isinstance(error, app_commands.CommandOnCooldown):
            text = tr._(
                "Slow down a little — try again in {seconds}s.",
                seconds=round(error.retry_after),
            )
        elif isinstance(error, app_commands.MissingPermissions | app_commands.CheckFailure):
            text = tr._("You need the Manage Server permission for that.")
            if isinstance(error, app_commands.NoPrivateMessage):
                text = tr._("That command only works inside the server.")
        elif isinstance(error, app_commands.TransformerError):
            text = tr._("I couldn't understand that value. Please check it and try again.")
        else:
            command = interaction.command.qualified_name if interaction.command else "?"
            log.error("Command /%s failed", command, exc_info=error)
            text = tr._(
                "Sorry, something went wrong on my side. The organisers can see it in the log."
            )
        await send_private(interaction, text)


async def send_private(interaction: discord.Interaction, text: str) -> None:
    """Answer ephemerally whether or not the interaction was already answered."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    # RuntimeError: the session is closing; OSError/ClientError: the connection dropped
    except (discord.HTTPException, aiohttp.ClientError, OSError, RuntimeError):
        log.warning("Could not tell the user about an error", exc_info=True)


BACKUP_TIME = time(4, 0)  # local time of the nightly backup (BACKUP_DIR)
SYNC_RETRY = timedelta(minutes=5)
SYNC_WAIT = 5.0  # seconds the start waits for the command sync before going on


def sync_problem(exc: BaseException, guild_id: int | None) -> str:
    """What a failed command sync means for the organiser, in one line."""
    where = f"GUILD_ID {guild_id}" if guild_id else "the global commands"
    if isinstance(exc, discord.NotFound | discord.Forbidden):
        return (
            f"Could not register slash commands for {where}: {exc.status} {exc.text or exc}. "
            "Is the bot in that server, invited with the applications.commands scope "
            "(`challenge-bot invite`)? Check GUILD_ID."
        )
    if isinstance(exc, discord.HTTPException):
        return f"Discord refused the slash commands for {where}: {exc.status} {exc.text or exc}."
    return f"Could not register slash commands for {where}: {type(exc).__name__}: {exc}."


class ChallengeBot(commands.Bot):
    """The ML & DL Morocco Challenges bot.

    `settings` drives everything; `clock` is the one clock (its timers fire on the system
    clock, so it is the system clock outside unit tests); `extensions` lists the cogs to load.
    It builds the services the cogs share (the composition root).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = SYSTEM_CLOCK,
        extensions: Sequence[str] = EXTENSIONS,
        **options: object,
    ) -> None:
        apply_endpoints(settings.discord_api_url, settings.discord_gateway_url)
        self.pace = RequestPace(process_rate(settings))  # under Discord's global limit
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=CommandTree,
            # Every command works inside a server only (none in DMs or as a user app).
            allowed_contexts=app_commands.AppCommandContext(guild=True),
            allowed_installs=app_commands.AppInstallationType(guild=True),
            # Members arrive with their events; asking every server's member list at start-up
            # (110 servers a minute per connection) would hold on_ready for minutes at scale.
            chunk_guilds_at_startup=False,
            http_trace=pacing_trace(self.pace),
            **options,  # type: ignore[arg-type]  # test-only Bot options, passed through as is
        )
        self.settings = settings
        self.clock = clock
        self.db: SqlDatabase = database_at(settings.database_location)
        # The keyword catalogue is content, indexed with SQLite FTS5: in the state database
        # when that is SQLite, else in a local in-memory index each process builds.
        self.catalogue = self.db if isinstance(self.db, Database) else Database(":memory:")
        self.timers = SchedulerTimers()
        self.series: SeriesService | None = None  # the default series (the `.env` one)
        self.all_series: dict[str, SeriesService] = {}  # every series by id, default first
        self.recaps: Recaps | None = None
        self._extensions = tuple(extensions)
        self.synced_commands: list[app_commands.AppCommand] = []
        self.command_sync_error: str | None = None
        self._sync_task: asyncio.Task[None] | None = None
        self._told_admins: set[str] = set()
        self._first_ready_done = False
        self._startup: asyncio.Task[None] | None = None  # the first on_ready's work
        self.definition_problems: list[str] = []
        self.languages = LanguageChoice(LanguageStore(self.db), settings.bot_language)
        self.discord: Discord = DiscordBoundary(self)  # what the services reach Discord through

    def now(self) -> datetime:
        return self.clock.now()

    async def setup_hook(self) -> None:
        paths = self.settings
        log.info(
            "Database %s; day pages %s; keyword articles %s",
            self.db.describe(),
            paths.series_dir,
            paths.keywords_dir,
        )
        log.info("%s", describe(self.settings))
        await self.db.open()
        if self.catalogue is not self.db:
            await self.catalogue.open()
        await self.tree.set_translator(CommandTranslator())
        self.timers.start()
        self.all_series = self._series_services()
        self.series = next(iter(self.all_series.values()))
        self.recaps = Recaps(
            self.discord,
            MemberStore(self.db),
            SeriesStore(self.db),
            self.clock,
            self.languages,
            interval=self.series_interval,
        )
        for name in self._extensions:
            await self.load_extension(name)
        # Command sync is not needed to post the series: a failure is reported and retried,
        # and a slow one (Discord retrying its own 5xx) finishes in the background.
        self._sync_task = asyncio.create_task(self.sync_commands_or_retry(), name="command-sync")
        await asyncio.wait({self._sync_task}, timeout=SYNC_WAIT)

    async def tell_admins(self, key: str, text: Report) -> None:
        """Report something that needs a human in ADMIN_CHANNEL_ID, once per `key` per run
        (a retry doesn't repeat it). Never raises: the log has it anyway.

        `text` is the report, or a function writing it in a language: it is then written in
        the language of the admin channel's server."""
        channel_id = self.settings.admin_channel_id
        if not channel_id or key in self._told_admins:
            return
        self._told_admins.add(key)
        channel = self.get_channel(channel_id)
        send = getattr(channel, "send", None)
        if send is None:
            log.warning("ADMIN_CHANNEL_ID %s: channel not found, can't report there", channel_id)
            return
        if not isinstance(text, str):
            guild = getattr(channel, "guild", None)
            text = text(await self._admins_language(guild.id if guild is not None else None))
        try:
            await send(
                content=truncate(f"⚠️ {text}", MESSAGE_CONTENT),
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except (discord.HTTPException, OSError) as exc:
            log.warning("Could not report in ADMIN_CHANNEL_ID %s: %s", channel_id, exc)

    async def _admins_language(self, guild_id: int | None) -> Messages:
        """The language of the server the admin channel is in (BOT_LANGUAGE if unreadable)."""
        return await self.languages.for_server(guild_id)

    async def _heartbeat(self) -> None:
        """Tell supervisors we are alive (`check --live`), then beat again in 30 s."""
        beat = Beat(
            self.clock.now(),
            connected=not self.is_closed() and self.is_ready() and self.gateway_open(),
            timers=self.timers.alive,
        )
        try:
            await asyncio.to_thread(write_beat, health_path(self.settings.database_path), beat)
        except OSError as exc:
            log.warning("Could not write the heartbeat file: %s", exc)
        self.timers.set("heartbeat", self.clock.now() + BEAT_EVERY, self._heartbeat)

    def owns(self, guild_id: int) -> bool:
        """Whether this process serves the server (it is on one of its shards)."""
        return owns(self.settings, guild_id)

    def gateway_open(self) -> bool:
        """The gateway connection is up."""
        return self.ws is not None and self.ws.open

    def _next_backup_at(self) -> datetime:
        local = next_slot(BACKUP_TIME, self.settings.tz, DAY, self.clock.now())
        return resolve_local(local, self.settings.tz)

    async def _nightly_backup(self) -> None:
        folder, keep = self.settings.backup_dir, self.settings.backup_keep
        assert folder is not None
        try:
            report = await asyncio.to_thread(
                nightly, Path(self.settings.database_path), folder, keep, self.clock.now()
            )
            log.info("Nightly backup: %s (keeping the last %d)", report.summary(), keep)
        except (StoreError, OSError) as exc:
            log.error("Nightly backup failed: %s", exc)
            await self.tell_admins("backup", f"The nightly backup failed: {exc}")
        self.timers.set("backup", self._next_backup_at(), self._nightly_backup)

    def _series_services(self) -> dict[str, SeriesService]:
        """One service per series: the default (`.env`), then each of EXTRA_SERIES_DIRS."""
        definitions, problems = load_definitions(self.settings)
        for problem in problems:
            log.error("Series not run: %s", problem)
        self.definition_problems = problems
        services: dict[str, SeriesService] = {}
        for definition in definitions:
            series, found = load_usable_series(definition.content_dir)
            lines = [str(problem) for problem in found]
            if lines:
                held = (
                    "nothing will be posted" if series is None else "the days they concern are held"
                )
                log.error(
                    "The series %r in %s has problems (%s; the other days keep their schedule):\n%s",
                    definition.id,
                    definition.content_dir,
                    held,
                    "\n".join(lines),
                )
            services[definition.id] = SeriesService(
                self.settings,
                self.db,
                series,
                lines,
                discord=self.discord,
                publisher=Publisher(self, SeriesStore(self.db)),
                dispatch=self.dispatch,
                clock=self.clock,
                timers=self.timers,
                notify=self.tell_admins,
                definition=definition,
                languages=self.languages,
            )
        if len(services) > 1:
            log.info(
                "Series: %s", ", ".join(f"{s.series_id} ({s.name})" for s in services.values())
            )
        return services

    def series_for(self, record: str) -> SeriesService | None:
        """The service that runs a record (a series id, an edition or a rehearsal)."""
        series_id = series_of(record)
        service = self.all_series.get(series_id)
        if service is None:
            return None
        return service.rehearsals.get(record, service)

    def completion_rules(self, record: str) -> SeriesDefinition | None:
        """The completion roles of a record's series (None: a rehearsal, or a series no
        longer configured, gives none)."""
        service = self.series_for(record)
        if service is None or service.rehearsal is not None:
            return None
        return service.definition

    def definitions(self) -> list[SeriesDefinition]:
        """Every series' definition."""
        return [service.definition for service in self.all_series.values()]

    async def series_interval(self, record: str, guild_id: int) -> timedelta:
        """The cadence of a record's series in a server (a rehearsal's or a second series'
        own; the `.env` one for a series no longer configured)."""
        service = self.series_for(record)
        if service is not None:
            return (await service.config(guild_id)).interval
        return (await series_config(self.db, self.settings, guild_id)).interval

    async def sync_commands_or_retry(self) -> None:
        """Sync; on failure, one line that says what to do, and another try later."""
        try:
            await self.sync_commands()
        except Exception as exc:  # a 4xx/5xx, a network error, an odd answer: never fatal
            self.command_sync_error = sync_problem(exc, self.settings.guild_id)
            if self.is_ready():
                await self.tell_admins("command-sync", self.command_sync_error)
            log.error(
                "%s Slash commands may be missing or out of date; the series runs anyway. "
                "Trying again in %d minutes.",
                self.command_sync_error,
                SYNC_RETRY.seconds // 60,
            )
            self.timers.set(
                "command-sync", self.clock.now() + SYNC_RETRY, self.sync_commands_or_retry
            )
        else:
            self.command_sync_error = None

    async def sync_commands(self) -> None:
        guild_id = self.settings.guild_id
        if guild_id:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            self.synced_commands = await self.tree.sync(guild=guild)
        else:
            self.synced_commands = await self.tree.sync()
        log.info(
            "Synced %d slash commands %s",
            len(self.synced_commands),
            f"to server {guild_id}" if guild_id else "globally (may take up to an hour to show)",
        )

    async def on_ready(self) -> None:
        log.info(
            "Logged in as %s (%s) in %d server(s)",
            self.user,
            self.user and self.user.id,
            len(self.guilds),
        )
        if not self._first_ready_done:
            self._first_ready_done = True  # on_ready comes again after each reconnect
            self._startup = asyncio.create_task(self._first_ready(), name="first-ready")
            await self._startup

    async def _first_ready(self) -> None:
        """Once the guilds are known: report problems, start the timers and the series."""
        for line in self.permission_report():
            if "missing" in line or "not found" in line:
                log.warning(line)
                await self.tell_admins(f"permissions:{line}", line)
            else:
                log.info(line)
        if self.command_sync_error:
            await self.tell_admins("command-sync", self.command_sync_error)
        for service in self.all_series.values():
            if service.content_problems:
                problems = "\n".join(f"• {p}" for p in service.content_problems[:10])
                where = "" if service.definition.default else f" of {service.name}"
                await self.tell_admins(
                    f"content:{service.series_id}", f"Problems in the day pages{where}:\n{problems}"
                )
        if self.definition_problems:
            problems = "\n".join(f"• {p}" for p in self.definition_problems[:10])
            await self.tell_admins("series-files", f"Series not run:\n{problems}")
        self.timers.set("heartbeat", self.clock.now(), self._heartbeat)
        if self.settings.backup_dir is not None and isinstance(self.db, Database):
            self.timers.set("backup", self._next_backup_at(), self._nightly_backup)
        elif self.settings.backup_dir is not None:
            log.warning("BACKUP_DIR backs up SQLite only: back up PostgreSQL with pg_dump")
        for service in self.all_series.values():  # one series' failure doesn't stop another
            try:
                await service.start_all()
            except Exception:
                log.exception("Could not start the series %r", service.series_id)

    def permission_report(self) -> list[str]:
        """Per configured channel: does it exist, and which needed permissions are missing."""
        lines = []
        configured = {
            "CHALLENGE_CHANNEL_ID": self.settings.challenge_channel_id,
            "WELCOME_CHANNEL_ID": self.settings.welcome_channel_id,
        }
        guild_id = self.settings.guild_id
        elsewhere = guild_id is not None and not owns(self.settings, guild_id)
        for key, channel_id in configured.items():
            if not channel_id:
                continue
            if elsewhere:  # GUILD_ID's server is on another process's shard: checked there
                lines.append(f"{key} {channel_id}: in server {guild_id}, on another shard")
                continue
            channel = self.get_channel(channel_id)
            if not isinstance(channel, discord.abc.GuildChannel):
                lines.append(f"{key} {channel_id}: channel not found (is the bot in that server?)")
                continue
            missing = missing_permissions(channel.permissions_for(channel.guild.me))
            if missing:
                lines.append(f"{key} #{channel.name}: missing permissions: {', '.join(missing)}")
            else:
                lines.append(f"{key} #{channel.name}: all needed permissions present")
        return lines

    async def close(self) -> None:
        # Stop waking up, let a post in progress finish its step, then disconnect.
        if self._sync_task is not None and not self._sync_task.done():
            self._sync_task.cancel()
        for service in self.all_series.values():
            await service.close()
        if self._startup is not None:  # stopped while starting: it stops between servers
            await asyncio.wait({self._startup}, timeout=10)
            self._startup.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._startup  # its failure was logged by on_ready's caller
        await self.timers.close()
        if self.is_ready():  # it ran: say it stopped, so a supervisor doesn't wait two minutes
            with contextlib.suppress(OSError):
                stopped = Beat(self.clock.now(), connected=False, timers=False, stopped=True)
                write_beat(health_path(self.settings.database_path), stopped)
        await super().close()
        await self.db.close()
        if self.catalogue is not self.db:
            await self.catalogue.close()


class ShardedChallengeBot(ChallengeBot, commands.AutoShardedBot):
    """The bot with SHARD_COUNT set: discord.py's AutoShardedBot, one gateway connection per
    shard of SHARD_IDS (all of SHARD_COUNT if empty). Servers of other shards are never in
    its cache, so it only answers, posts, recaps and gives roles in its own."""

    def gateway_open(self) -> bool:
        """Every shard's connection is up."""
        shards = self.shards.values()
        return bool(shards) and not any(shard.is_closed() for shard in shards)


def build_bot(
    settings: Settings,
    *,
    clock: Clock = SYSTEM_CLOCK,
    extensions: Sequence[str] = EXTENSIONS,
    **options: object,
) -> ChallengeBot:
    """The bot for these settings: sharded with SHARD_COUNT, otherwise a plain one (a single
    connection without a `shard` in IDENTIFY, as before sharding existed)."""
    if settings.shard_count is None:
        return ChallengeBot(settings, clock=clock, extensions=extensions, **options)
    return ShardedChallengeBot(
        settings,
        clock=clock,
        extensions=extensions,
        shard_count=settings.shard_count,
        shard_ids=settings.shards,
        **options,
    )
