"""The `series` option the members' and admins' commands share: which edition or rehearsal.

With one edition nothing changes for members (the option is optional and defaults to the
current edition); after a new edition, earlier ones stay readable by name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.members.days import current_record
from bot.rendering.limits import CHOICES, choice_name
from bot.store.series import LIVE, Run, SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

SERIES_HELP = "Which edition or rehearsal (default: the current edition)"


def run_choice_name(run: Run, current: str) -> str:
    """`edition 2 · from 2026-12-01 (current)`: what the list shows for a run."""
    since = run.created_at.date().isoformat()
    mark = " (current)" if run.record == current else ""
    return choice_name(f"{run.label} · from {since}{mark}")


async def series_choices(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete: the server's runs, newest first, filtered by what was typed."""
    bot: ChallengeBot = interaction.client  # type: ignore[assignment]
    if interaction.guild_id is None:
        return []
    runs = await SeriesStore(bot.db).runs(interaction.guild_id, bot.settings.series_id)
    editions = [run for run in runs if run.kind == LIVE]  # the current one: the newest
    current = max(editions, key=lambda run: run.edition).record if editions else ""
    wanted = typed.casefold().strip()
    found = [
        app_commands.Choice(name=run_choice_name(run, current), value=run.record)
        for run in reversed(runs)
        if wanted in run_choice_name(run, current).casefold() or wanted in run.record.casefold()
    ]
    return found[:CHOICES]


async def chosen_record(bot: ChallengeBot, guild_id: int, requested: str | None) -> str | None:
    """The record a command reads: the current edition, or the one asked for if this
    server has it (None: no such run here)."""
    store = SeriesStore(bot.db)
    if requested is None or not requested.strip():
        return await current_record(store, guild_id, bot.settings.series_id)
    run = await store.run(guild_id, requested.strip())
    return run.record if run is not None else None
