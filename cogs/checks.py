"""Checks shared by the cogs: who may run a command, and how often."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

T = TypeVar("T")


def bot_of(interaction: discord.Interaction) -> ChallengeBot:
    """The bot an interaction reached: always a ChallengeBot here (discord.py types it as
    any Client)."""
    return cast("ChallengeBot", interaction.client)


def admin_only(command: T) -> T:
    """Manage Server: declared (hidden from members in /help and, for top-level commands,
    in Discord) and checked at run time, because Discord ignores default permissions on
    subcommands."""
    command = app_commands.checks.has_permissions(manage_guild=True)(command)
    return app_commands.default_permissions(manage_guild=True)(command)


def member_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown:
    """COMMAND_COOLDOWN_RATE uses per COMMAND_COOLDOWN_SECONDS, per member."""
    settings = bot_of(interaction).settings
    return app_commands.Cooldown(settings.command_cooldown_rate, settings.command_cooldown_seconds)
