"""Checks shared by the cogs: who may run a command, and how often."""

from __future__ import annotations

from typing import TypeVar

import discord
from discord import app_commands

T = TypeVar("T")


def admin_only(command: T) -> T:
    """Manage Server: declared (hidden from members in /help and, for top-level commands,
    in Discord) and checked at run time, because Discord ignores default permissions on
    subcommands."""
    command = app_commands.checks.has_permissions(manage_guild=True)(command)
    return app_commands.default_permissions(manage_guild=True)(command)


def member_cooldown(interaction: discord.Interaction) -> app_commands.Cooldown:
    """COMMAND_COOLDOWN_RATE uses per COMMAND_COOLDOWN_SECONDS, per member."""
    settings = interaction.client.settings  # type: ignore[attr-defined]
    return app_commands.Cooldown(settings.command_cooldown_rate, settings.command_cooldown_seconds)
