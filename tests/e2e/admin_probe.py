"""A throwaway admin-only command, loaded as an extension by tests that need one."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class AdminProbe(commands.Cog):
    @app_commands.command(name="probe-admin", description="Test-only admin command")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.checks.has_permissions(manage_guild=True)
    async def probe(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("admin ok", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(AdminProbe())
