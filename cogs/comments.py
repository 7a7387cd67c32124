"""Records replies in the challenge threads; /comments, /mydata and /forgetme."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.comments.export import FORMATS, export_filename
from bot.comments.model import ChallengeThread, DayPage
from bot.comments.service import CommentService
from bot.discord_boundary import incoming
from bot.i18n.commands import reader
from bot.rendering.comments import (
    erase_cancelled,
    erase_timed_out,
    erased_text,
    forget_prompt,
    render_day_page,
    render_my_data,
    text_file,
    too_large,
)
from bot.rendering.series import unknown_series_text
from bot.store.comments import CommentStore
from cogs.checks import admin_only, member_cooldown
from cogs.options import SERIES_HELP, chosen_record, series_choices
from cogs.views.base import ConfirmView
from cogs.views.comments import DayPager

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)

DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024  # bytes a bot may attach outside boosted servers


def upload_limit(interaction: discord.Interaction) -> int:
    guild = interaction.guild
    return guild.filesize_limit if guild is not None else DEFAULT_UPLOAD_LIMIT


class Comments(commands.Cog):
    comments = app_commands.Group(
        name="comments",
        description="The discussion in the daily challenge threads",
        guild_only=True,
    )

    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.service = CommentService(
            CommentStore(bot.db),
            bot.discord,
            now=bot.now,
            reconcile_days=bot.settings.reconcile_days,
            owns=bot.owns,
        )

    async def cog_load(self) -> None:
        await self.service.load()
        if self.bot.is_ready():  # reloaded while connected
            self.service.request_backfill(reconcile=True)

    async def cog_unload(self) -> None:
        await self.service.close()

    # --- recording ---------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        self.service.request_backfill(reconcile=True)

    @commands.Cog.listener()
    async def on_resumed(self) -> None:
        self.service.request_backfill(reconcile=False)

    @commands.Cog.listener("on_challenge_posted")
    async def on_challenge_posted(
        self, guild_id: int, day: int, thread_id: int, record: str = ""
    ) -> None:
        thread = ChallengeThread(guild_id, day, thread_id, self.bot.now(), series=record)
        self.service.add_thread(thread)
        self.service.request_backfill(reconcile=False)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        self.service.message_created(incoming(message))

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        if "content" in payload.data:  # a partial update doesn't carry the text
            self.service.message_edited(incoming(payload.message))

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.service.messages_deleted(payload.channel_id, (payload.message_id,))

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        self.service.messages_deleted(payload.channel_id, payload.message_ids)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.service.reaction_changed(payload.channel_id, payload.message_id, +1)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self.service.reaction_changed(payload.channel_id, payload.message_id, -1)

    @commands.Cog.listener()
    async def on_raw_reaction_clear(self, payload: discord.RawReactionClearEvent) -> None:
        self.service.reactions_cleared(payload.channel_id, payload.message_id)

    @commands.Cog.listener()
    async def on_raw_reaction_clear_emoji(
        self, payload: discord.RawReactionClearEmojiEvent
    ) -> None:
        self.service.reaction_emoji_cleared(payload.channel_id, payload.message_id)

    # --- commands ----------------------------------------------------------------------

    @comments.command(name="day", description="Counts and the newest comments of a day")
    @app_commands.describe(day="Day number, e.g. 3", series=SERIES_HELP)
    @app_commands.autocomplete(series=series_choices)
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def day(
        self,
        interaction: discord.Interaction,
        day: app_commands.Range[int, 1, 366],
        series: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None  # guild_only
        # A reply to the member who asked (shown in the channel): their language, as /keyword.
        tr = await reader(interaction)
        record = await chosen_record(self.bot, guild_id, series)
        if record is None:
            await interaction.response.send_message(
                unknown_series_text(tr, series or ""), ephemeral=True
            )
            return
        await interaction.response.defer(thinking=True)  # reading can take a moment

        async def fetch(page: int) -> DayPage:
            return await self.service.day_page(guild_id, record, day, page)

        page = await fetch(0)
        embed = render_day_page(tr, day, page)
        if page.pages <= 1:
            await interaction.edit_original_response(embed=embed)
            return
        view = DayPager(interaction.user.id, day, page, fetch, tr=tr)
        await interaction.edit_original_response(embed=embed, view=view)
        view.interaction = interaction

    @comments.command(name="export", description="(Admins) Download the comments as a file")
    @app_commands.describe(
        day="Only this day (default: all days)", format="File format", series=SERIES_HELP
    )
    @app_commands.autocomplete(series=series_choices)
    @admin_only
    async def export(
        self,
        interaction: discord.Interaction,
        day: app_commands.Range[int, 1, 366] | None = None,
        format: Literal["json", "csv", "md"] = "json",
        series: str | None = None,
    ) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        tr = await reader(interaction)
        record = await chosen_record(self.bot, guild_id, series)
        if record is None:
            await interaction.response.send_message(
                unknown_series_text(tr, series or ""), ephemeral=True
            )
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        text, count = await self.service.export(guild_id, record, day, format)
        if count == 0:
            if day is not None:
                empty = tr._("No comments recorded for day {day} yet.", day=day)
            else:
                empty = tr._("No comments recorded for all days yet.")
            await interaction.followup.send(empty, ephemeral=True)
            return
        if too_large(text, upload_limit(interaction)):
            if day is not None:
                large = tr._(
                    "The day {day} export is too large to attach here. Export one day at a "
                    "time, or run `challenge-bot export` on the server.",
                    day=day,
                )
            else:
                large = tr._(
                    "The all days export is too large to attach here. Export one day at a "
                    "time, or run `challenge-bot export` on the server."
                )
            await interaction.followup.send(large, ephemeral=True)
            return
        filename = export_filename(guild_id, day, format)
        kind = FORMATS[format][0].upper()
        if day is not None:
            done = tr.n_(
                "{count} comment(s) for day {day} ({format}).",
                "{count} comment(s) for day {day} ({format}).",
                count,
                day=day,
                format=kind,
            )
        else:
            done = tr.n_(
                "{count} comment(s) for all days ({format}).",
                "{count} comment(s) for all days ({format}).",
                count,
                format=kind,
            )
        await interaction.followup.send(done, file=text_file(text, filename), ephemeral=True)

    @app_commands.command(name="mydata", description="See what the bot stores about you")
    @app_commands.guild_only()
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def mydata(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        tr = await reader(interaction)
        summary, document = await self.service.my_data(guild_id, interaction.user.id)
        chosen = await self.bot.languages.chosen(interaction.user.id)
        embed = render_my_data(tr, summary, self.bot.settings.series_name, chosen)
        if summary.comments == 0 or too_large(document, upload_limit(interaction)):
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        file = text_file(document, f"my-comments-{guild_id}.json")
        await interaction.followup.send(embed=embed, file=file, ephemeral=True)

    @app_commands.command(name="forgetme", description="Erase your recorded comments")
    @app_commands.guild_only()
    async def forgetme(self, interaction: discord.Interaction) -> None:
        guild_id = interaction.guild_id
        assert guild_id is not None
        user_id = interaction.user.id  # only ever the member who ran the command
        tr = await reader(interaction)  # kept for the result: the choice itself is erased

        async def erase() -> str:
            removed = await self.service.erase(guild_id, user_id)
            log.info("Erased %d comment(s) of a member on request (server %s)", removed, guild_id)
            return erased_text(tr, removed, self.bot.now())

        view = ConfirmView(
            user_id,
            erase,
            tr=tr,
            cancelled=erase_cancelled(tr),
            timed_out=erase_timed_out(tr),
        )
        await interaction.response.send_message(forget_prompt(tr), view=view, ephemeral=True)
        view.interaction = interaction


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(Comments(bot))
