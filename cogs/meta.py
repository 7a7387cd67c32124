"""/help and /about."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import Language, Messages
from bot.i18n.commands import context_of, describe, language_of_locale, reader
from bot.rendering.meta import HelpEntry, render_about, render_help

if TYPE_CHECKING:
    from bot.bot import ChallengeBot


def checked_permissions(
    command: app_commands.Command[Any, ..., Any] | app_commands.Group,
) -> discord.Permissions:
    """Permissions required by `app_commands.checks.has_permissions` checks on `command`.

    Discord ignores default permissions on subcommands, so some commands rely on this runtime
    check alone; /help must hide those too. The check keeps its `perms` in a closure.
    """
    needed = discord.Permissions.none()
    for check in getattr(command, "checks", []):
        if not getattr(check, "__qualname__", "").startswith("has_permissions."):
            continue
        perms = inspect.getclosurevars(check).nonlocals.get("perms")
        if isinstance(perms, dict):
            needed |= discord.Permissions(**{k: bool(v) for k, v in perms.items() if v})
    return needed


def visible_commands(
    tree: app_commands.CommandTree,
    permissions: discord.Permissions,
    *,
    in_guild: bool = True,
) -> list[HelpEntry]:
    """Every slash command these permissions may run, one entry per runnable (sub)command.

    A command whose default permissions (its own or its group's) aren't all held is left out,
    and so are server-only commands when asked from a DM. `restricted` marks the ones that need
    a permission (the organisers' commands).
    """
    found: list[HelpEntry] = []

    def walk(
        command: app_commands.Command[Any, ..., Any] | app_commands.Group,
        inherited: discord.Permissions | None,
        guild_only: bool,
    ) -> None:
        needed = command.default_permissions or inherited
        checked = checked_permissions(command)
        if checked.value:
            needed = checked | needed if needed is not None else checked
        guild_only = guild_only or bool(getattr(command, "guild_only", False))
        if needed is not None and not permissions >= needed:
            return
        if guild_only and not in_guild:
            return
        if isinstance(command, app_commands.Group):
            for child in command.commands:
                walk(child, needed, guild_only)
        else:
            restricted = needed is not None and needed.value != 0
            found.append(HelpEntry(command.qualified_name, command.description, restricted))

    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        walk(command, None, False)
    return sorted(found, key=lambda entry: entry.name)


def localised(entries: list[HelpEntry], tr: Messages, client: Language | None) -> list[HelpEntry]:
    """`entries` with each description in `tr`'s language and, for a client in a language
    the commands are translated into, the names that client shows."""
    where = app_commands.TranslationContextLocation

    def name(qualified: str) -> str:
        if client is None:
            return qualified
        *groups, last = qualified.split(" ")
        parts = [describe(client, where.group_name, g) for g in groups]
        return " ".join([*parts, describe(client, where.command_name, last)])

    return [
        HelpEntry(
            name(e.name),
            tr.lookup(context_of(where.command_description), e.description) or e.description,
            e.restricted,
        )
        for e in entries
    ]


class Meta(commands.Cog):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot

    @app_commands.command(name="help", description="What you can do with this bot")
    async def help(self, interaction: discord.Interaction) -> None:
        in_guild = interaction.guild is not None
        permissions = interaction.permissions if in_guild else discord.Permissions.none()
        entries = visible_commands(self.bot.tree, permissions, in_guild=in_guild)
        tr = await reader(interaction)
        # Names as the member's Discord client shows them; descriptions in their language.
        entries = localised(entries, tr, language_of_locale(interaction.locale))
        embed = render_help(tr, entries, self.bot.settings.series_name)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="about", description="About the series and what the bot stores")
    async def about(self, interaction: discord.Interaction) -> None:
        tr = await reader(interaction)
        await interaction.response.send_message(
            embed=render_about(tr, self.bot.settings.series_name), ephemeral=True
        )


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(Meta(bot))
