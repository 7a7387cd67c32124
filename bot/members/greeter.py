"""Greeter: welcomes people who join, by DM or in the welcome channel, under the burst policy.

Joins go into a `WelcomeQueue` (pure, in welcome.py); one background task sends what the queue
allows — one greeting per newcomer, or one grouped greeting (no pings) for a join storm —
sleeping until the rate gate opens or a new join arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.boundary import Discord, DiscordError, MemberInfo
from bot.clock import Clock
from bot.i18n import Messages
from bot.i18n.choice import LanguageChoice
from bot.members.days import current_record
from bot.members.once import WarnOnce
from bot.members.welcome import (
    BurstPolicy,
    Greet,
    GreetGroup,
    Newcomer,
    WelcomeQueue,
    group_welcome_text,
    placeholder_values,
    welcome_text,
    where_we_are,
)
from bot.rendering.members import escape_name, render_welcome
from bot.series.config import series_config
from bot.series.schedule import first_post
from bot.settings import Settings
from bot.store.database import SqlDatabase, is_database_failure
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

log = logging.getLogger(__name__)


class Greeter:
    """`languages`: who reads which language — a DM greets in the member's, a welcome
    channel in the server's."""

    def __init__(
        self,
        discord: Discord,
        settings: Settings,
        db: SqlDatabase,
        clock: Clock,
        languages: LanguageChoice,
    ) -> None:
        self.discord = discord
        self.settings = settings
        self.db = db  # the server's schedule and channel (/challenge reschedule, channel)
        self.clock = clock
        self.schedule = SeriesStore(db)
        self.members = MemberStore(db)
        self.languages = languages
        self.queue = WelcomeQueue(BurstPolicy(threshold=self.settings.welcome_burst_threshold))
        self.warn = WarnOnce(log)
        self._joined: dict[tuple[int, int], MemberInfo] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.welcome_channel_id or self.settings.welcome_dm)

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="welcome-queue")
        if not self.enabled:
            log.info("Welcome messages are off (set WELCOME_CHANNEL_ID or WELCOME_DM=true)")

    def close(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def joined(self, member: MemberInfo) -> None:
        """Queue a greeting for `member` (bots and a switched-off welcome are ignored), once
        per join even when two processes are handed it."""
        if member.bot or not self.can_greet(member.guild_id):
            return
        if not await self._first_to_greet(member):
            return
        self._joined[(member.guild_id, member.id)] = member
        self.queue.add(Newcomer(member.id, member.guild_id), self.clock.monotonic())
        self._wake.set()

    async def _first_to_greet(self, member: MemberInfo) -> bool:
        """Claim this join in the database; without a join time or a database, greet (a
        rare second greeting is better than none)."""
        if member.joined_at is None:
            return True
        try:
            first = await self.members.claim_welcome(
                member.guild_id, member.id, member.joined_at, now=self.clock.now()
            )
        except Exception as exc:
            if not is_database_failure(exc):
                raise
            log.warning("Could not record the welcome of %s (%s); greeting anyway", member.id, exc)
            return True
        if not first:
            log.info("Join of %s in server %s already greeted", member.id, member.guild_id)
        return first

    async def _loop(self) -> None:
        """Send what the queue allows, sleeping until the rate gate or a new join says so."""
        while not self.discord.is_closed():
            action, wait = self.queue.next_action(self.clock.monotonic())
            if action is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=min(wait or 1.0, 1.0))
                continue
            try:
                sent = await self._perform(action)
            except Exception:
                log.exception("Could not send a welcome")
                sent = True  # count the attempt: a failing channel must not be hammered
            if sent:
                self.queue.sent(self.clock.monotonic())

    async def _perform(self, action: Greet | GreetGroup) -> bool:
        if isinstance(action, Greet):
            key = (action.newcomer.guild_id, action.newcomer.user_id)
            member = self._joined.pop(key, None)
            return member is not None and await self.greet(member)
        for newcomer in action.newcomers:
            self._joined.pop((newcomer.guild_id, newcomer.user_id), None)
        return await self.greet_group(action.guild_id, len(action.newcomers))

    def can_greet(self, guild_id: int) -> bool:
        """A greeting can go out in this server: by DM, or the welcome channel is here (a
        join anywhere else is not even recorded)."""
        return self.settings.welcome_dm or self.welcome_channel(guild_id) is not None

    def welcome_channel(self, guild_id: int) -> int | None:
        """The id of the welcome channel when it is in this server."""
        channel_id = self.settings.welcome_channel_id
        if not channel_id:
            return None
        channel = self.discord.channel(channel_id)
        if channel is None:
            self.warn("welcome-channel", "WELCOME_CHANNEL_ID %s: channel not found", channel_id)
            return None
        if channel.guild_id is not None and channel.guild_id != guild_id:
            return None  # another server's channel
        return channel.id

    async def welcome_for(self, tr: Messages, member: MemberInfo) -> str:
        """The greeting for `member` as things stand now, in `tr`'s language."""
        guild_id = member.guild_id
        record = await current_record(self.schedule, guild_id, self.settings.series_id)
        days = await self.schedule.list_days(guild_id, record)
        # The server's schedule and channel, with /challenge reschedule and channel applied.
        config = await series_config(self.db, self.settings, guild_id)
        first = first_post(config.start, config.post_time, config.tz) if config.start else None
        moment = where_we_are(days, self.clock.now(), interval=config.interval, first_post=first)
        values = placeholder_values(
            tr,
            moment,
            member=member.mention,
            server=escape_name(self.discord.guild_name(guild_id) or ""),
            series=self.settings.series_name,
            channel_id=config.channel_id,
        )
        result = welcome_text(tr, self.settings.welcome_message, moment, values)
        if result.problem:
            self.warn(
                "welcome-template",
                "WELCOME_MESSAGE can't be used (%s); sending the default welcome instead",
                result.problem,
            )
        return render_welcome(result.text)

    async def greet(self, member: MemberInfo) -> bool:
        """Greet one member (DM or welcome channel); True when a message went out. Only the
        newcomer may be pinged."""
        guild_id = member.guild_id
        if self.settings.welcome_dm:
            tr = await self.languages.for_member(member.id, guild_id)
            text = await self.welcome_for(tr, member)
            try:
                await self.discord.send_dm(member.id, text, ping_user=member.id)
                return True
            except DiscordError as exc:
                log.info("Could not DM a welcome to %s (%s)", member.id, exc)
        channel_id = self.welcome_channel(guild_id)
        if channel_id is None:
            return False
        tr = await self.languages.for_server(guild_id)  # a public post
        text = await self.welcome_for(tr, member)
        await self.discord.send(channel_id, text, guild_id=guild_id, ping_user=member.id)
        return True

    async def greet_group(self, guild_id: int, count: int) -> bool:
        """One grouped greeting (no pings) for a burst of joins."""
        name = self.discord.guild_name(guild_id)
        channel_id = self.welcome_channel(guild_id) if name is not None else None
        log.info("Join burst in server %s: greeting %d newcomers at once", guild_id, count)
        if channel_id is None or name is None:
            return False
        tr = await self.languages.for_server(guild_id)
        text = group_welcome_text(tr, count, escape_name(name), self.settings.series_name)
        await self.discord.send(channel_id, render_welcome(text), guild_id=guild_id)
        return True
