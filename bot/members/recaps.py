"""Recaps: each day's recap posted in its thread exactly once, with retries.

A day's recap is claimed in the store (series_days.recap_posted_at) before it is sent, so it
is never posted twice; when Discord refuses it the claim is undone and a retry scheduled. The
last day has no next day to end it, so a job recaps it one interval after its post (moved
when `/challenge reschedule` changes the interval). A recap cut off by a crash between claim and send is found and resent at start-up (`recover`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.members.days import series_days
from bot.members.participation import DayTotals, last_day
from bot.rendering.members import render_recap
from bot.series.config import series_config
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)

RECAP_RETRIES = 3
RECAP_RETRY_DELAY = timedelta(minutes=2)
RECAP_RECOVERY = timedelta(days=3)  # how far back a recap cut off by a crash is resent
JOB_PREFIXES = ("final-recap-", "recap-retry-")


class Recaps:
    def __init__(self, bot: ChallengeBot, store: MemberStore, schedule: SeriesStore) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.series_id = bot.settings.series_id
        self.store = store  # comments and reactions
        self.schedule = schedule  # the days, and each recap's claim
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Schedule the last day's recap in every server with a schedule."""
        for guild_id in await self.schedule.guilds(self.series_id):
            await self.schedule_final(guild_id)

    def close(self) -> None:
        scheduler = self.bot.scheduler
        if scheduler is not None and scheduler.running:
            for job in scheduler.get_jobs():
                if job.id.startswith(JOB_PREFIXES):
                    job.remove()

    async def recover(self) -> None:
        """Send the recaps that were claimed but never reached Discord (a crash in between).

        A claim is followed by the message within milliseconds, so a claimed recap whose
        thread has no recap of ours shortly after the claim time was cut off: unclaim, resend.
        """
        since = self.bot.now() - RECAP_RECOVERY
        for guild_id in await self.schedule.guilds(self.series_id):
            for day in await self.schedule.list_days(guild_id, self.series_id):
                claimed = day.recap_posted_at
                if claimed is None or claimed < since or not day.thread_id:
                    continue
                async with self._lock:
                    if await self._sent(day.thread_id, day.day, claimed):
                        continue
                    log.warning("The recap of day %s was cut off by a restart: sending it", day.day)
                    await self.schedule.clear_recap(guild_id, self.series_id, day.day)
                await self.post(guild_id, day.day, day.thread_id)

    async def _sent(self, thread_id: int, day: int, claimed: datetime) -> bool:
        """Whether our recap of `day` is in the thread among the messages after the claim.

        When the thread can't be read, say yes: a missing recap beats a duplicate one.
        """
        title = f"Day {day} recap:"
        after = discord.Object(discord.utils.time_snowflake(claimed - timedelta(seconds=5)))
        me = self.bot.user.id if self.bot.user else 0
        try:
            channel = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
            history = channel.history(after=after, limit=100, oldest_first=True)  # type: ignore[union-attr]
            async for message in history:
                if message.author.id == me and any(
                    (embed.title or "").startswith(title) for embed in message.embeds
                ):
                    return True
        except discord.HTTPException as exc:
            log.warning("Could not check the recap of day %s: %s", day, exc)
            return True
        return False

    async def post(self, guild_id: int, day: int, thread_id: int, attempt: int = 0) -> bool:
        """Post the day's recap in its thread, exactly once. True if this call posted it.

        The recap is claimed first (series_days.recap_posted_at), so it is never posted twice;
        when Discord refuses it, the claim is undone and a retry scheduled (a few times).
        """
        series = self.series_id
        async with self._lock:
            if not await self.schedule.mark_recap_posted(guild_id, series, day, self.bot.now()):
                return False
            try:
                row = await self.schedule.get_day(guild_id, series, day)
                title = row.title if row is not None else ""
                totals = await self.store.day_totals(guild_id, day)
                top = await self.store.most_reacted(guild_id, day)
                embed = render_recap(
                    guild_id, day, title, totals[0] if totals else DayTotals(day, 0, 0), top
                )
                channel = self.bot.get_channel(thread_id) or self.bot.get_partial_messageable(
                    thread_id, guild_id=guild_id
                )
                await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())  # type: ignore[union-attr]
            except discord.HTTPException as exc:
                await self.schedule.clear_recap(guild_id, series, day)
                log.warning("Could not post the recap of day %s in %s: %s", day, guild_id, exc)
                self._retry(guild_id, day, thread_id, attempt)
                return False
        log.info("Posted the recap of day %s in server %s", day, guild_id)
        return True

    async def _job(self, guild_id: int, day: int, thread_id: int, attempt: int = 0) -> None:
        """A scheduled recap: failures are logged here, never left to the scheduler."""
        try:
            await self.post(guild_id, day, thread_id, attempt)
        except Exception:
            log.exception("The recap job of day %s in server %s failed", day, guild_id)

    def _retry(self, guild_id: int, day: int, thread_id: int, attempt: int) -> None:
        scheduler = self.bot.scheduler
        if attempt >= RECAP_RETRIES or scheduler is None or not scheduler.running:
            return
        scheduler.add_job(
            self._job,
            "date",
            run_date=datetime.now(UTC) + RECAP_RETRY_DELAY * (attempt + 1),
            args=[guild_id, day, thread_id, attempt + 1],
            id=f"recap-retry-{guild_id}-{day}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def schedule_final(self, guild_id: int) -> None:
        """The last day has no next day to end it: recap it one interval after its post
        (the server's interval, after any `/challenge reschedule`). Run again after a
        reschedule, it moves the job (same id, replaced)."""
        scheduler = self.bot.scheduler
        final = last_day(await series_days(self.schedule, guild_id, self.series_id))
        if scheduler is None or final is None or not final.posted or final.recap_posted_at:
            return
        if not final.thread_id:
            return
        config = await series_config(self.bot.db, self.settings, guild_id)
        ends = (final.posted_at or final.planned_at) + config.interval
        delay = max(ends - self.bot.now(), timedelta(0))
        scheduler.add_job(
            self._job,
            "date",
            run_date=datetime.now(UTC) + delay,
            args=[guild_id, final.day, final.thread_id],
            id=f"final-recap-{guild_id}",
            replace_existing=True,
            misfire_grace_time=None,
        )
