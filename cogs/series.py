"""/challenge: today's and past days for everyone; schedule control for admins."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.bot import send_private
from bot.discord_setup import missing_permissions
from bot.i18n import Language, Messages
from bot.i18n.commands import reader
from bot.rendering.language import render_server_language
from bot.rendering.limits import BUTTON_LABEL, truncate
from bot.rendering.series import (
    held_text,
    hold_kept,
    hold_result,
    new_edition_question,
    new_edition_result,
    nothing_changed,
    out_of_range,
    post_result,
    rehearsal_question,
    rehearsal_started,
    rehearsals_cleared,
    rehearse_elsewhere,
    render_channel_set,
    render_day_view,
    render_paused,
    render_preview,
    render_resumed,
    render_status,
    schedule_summary,
    skip_result,
    unknown_series_text,
)
from bot.series.config import MIN_INTERVAL, parse_interval, parse_post_time, parse_start
from bot.series.service import SeriesService
from bot.settings import parse_duration
from cogs.checks import admin_only
from cogs.language import LANGUAGE_CHOICES
from cogs.options import WHICH_SERIES, find_series, series_names
from cogs.views.base import ConfirmView, OwnerView

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)

DECISION_TIMEOUT = 300.0  # an admin reading what a confirmation will do


def decision(
    tr: Messages, owner_id: int, label: str, action: Callable[[], Awaitable[str]]
) -> ConfirmView:
    """Confirm (labelled with what it does) or cancel an admin action with lasting effect."""
    return ConfirmView(
        owner_id,
        action,
        tr=tr,
        label=label,
        cancelled=nothing_changed(tr),
        timeout=DECISION_TIMEOUT,
    )


class HoldView(OwnerView):
    """A start in the past: post the held days now, start from the next slot, or leave it."""

    def __init__(
        self, tr: Messages, service: SeriesService, owner_id: int, guild_id: int, count: int
    ) -> None:
        super().__init__(owner_id, timeout=600)
        self.tr = tr
        self.service, self.guild_id = service, guild_id
        if count > 1:
            label = tr.n_(
                "Post the {count} overdue day now", "Post the {count} overdue days now", count
            )
        else:
            label = tr._("Post it now")
        self.post.label = truncate(label, BUTTON_LABEL)
        self.next_slot.label = truncate(tr._("Start from the next slot"), BUTTON_LABEL)
        self.cancel.label = tr._("Cancel")

    @discord.ui.button(label="Post", style=discord.ButtonStyle.danger)
    async def post(self, interaction: discord.Interaction, _: discord.ui.Button[HoldView]) -> None:
        await self._decide(interaction, post_overdue=True)

    @discord.ui.button(label="Start", style=discord.ButtonStyle.primary)
    async def next_slot(
        self, interaction: discord.Interaction, _: discord.ui.Button[HoldView]
    ) -> None:
        await self._decide(interaction, post_overdue=False)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, _: discord.ui.Button[HoldView]
    ) -> None:
        self.disable_all()
        self.stop()
        await interaction.response.edit_message(content=hold_kept(self.tr), view=self)

    async def _decide(self, interaction: discord.Interaction, *, post_overdue: bool) -> None:
        self.disable_all()
        self.stop()
        await interaction.response.edit_message(view=self)
        posted = await self.service.release_hold(self.guild_id, post_overdue=post_overdue)
        next_at = await self.service.next_post_at(self.guild_id)
        text = hold_result(self.tr, posted, post_overdue, next_at)
        await interaction.followup.send(text, ephemeral=True)


DEFAULT_LANGUAGE = "default"


def _shown(text: str) -> str:
    """A value the admin typed, quoted as Python shows it (`'banana'`), kept short."""
    return truncate(repr(text), 80)


def unusable_start(tr: Messages, text: str) -> str | None:
    """Why `text` can't be a start (None: it can)."""
    try:
        parse_start(text)
    except ValueError:
        return tr._(
            "{value} is not a date (2026-12-01) or a date-time (2026-12-01T09:00)",
            value=_shown(text),
        )
    return None


def unusable_time(tr: Messages, text: str) -> str | None:
    try:
        parse_post_time(text)
    except ValueError:
        return tr._("{value} is not a time HH:MM such as 09:00", value=_shown(text))
    return None


def unusable_interval(tr: Messages, text: str) -> str | None:
    try:
        parse_interval(text)
    except ValueError:
        try:
            too_short = parse_duration(text) < MIN_INTERVAL
        except ValueError:
            too_short = False
        if too_short:
            return tr._("the interval must be at least 1s")
        return tr._("{value} is not a duration such as 1d, 12h, 10m or 30s", value=_shown(text))
    return None


class SeriesCog(commands.Cog, name="Series"):
    challenge = app_commands.Group(
        name="challenge", description="The twelve-day challenge series", guild_only=True
    )

    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        assert bot.series is not None, "built in setup_hook"  # i18n: keep (for the program)

    async def _service(
        self, tr: Messages, interaction: discord.Interaction, requested: str | None
    ) -> SeriesService | None:
        """The series the command is about; an unknown name is answered here (None)."""
        service = find_series(self.bot, requested)
        if service is None:
            await send_private(interaction, unknown_series_text(tr, requested or ""))
        return service

    # Everyone

    @challenge.command(name="today", description="Today's challenge and its discussion thread")
    @app_commands.describe(series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def today(self, interaction: discord.Interaction, series: str | None = None) -> None:
        await self._show_day(interaction, None, series)

    @challenge.command(name="day", description="A day that has already been posted")
    @app_commands.describe(number="The day number, 1 to 12", series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def day(
        self, interaction: discord.Interaction, number: int, series: str | None = None
    ) -> None:
        await self._show_day(interaction, number, series)

    async def _show_day(
        self, interaction: discord.Interaction, number: int | None, series: str | None
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        view = await service.day_view(interaction.guild_id or 0, number)
        shown = render_day_view(tr, view)
        if isinstance(shown, discord.Embed):
            await interaction.response.send_message(embed=shown, ephemeral=True)
        else:
            await interaction.response.send_message(shown, ephemeral=True)

    # Admins

    @challenge.command(name="status", description="State of every day, next post and problems")
    @admin_only
    @app_commands.describe(series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def status(self, interaction: discord.Interaction, series: str | None = None) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        await interaction.response.defer(ephemeral=True)
        guild_id = interaction.guild_id or 0
        status = await service.status(guild_id, tr)
        embed = render_status(tr, status, service.name)
        held = status.config.held
        if not held:
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        view = HoldView(tr, service, interaction.user.id, guild_id, len(held))
        await interaction.followup.send(embed=embed, view=view, ephemeral=True)

    @challenge.command(name="preview", description="See privately what a day will post")
    @app_commands.describe(number="The day number", series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    @admin_only
    async def preview(
        self, interaction: discord.Interaction, number: int, series: str | None = None
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        guild_id = interaction.guild_id or 0
        bundle = await service.preview(guild_id, number)
        if bundle is None:
            total = len(service.series) if service.series is not None else 0
            text = out_of_range(tr, number, total)
            await interaction.response.send_message(text, ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True)
        config = await service.config(guild_id)
        for text in render_preview(tr, number, bundle, config.answer_delay):
            await interaction.followup.send(text, ephemeral=True)

    @challenge.command(name="post", description="Post a day now (never posts a day twice)")
    @app_commands.describe(number="The day number", series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    @admin_only
    async def post(
        self, interaction: discord.Interaction, number: int, series: str | None = None
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        outcome, row = await service.post_now(interaction.guild_id or 0, number)
        await interaction.followup.send(post_result(tr, outcome.value, row, number), ephemeral=True)

    @challenge.command(name="skip", description="Don't post a day that hasn't been posted yet")
    @app_commands.describe(number="The day number", series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    @admin_only
    async def skip(
        self, interaction: discord.Interaction, number: int, series: str | None = None
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        # Defer first: the skip waits for the server's lock, held by any post in progress.
        await interaction.response.defer(ephemeral=True, thinking=True)
        done, row = await service.skip(interaction.guild_id or 0, number)
        await interaction.followup.send(skip_result(tr, done, row, number), ephemeral=True)

    @challenge.command(name="pause", description="Stop posting new days until resumed")
    @admin_only
    @app_commands.describe(series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def pause(self, interaction: discord.Interaction, series: str | None = None) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        changed = await service.pause(interaction.guild_id or 0)
        await interaction.followup.send(render_paused(tr, changed), ephemeral=True)

    @challenge.command(name="resume", description="Post again after a pause")
    @admin_only
    @app_commands.describe(series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def resume(self, interaction: discord.Interaction, series: str | None = None) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild_id or 0
        changed = await service.resume(guild_id)
        if not changed:
            text = tr._("The series isn't paused.")
        else:
            config = await service.config(guild_id)
            text = render_resumed(tr, config, await service.next_post_at(guild_id))
        await interaction.followup.send(text, ephemeral=True)

    @challenge.command(name="reschedule", description="Change the start, time or interval")
    @app_commands.describe(
        start="First day: 2026-12-01 or 2026-12-01T09:00 (local time)",
        time="Local posting time HH:MM, used with a start date",
        interval="Between two days: 1d, or e.g. 30s for a rehearsal",
        series=WHICH_SERIES,
    )
    @app_commands.autocomplete(series=series_names)
    @admin_only
    async def reschedule(
        self,
        interaction: discord.Interaction,
        start: str | None = None,
        time: str | None = None,
        interval: str | None = None,
        series: str | None = None,
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        guild_id = interaction.guild_id or 0
        problem = (
            (start and unusable_start(tr, start))
            or (time and unusable_time(tr, time))
            or (interval and unusable_interval(tr, interval))
        )
        if problem:
            await interaction.response.send_message(
                tr._(
                    "I couldn't use that: {problem}. Nothing was changed.",
                    problem=truncate(problem, 300),
                ),
                ephemeral=True,
            )
            return
        new_start = parse_start(start) if start else None
        new_time = parse_post_time(time) if time else None
        new_interval = parse_interval(interval) if interval else None
        await interaction.response.defer(ephemeral=True, thinking=True)
        if new_start is None and new_time is None and new_interval is None:
            config = await service.config(guild_id)
            schedule = schedule_summary(tr, config, await service.next_post_at(guild_id))
            text = tr._("Nothing to change. {schedule}", schedule=schedule)
        else:
            config = await service.reschedule(
                guild_id, start=new_start, post_time=new_time, interval=new_interval
            )
            if config.held:  # the new start is in the past: nothing posted, ask first
                view = HoldView(tr, service, interaction.user.id, guild_id, len(config.held))
                text = tr._(
                    "Saved, but nothing was posted. {held}", held=held_text(tr, config.held)
                )
                await interaction.followup.send(text, view=view, ephemeral=True)
                return
            schedule = schedule_summary(tr, config, await service.next_post_at(guild_id))
            text = tr._("✅ Saved. {schedule}", schedule=schedule)
        await interaction.followup.send(text, ephemeral=True)

    @challenge.command(
        name="new-edition", description="Run the series again from day 1 with a fresh record"
    )
    @admin_only
    @app_commands.describe(series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def new_edition(
        self, interaction: discord.Interaction, series: str | None = None
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        guild_id = interaction.guild_id or 0
        current = await service.current_run(guild_id)

        async def begin() -> str:
            run = await service.new_edition(guild_id)
            config = await service.config(guild_id)
            return new_edition_result(tr, run, config, await service.next_post_at(guild_id))

        label = tr._("Start edition {edition}", edition=current.edition + 1)
        view = decision(tr, interaction.user.id, label, begin)
        await interaction.response.send_message(
            new_edition_question(tr, current), view=view, ephemeral=True
        )
        view.interaction = interaction

    @challenge.command(
        name="rehearse", description="Run a copy of the series fast in a test channel"
    )
    @app_commands.describe(
        channel="A private test channel (text or forum)",
        interval="Between two days, e.g. 30s or 2m (default 30s)",
        series=WHICH_SERIES,
    )
    @app_commands.autocomplete(series=series_names)
    @admin_only
    async def rehearse(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel | discord.ForumChannel,
        interval: str = "30s",
        series: str | None = None,
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        guild_id = interaction.guild_id or 0
        problem = unusable_interval(tr, interval)
        if problem:
            await interaction.response.send_message(
                tr._(
                    "I couldn't use that: {problem}. Nothing was started.",
                    problem=truncate(problem, 300),
                ),
                ephemeral=True,
            )
            return
        every = parse_interval(interval)
        config = await service.config(guild_id)
        if channel.id == config.channel_id:
            await interaction.response.send_message(rehearse_elsewhere(tr), ephemeral=True)
            return
        total = len(service.series) if service.series is not None else 0

        async def begin() -> str:
            run = await service.rehearse(guild_id, channel.id, every)
            return rehearsal_started(tr, run, channel.mention, total, every)

        label = tr.n_(
            "Post {count} day in #{channel}",
            "Post {count} days in #{channel}",
            total,
            channel=channel.name,
        )
        view = decision(tr, interaction.user.id, label, begin)
        await interaction.response.send_message(
            rehearsal_question(tr, channel.mention, total, every), view=view, ephemeral=True
        )
        view.interaction = interaction

    @challenge.command(
        name="rehearse-clear", description="Stop rehearsals and forget what they recorded"
    )
    @admin_only
    @app_commands.describe(series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    async def rehearse_clear(
        self, interaction: discord.Interaction, series: str | None = None
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        runs, comments = await service.clear_rehearsals(interaction.guild_id or 0)
        await interaction.followup.send(rehearsals_cleared(tr, runs, comments), ephemeral=True)

    @challenge.command(name="channel", description="Where the days are posted (text or forum)")
    @app_commands.describe(to="A text or forum channel", series=WHICH_SERIES)
    @app_commands.autocomplete(series=series_names)
    @admin_only
    async def channel(
        self,
        interaction: discord.Interaction,
        to: discord.TextChannel | discord.ForumChannel,
        series: str | None = None,
    ) -> None:
        tr = await reader(interaction)
        service = await self._service(tr, interaction, series)
        if service is None:
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild = interaction.guild
        await service.set_channel(interaction.guild_id or 0, to.id)
        missing: list[str] = []
        resolved = guild.get_channel(to.id) if guild is not None else None
        if guild is not None and guild.me is not None and resolved is not None:
            missing = missing_permissions(resolved.permissions_for(guild.me))
        text = render_channel_set(tr, to.mention, missing)
        await interaction.followup.send(text, ephemeral=True)

    @challenge.command(name="language", description="The language of the bot's public posts here")
    @app_commands.describe(language="English, Français or العربية; Default follows BOT_LANGUAGE")
    @app_commands.choices(
        language=[*LANGUAGE_CHOICES, app_commands.Choice(name="Default", value=DEFAULT_LANGUAGE)]
    )
    @admin_only
    async def server_language(
        self, interaction: discord.Interaction, language: app_commands.Choice[str]
    ) -> None:
        guild_id = interaction.guild_id or 0
        languages = self.bot.languages
        chosen = Language.parse(language.value)
        await languages.set_server(guild_id, chosen)
        used = await languages.server_language(guild_id)
        text = render_server_language(await reader(interaction), used, default=chosen is None)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(SeriesCog(bot))
