"""Daily recaps: when a day ends (or the series posts its last day), the Recaps service posts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

from bot.members.recaps import Recaps
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot


class RecapsCog(commands.Cog, name="Recaps"):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.service: Recaps = None  # type: ignore[assignment]  # set in cog_load

    async def cog_load(self) -> None:
        self.service = Recaps(self.bot, MemberStore(self.bot.db), SeriesStore(self.bot.db))
        await self.service.start()

    async def cog_unload(self) -> None:
        self.service.close()

    @commands.Cog.listener()
    async def on_challenge_day_ending(self, guild_id: int, day: int, thread_id: int) -> None:
        await self.service.post(guild_id, day, thread_id)

    @commands.Cog.listener()
    async def on_challenge_posted(self, guild_id: int, day: int, thread_id: int) -> None:
        await self.service.schedule_final(guild_id)

    @commands.Cog.listener()
    async def on_challenge_rescheduled(self, guild_id: int) -> None:
        # A new interval moves the end of an already-posted last day: move its recap too.
        await self.service.schedule_final(guild_id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        await self.service.recover()


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(RecapsCog(bot))
