"""/help and /about."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.rendering.meta import render_about, render_help

if TYPE_CHECKING:
    from bot.bot import ChallengeBot


def visible_commands(
    tree: app_commands.CommandTree, permissions: discord.Permissions
) -> list[tuple[str, str]]:
    """(qualified name, description) of every slash command these permissions may run."""
    found: list[tuple[str, str]] = []

    def walk(
        command: app_commands.Command | app_commands.Group, inherited: discord.Permissions | None
    ) -> None:
        needed = command.default_permissions or inherited
        if needed is not None and not permissions >= needed:
            return
        if isinstance(command, app_commands.Group):
            for child in command.commands:
                walk(child, needed)
        else:
            found.append((command.qualified_name, command.description))

    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        walk(command, None)  # type: ignore[arg-type]
    return sorted(found)


class Meta(commands.Cog):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What you can do with this bot")
    async def help(self, interaction: discord.Interaction) -> None:
        permissions = (
            interaction.permissions
            if interaction.guild is not None
            else discord.Permissions.none()
        )
        embed = render_help(visible_commands(self.bot.tree, permissions), self.bot.settings.series_name)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="about", description="About the series and what the bot stores")
    async def about(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(
            embed=render_about(self.bot.settings.series_name), ephemeral=True
        )


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(Meta(bot))
