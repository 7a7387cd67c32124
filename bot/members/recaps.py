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
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.boundary import Discord, GoneError, SentMessage, snowflake_at
from bot.clock import Clock
from bot.comments.model import DayTotals
from bot.i18n import Language, messages
from bot.i18n.choice import LanguageChoice
from bot.rendering.days import RenderedMessage
from bot.rendering.members import recap_title, render_recap
from bot.series.model import DayRow
from bot.series.schedule import RECAP_TRIES, retry_delay
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

log = logging.getLogger(__name__)

SEARCH_BACK = timedelta(seconds=5)  # a recap sent just before its claim was recorded

# The cadence of a record's series in a server (a rehearsal's or a second series' own).
Interval = Callable[[str, int], Awaitable[timedelta]]


class Recaps:
    def __init__(
        self,
        discord: Discord,
        store: MemberStore,
        schedule: SeriesStore,
        clock: Clock,
        languages: LanguageChoice,
        interval: Interval,
    ) -> None:
        """`languages`: which language each server's recaps are in; `interval`: the cadence
        of a record's series in a server (for the retry delay)."""
        self.discord = discord
        self.languages = languages
        self.interval = interval
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

    async def _send(self, row: DayRow) -> SentMessage:
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
        recap = RenderedMessage("", embed)
        return await self.discord.send(row.thread_id or 0, recap, guild_id=row.guild_id)

    async def _release(self, row: DayRow, exc: BaseException) -> None:
        attempts = row.recap_attempts + 1
        interval = await self.interval(row.series, row.guild_id)
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
        after = snowflake_at(row.recap_posted_at - SEARCH_BACK)
        me = self.discord.me
        try:
            pages = await self.discord.history(row.thread_id or 0, after=after, limit=100)
            mine = [
                message.id
                async for page in pages
                for message in page
                if message.author_id == me and titles.intersection(message.embed_titles)
            ]
            if not mine:
                return False
            found = mine[0]
        except GoneError:
            log.warning("The thread of day %d is gone: no recap", row.day)
            found = 0
        await self.schedule.mark_recap_sent(row.guild_id, row.series, row.day, found)
        return True
