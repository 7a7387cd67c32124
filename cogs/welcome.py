"""Greets people who join: hands each join to the Greeter (bot/members/greeter.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord_boundary import member_info
from bot.members.greeter import Greeter

if TYPE_CHECKING:
    from bot.bot import ChallengeBot


class WelcomeCog(commands.Cog, name="Welcome"):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.greeter = Greeter(bot.discord, bot.settings, bot.db, bot.clock, bot.languages)

    async def cog_load(self) -> None:
        self.greeter.start()

    async def cog_unload(self) -> None:
        self.greeter.close()

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        await self.greeter.joined(member_info(member))


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(WelcomeCog(bot))
