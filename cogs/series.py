"""/challenge: today's and past days for everyone; schedule control for admins."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.content import ContentError
from bot.discord_setup import missing_permissions
from bot.rendering.days import (
    render_answers,
    render_day,
    render_day_summary,
    render_thread_opening,
    thread_name,
)
from bot.rendering.limits import MESSAGE_CONTENT, truncate
from bot.rendering.series import (
    not_posted_yet,
    nothing_posted,
    out_of_range,
    post_result,
    render_status,
    schedule_summary,
    skip_result,
    thread_link,
)
from bot.series.config import parse_interval, parse_post_time, parse_start
from bot.series.loader import load_series
from bot.series.service import SeriesService
from bot.settings import format_duration
from cogs.checks import admin_only

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)


PREVIEW_MESSAGES = 10  # at most this many ephemeral follow-ups for one preview


class SeriesCog(commands.Cog, name="Series"):
    challenge = app_commands.Group(
        name="challenge", description="The twelve-day challenge series", guild_only=True
    )

    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.service: SeriesService = None  # type: ignore[assignment]  # set in cog_load
        self._started = False

    async def cog_load(self) -> None:
        try:
            series, problems = load_series(Path(self.settings.series_dir)), []
        except ContentError as exc:
            series, problems = None, [str(problem) for problem in exc.problems]
            log.error(
                "The series in %s has problems, nothing will be posted:\n%s",
                self.settings.series_dir,
                "\n".join(problems),
            )
        self.service = SeriesService(self.bot, series, problems)
        if self.bot.is_ready():  # reloaded while running
            await self._start()

    async def cog_unload(self) -> None:
        await self.service.close()

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        if not self._started:
            await self._start()

    async def _start(self) -> None:
        self._started = True
        for guild_id in await self._guilds():
            await self.service.start(guild_id)

    async def _guilds(self) -> list[int]:
        """The configured server (or the challenge channel's) and any with rows already."""
        found: list[int] = []
        if self.settings.guild_id:
            found.append(self.settings.guild_id)
        elif self.settings.challenge_channel_id:
            channel = self.bot.get_channel(self.settings.challenge_channel_id)
            if isinstance(channel, discord.abc.GuildChannel):
                found.append(channel.guild.id)
            else:
                log.warning(
                    "CHALLENGE_CHANNEL_ID %s not found and GUILD_ID not set: nothing scheduled",
                    self.settings.challenge_channel_id,
                )
        for guild_id in await self.service.store.guilds(self.settings.series_id):
            if guild_id not in found and self.bot.get_guild(guild_id) is not None:
                found.append(guild_id)
        return found

    # Everyone

    @challenge.command(name="today", description="Today's challenge and its discussion thread")
    async def today(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id or 0
        number = await self.service.current_day(guild_id, self.bot.now())
        if number is None:
            text = nothing_posted(await self.service.next_post_at(guild_id))
            await interaction.response.send_message(text, ephemeral=True)
            return
        await self._show_posted(interaction, number)

    @challenge.command(name="day", description="A day that has already been posted")
    @app_commands.describe(number="The day number, 1 to 12")
    async def day(self, interaction: discord.Interaction, number: int) -> None:
        guild_id = interaction.guild_id or 0
        series = self.service.series
        if series is None or series.day(number) is None:
            total = len(series) if series is not None else 0
            await interaction.response.send_message(out_of_range(number, total), ephemeral=True)
            return
        row = await self.service.store.get_day(guild_id, self.settings.series_id, number)
        if row is None or row.state != "posted":
            planned = row.planned_at if row is not None and row.state == "scheduled" else None
            if row is not None and row.state in ("skipped", "missed"):
                text = f"Day {number} wasn't posted in this server."
            else:
                text = not_posted_yet(number, planned)
            await interaction.response.send_message(text, ephemeral=True)
            return
        await self._show_posted(interaction, number)

    async def _show_posted(self, interaction: discord.Interaction, number: int) -> None:
        guild_id = interaction.guild_id or 0
        row = await self.service.store.get_day(guild_id, self.settings.series_id, number)
        day = self.service.series.day(number) if self.service.series else None
        if row is None or day is None:
            await interaction.response.send_message(
                f"Day {number} isn't available right now.", ephemeral=True
            )
            return
        link = thread_link(guild_id, row.thread_id) if row.thread_id else None
        await interaction.response.send_message(embed=render_day_summary(day, link), ephemeral=True)

    # Admins

    @challenge.command(name="status", description="State of every day, next post and problems")
    @admin_only
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True)
        status = await self.service.status(interaction.guild_id or 0)
        channel = f"<#{status.config.channel_id}>" if status.config.channel_id else None
        embed = render_status(
            series_name=self.settings.series_name,
            config=status.config,
            rows=status.rows,
            total_days=status.total_days,
            next_day=status.next_day,
            next_at=status.next_at,
            overdue=status.overdue,
            problems=status.problems,
            now=status.now or self.bot.now(),
            channel_mention=channel,
        )
        await interaction.followup.send(embed=embed, ephemeral=True)

    @challenge.command(name="preview", description="See privately what a day will post")
    @app_commands.describe(number="The day number")
    @admin_only
    async def preview(self, interaction: discord.Interaction, number: int) -> None:
        series = self.service.series
        day = series.day(number) if series is not None else None
        if day is None:
            total = len(series) if series is not None else 0
            await interaction.response.send_message(out_of_range(number, total), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True)
        guild_id = interaction.guild_id or 0
        config = await self.service.config(guild_id)
        next_at = await self.service.next_post_at(guild_id)
        post = render_day(
            day,
            next_post_at=next_at,
            series_name=self.settings.series_name,
            is_last=number == max(series.numbers),  # type: ignore[union-attr]
            ping_role_id=config.ping_role_id,
        )
        delay = format_duration(config.answer_delay) if config.answer_delay else "0"
        texts = [
            f"👀 **Preview of day {number}** — {len(post)} message(s) in the channel, "
            f"then a thread named “{thread_name(day)}”:",
            *(message.content for message in post),
            "🧵 **In the thread:**",
            *(message.content for message in render_thread_opening(day)),
        ]
        answers = render_answers(day)
        if answers:
            texts.append(f"🧠 **Expert answer, posted {delay} after the day:**")
            texts.extend(message.content for message in answers)
        for text in texts[:PREVIEW_MESSAGES]:
            await interaction.followup.send(truncate(text, MESSAGE_CONTENT), ephemeral=True)
        if len(texts) > PREVIEW_MESSAGES:
            await interaction.followup.send(
                f"…and {len(texts) - PREVIEW_MESSAGES} more message(s); "
                "`challenge-bot preview` prints them all.",
                ephemeral=True,
            )

    @challenge.command(name="post", description="Post a day now (never posts a day twice)")
    @app_commands.describe(number="The day number")
    @admin_only
    async def post(self, interaction: discord.Interaction, number: int) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome, row = await self.service.post_now(interaction.guild_id or 0, number)
        await interaction.followup.send(post_result(outcome.value, row, number), ephemeral=True)

    @challenge.command(name="skip", description="Don't post a day that hasn't been posted yet")
    @app_commands.describe(number="The day number")
    @admin_only
    async def skip(self, interaction: discord.Interaction, number: int) -> None:
        done, row = await self.service.skip(interaction.guild_id or 0, number)
        await interaction.response.send_message(skip_result(done, row, number), ephemeral=True)

    @challenge.command(name="pause", description="Stop posting new days until resumed")
    @admin_only
    async def pause(self, interaction: discord.Interaction) -> None:
        changed = await self.service.pause(interaction.guild_id or 0)
        text = (
            "⏸️ Paused: no new day will be posted until `/challenge resume`."
            if changed
            else "The series is already paused."
        )
        await interaction.response.send_message(text, ephemeral=True)

    @challenge.command(name="resume", description="Post again after a pause")
    @admin_only
    async def resume(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild_id or 0
        changed = await self.service.resume(guild_id)
        config = await self.service.config(guild_id)
        if not changed:
            text = "The series isn't paused."
        else:
            policy = (
                "days whose time passed were posted late"
                if config.missed_policy == "late"
                else "days whose time passed were marked missed"
            )
            text = f"▶️ Resumed ({policy}). " + schedule_summary(
                config, await self.service.next_post_at(guild_id)
            )
        await interaction.followup.send(text, ephemeral=True)

    @challenge.command(name="reschedule", description="Change the start, time or interval")
    @app_commands.describe(
        start="First day: 2026-12-01 or 2026-12-01T09:00 (local time)",
        time="Local posting time HH:MM, used with a start date",
        interval="Between two days: 1d, or e.g. 30s for a rehearsal",
    )
    @admin_only
    async def reschedule(
        self,
        interaction: discord.Interaction,
        start: str | None = None,
        time: str | None = None,
        interval: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id or 0
        try:
            new_start = parse_start(start) if start else None
            new_time = parse_post_time(time) if time else None
            new_interval = parse_interval(interval) if interval else None
        except ValueError as exc:
            await interaction.response.send_message(
                f"I couldn't use that: {truncate(str(exc), 300)}. Nothing was changed.",
                ephemeral=True,
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        if new_start is None and new_time is None and new_interval is None:
            config = await self.service.config(guild_id)
            text = "Nothing to change. " + schedule_summary(
                config, await self.service.next_post_at(guild_id)
            )
        else:
            config = await self.service.reschedule(
                guild_id, start=new_start, post_time=new_time, interval=new_interval
            )
            text = "✅ Saved. " + schedule_summary(
                config, await self.service.next_post_at(guild_id)
            )
        await interaction.followup.send(text, ephemeral=True)

    @challenge.command(name="channel", description="Where the days are posted (text or forum)")
    @app_commands.describe(to="A text or forum channel")
    @admin_only
    async def channel(
        self,
        interaction: discord.Interaction,
        to: discord.TextChannel | discord.ForumChannel,
    ) -> None:
        channel = to
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = interaction.guild
        await self.service.set_channel(interaction.guild_id or 0, channel.id)
        text = f"✅ Days will be posted in {channel.mention}."
        resolved = guild.get_channel(channel.id) if guild is not None else None
        if guild is not None and guild.me is not None and resolved is not None:
            missing = missing_permissions(resolved.permissions_for(guild.me))
            if missing:
                text += f"\n⚠️ I'm missing these permissions there: {', '.join(missing)}."
        await interaction.followup.send(text, ephemeral=True)


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(SeriesCog(bot))
