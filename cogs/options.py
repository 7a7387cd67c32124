"""The `series` options the commands share.

`/stats`, `/leaderboard`, `/streak` and `/comments` read one record: a series' current edition
by default, or an earlier edition or a rehearsal by name. `/challenge …` acts on one series
(the default one unless another is named). With one series nothing changes for members.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands

from bot.i18n import Messages
from bot.i18n.commands import reader
from bot.members.days import current_record
from bot.rendering.limits import CHOICES, choice_name
from bot.rendering.series import run_label
from bot.store.series import LIVE, Run, SeriesStore, series_of
from cogs.checks import bot_of

if TYPE_CHECKING:
    from bot.bot import ChallengeBot
    from bot.series.service import SeriesService

# Option descriptions: slash-command strings, localised by the Translator.
SERIES_HELP = "Which series, edition or rehearsal (default: the current edition)"  # i18n: keep
WHICH_SERIES = "Which series (default: the main one)"  # i18n: keep


def run_choice_name(tr: Messages, run: Run, current: str, series_name: str | None = None) -> str:
    """`edition 2 · from 2026-12-01 (current)`: what the list shows for a run (prefixed by
    the series' name when the server has several series)."""
    values = {"run": run_label(tr, run), "date": run.created_at.date().isoformat()}
    if run.record == current:
        shown = tr._("{run} · from {date} (current)", **values)
    else:
        shown = tr._("{run} · from {date}", **values)
    return choice_name(f"{series_name} · {shown}" if series_name else shown)


def named_series(bot: ChallengeBot, text: str) -> SeriesService | None:
    """The series whose id or name is `text` (any case)."""
    wanted = text.strip().casefold()
    return next(
        (
            s
            for s in bot.all_series.values()
            if wanted in (s.series_id.casefold(), s.name.casefold())
        ),
        None,
    )


def find_series(bot: ChallengeBot, requested: str | None) -> SeriesService | None:
    """The series a command acts on: the default one, or the one named (id, name, or any of
    its records); None when there is no such series."""
    if requested is None or not requested.strip():
        return bot.series
    return named_series(bot, requested) or bot.all_series.get(series_of(requested.strip()))


async def series_names(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for `/challenge …`: the series this bot runs."""
    bot = bot_of(interaction)
    wanted = typed.casefold().strip()
    return [
        app_commands.Choice(name=choice_name(f"{s.name} ({s.series_id})"), value=s.series_id)
        for s in bot.all_series.values()
        if wanted in s.name.casefold() or wanted in s.series_id
    ][:CHOICES]


async def series_choices(
    interaction: discord.Interaction, typed: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete: every run of every series in the server, newest first."""
    bot = bot_of(interaction)
    if interaction.guild_id is None:
        return []
    store = SeriesStore(bot.db)
    tr = await reader(interaction)
    several = len(bot.all_series) > 1
    wanted = typed.casefold().strip()
    found: list[app_commands.Choice[str]] = []
    for service in bot.all_series.values():
        runs = await store.runs(interaction.guild_id, service.series_id)
        editions = [run for run in runs if run.kind == LIVE]  # the current one: the newest
        current = max(editions, key=lambda run: run.edition).record if editions else ""
        for run in reversed(runs):
            name = run_choice_name(tr, run, current, service.name if several else None)
            if wanted in name.casefold() or wanted in run.record.casefold():
                found.append(app_commands.Choice(name=name, value=run.record))
    return found[:CHOICES]


async def chosen_record(bot: ChallengeBot, guild_id: int, requested: str | None) -> str | None:
    """The record a command reads: the default series' current edition; a run asked for by
    its record; a series asked for by name (its current edition). None: nothing by that name."""
    store = SeriesStore(bot.db)
    if requested is None or not requested.strip():
        return await current_record(store, guild_id, bot.settings.series_id)
    run = await store.run(guild_id, requested.strip())
    if run is not None:
        return run.record
    service = named_series(bot, requested)
    return await current_record(store, guild_id, service.series_id) if service else None
