"""/stats, /leaderboard, /streak; and completion roles checked on every reply in a thread."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_boundary import member_info
from bot.i18n import Messages
from bot.i18n.commands import reader
from bot.members.completion import CompletionRoles
from bot.members.participation import find_rank
from bot.members.standings import Standings
from bot.rendering.members import (
    LEADERBOARD_SIZE,  # members whose current display name is looked up
    STATS_FILENAME,
    render_leaderboard,
    render_stats,
    render_streak,
)
from bot.rendering.series import unknown_series_text
from bot.store.database import is_database_failure
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from cogs.checks import member_cooldown
from cogs.options import SERIES_HELP, chosen_record, series_choices

if TYPE_CHECKING:
    from bot.bot import ChallengeBot


class ParticipationCog(commands.Cog, name="Participation"):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.settings = bot.settings
        store = MemberStore(bot.db)
        self.standings = Standings(store, SeriesStore(bot.db))
        self.completion = CompletionRoles(
            bot.discord,
            store,
            bot.languages,
            bot.clock,
            rules=bot.completion_rules,
            definitions=bot.definitions,
        )

    async def record(
        self, tr: Messages, interaction: discord.Interaction, series: str | None
    ) -> str | None:
        """The run to read; None (after a polite private reply) when there is no such run."""
        assert interaction.guild is not None
        record = await chosen_record(self.bot, interaction.guild.id, series)
        if record is None:
            await interaction.response.send_message(
                unknown_series_text(tr, series or ""), ephemeral=True
            )
        return record

    # --- commands ------------------------------------------------------------------------

    @app_commands.command(
        name="stats", description="Comments and participants per day, with a chart"
    )
    @app_commands.guild_only()
    @app_commands.describe(series=SERIES_HELP)
    @app_commands.autocomplete(series=series_choices)
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def stats(self, interaction: discord.Interaction, series: str | None = None) -> None:
        assert interaction.guild is not None
        tr = await reader(interaction)
        record = await self.record(tr, interaction, series)
        if record is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        summary = await self.standings.summary(interaction.guild.id, record)
        png = await self.standings.chart(tr, summary)
        embed = render_stats(tr, summary, self.settings.series_name, chart=True)
        chart = discord.File(io.BytesIO(png), filename=STATS_FILENAME)
        await interaction.edit_original_response(embed=embed, attachments=[chart])

    @app_commands.command(name="leaderboard", description="Who took part on the most days")
    @app_commands.guild_only()
    @app_commands.describe(series=SERIES_HELP)
    @app_commands.autocomplete(series=series_choices)
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def leaderboard(
        self, interaction: discord.Interaction, series: str | None = None
    ) -> None:
        guild = interaction.guild
        assert guild is not None
        tr = await reader(interaction)
        record = await self.record(tr, interaction, series)
        if record is None:
            return
        ranked = await self.standings.ranking(guild.id, record)
        names = {
            r.participant.user_id: m.display_name
            for r in ranked[:LEADERBOARD_SIZE]
            if (m := guild.get_member(r.participant.user_id)) is not None
        }
        embed = render_leaderboard(
            tr,
            ranked,
            self.settings.series_name,
            me=find_rank(ranked, interaction.user.id),
            names=names,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="streak", description="Your streak of days in a row and days done")
    @app_commands.guild_only()
    @app_commands.describe(series=SERIES_HELP)
    @app_commands.autocomplete(series=series_choices)
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def streak(self, interaction: discord.Interaction, series: str | None = None) -> None:
        assert interaction.guild is not None
        tr = await reader(interaction)
        record = await self.record(tr, interaction, series)
        if record is None:
            return
        mine = await self.standings.streak_of(interaction.guild.id, record, interaction.user.id)
        embed = render_streak(
            tr,
            mine.streak,
            today_day=mine.today.day if mine.today else None,
            today_thread=mine.today.thread_id if mine.today else None,
            answered_today=mine.answered_today,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- completion roles ----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if (
            message.guild is None
            or message.author.bot
            or not isinstance(message.channel, discord.Thread)
            or not isinstance(message.author, discord.Member)
            or not self.completion.enabled
        ):
            return
        try:
            await self.completion.after_reply(member_info(message.author), message.channel.id)
        except Exception as exc:
            if not (is_database_failure(exc) and self.bot.is_closed()):
                raise  # a real problem; while shutting down the database is simply gone


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(ParticipationCog(bot))
