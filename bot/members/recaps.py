"""Recaps: each day's recap posted in its thread exactly once, when the day ends.

When a recap is due is decided by the series timetable (`schedule.recap_time`): when the next
day is posted, or one interval after the last day that will be posted. Here a recap is claimed
in the store, sent, then recorded; a failure of any kind releases the claim with the time of
the next try. A claim without a recorded message was cut short by a crash: the thread is
searched for it before anything is sent again. A recap is a public post: it is written in the
server's language.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import discord

from bot.clock import Clock
from bot.comments.model import DayTotals
from bot.i18n import Language, messages
from bot.i18n.choice import LanguageChoice
from bot.rendering.members import recap_title, render_recap
from bot.series.config import series_config
from bot.series.model import DayRow
from bot.series.schedule import RECAP_TRIES, retry_delay
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)

SEARCH_BACK = timedelta(seconds=5)  # a recap sent just before its claim was recorded


class Recaps:
    def __init__(
        self,
        bot: ChallengeBot,
        store: MemberStore,
        schedule: SeriesStore,
        clock: Clock,
        languages: LanguageChoice | None = None,
    ) -> None:
        """`languages`: which language each server's recaps are in (the bot's own choice
        when not given)."""
        self.bot = bot
        self.settings = bot.settings
        self.languages = languages if languages is not None else bot.languages
        self.store = store  # comments and reactions
        self.schedule = schedule  # the days, and each recap's claim
        self.clock = clock
        self._lock = asyncio.Lock()

    async def post_recap(self, row: DayRow) -> None:
        """Post the recap of `row` (a due one), or finish one a crash cut short."""
        async with self._lock:
            if row.recap_posted_at is not None:  # claimed earlier, never recorded
                if await self._adopt(row):
                    return
                log.warning("The recap of day %d was cut off by a restart: sending it", row.day)
            elif not await self.schedule.claim_recap(
                row.guild_id, row.series, row.day, self.clock.now()
            ):
                return
            try:
                message = await self._send(row)
            except Exception as exc:  # any failure: undo the claim, try again later
                await self._release(row, exc)
                return
            await self.schedule.mark_recap_sent(row.guild_id, row.series, row.day, message.id)
        log.info("Posted the recap of day %d in server %d", row.day, row.guild_id)

    async def _send(self, row: DayRow) -> discord.Message:
        totals = await self.store.day_totals(row.guild_id, row.series, row.day)
        top = await self.store.most_reacted(row.guild_id, row.series, row.day)
        tr = await self.languages.for_server(row.guild_id)
        embed = render_recap(
            tr,
            row.guild_id,
            row.day,
            row.title,
            totals[0] if totals else DayTotals(row.day, 0, 0),
            top,
        )
        thread_id = row.thread_id or 0
        channel = self.bot.get_channel(thread_id) or self.bot.get_partial_messageable(
            thread_id, guild_id=row.guild_id
        )
        send = getattr(channel, "send", None)
        if send is None:
            raise TypeError(f"{thread_id} is not a thread the bot can post in")
        message: discord.Message = await send(
            embed=embed, allowed_mentions=discord.AllowedMentions.none()
        )
        return message

    async def _interval(self, row: DayRow) -> timedelta:
        """The cadence of the row's series (a rehearsal's or a second series' own)."""
        service = self.bot.series_for(row.series)
        if service is not None:
            return (await service.config(row.guild_id)).interval
        return (await series_config(self.bot.db, self.settings, row.guild_id)).interval

    async def _release(self, row: DayRow, exc: BaseException) -> None:
        attempts = row.recap_attempts + 1
        interval = await self._interval(row)
        retry_at = None
        if attempts < RECAP_TRIES:
            retry_at = self.clock.now() + retry_delay(attempts - 1, interval)
        log.warning(
            "Could not post the recap of day %d in server %d (try %d): %s%s",
            row.day,
            row.guild_id,
            attempts,
            f"{type(exc).__name__}: {exc}",
            "" if retry_at else " — giving up",
        )
        await self.schedule.release_recap(
            row.guild_id, row.series, row.day, attempts=attempts, retry_at=retry_at
        )

    async def _adopt(self, row: DayRow) -> bool:
        """Whether our recap of the day is in its thread already (then it is recorded).

        A thread that no longer exists has nothing to recap into: recorded as done.
        """
        assert row.recap_posted_at is not None
        # Any language's title: the server's language may have changed since the claim.
        titles = {recap_title(messages(language), row.day, row.title) for language in Language}
        after = discord.Object(discord.utils.time_snowflake(row.recap_posted_at - SEARCH_BACK))
        me = self.bot.user.id if self.bot.user else 0
        thread_id = row.thread_id or 0
        try:
            channel = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
            history = getattr(channel, "history", None)
            if history is None:
                raise TypeError(f"{thread_id} is not a thread")
            async for message in history(after=after, limit=100, oldest_first=True):
                if message.author.id == me and any(
                    embed.title in titles for embed in message.embeds
                ):
                    found = message.id
                    break
            else:
                return False
        except discord.NotFound:
            log.warning("The thread of day %d is gone: no recap", row.day)
            found = 0
        await self.schedule.mark_recap_sent(row.guild_id, row.series, row.day, found)
        return True
