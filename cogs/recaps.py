"""Daily recaps need no command: the series timetable says when one is due and the bot's
Recaps service (bot/members/recaps.py) posts it. Kept as an extension so a server can turn
recaps off by not loading it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from discord.ext import commands

if TYPE_CHECKING:
    from bot.bot import ChallengeBot


class RecapsCog(commands.Cog, name="Recaps"):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        for service in self.bot.all_series.values():
            service.recaps = self.bot.recaps

    async def cog_unload(self) -> None:
        for service in self.bot.all_series.values():
            service.recaps = None


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(RecapsCog(bot))
