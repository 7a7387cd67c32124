"""Comment pages, the /mydata summary, export files and the buttons that go with them."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from datetime import datetime

import discord

from bot.comments.model import Comment, DayPage, UserSummary
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    MESSAGE_CONTENT,
    defuse_mentions,
    discord_timestamp,
    one_line,
    truncate,
)
from bot.rendering.meta import BRAND_COLOUR
from bot.rendering.views import OwnerView, Paged, Pager

PREVIEW_CHARS = 300  # per comment on a /comments day page (5 per page stay far below 4096)
PAGER_TIMEOUT = 180.0
CONFIRM_TIMEOUT = 60.0

FORGET_PROMPT = (
    "This erases every comment of yours the bot recorded in this server's challenge threads "
    "(your messages on Discord stay where they are; delete them there if you want). "
    "From then on the bot records nothing more from you here, so you won't appear in "
    "counts or leaderboards. This can't be undone."
)


def safe_name(name: str) -> str:
    """A display name shown as plain text: no Markdown, no pings, one line."""
    return truncate(defuse_mentions(discord.utils.escape_markdown(one_line(name))), 80) or "?"


def _preview(comment: Comment) -> str:
    text = one_line(comment.content)
    text = defuse_mentions(discord.utils.escape_markdown(truncate(text, PREVIEW_CHARS)))
    extras = []
    if comment.attachments:
        extras.append(f"📎 {len(comment.attachments)}")
    if comment.reactions:
        extras.append(f"⭐ {comment.reactions}")
    if not text:
        text = "*(no text)*"
    return f"{text} {' · '.join(extras)}".rstrip()


def render_day_page(day: int, page: DayPage) -> discord.Embed:
    stats = page.stats
    embed = discord.Embed(title=f"Day {day} — comments", colour=BRAND_COLOUR)
    if stats.comments == 0:
        embed.description = (
            f"No comments recorded for day {day} yet. Reply in the day's thread to take part!"
        )
        return embed
    lines = [
        f"**{stats.comments}** comment(s) from **{stats.participants}** participant(s). "
        "Newest first:",
        "",
    ]
    for comment in page.comments:
        reply = " ↩️" if comment.reply_to else ""
        when = discord_timestamp(comment.created_at, "R")
        lines.append(
            f"**{safe_name(comment.author_name)}**{reply} · {when} · [jump]({comment.jump_url})"
        )
        lines.append(f"> {_preview(comment)}")
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)
    embed.set_footer(text=f"Page {page.page + 1}/{page.pages}")
    return embed


def render_my_data(summary: UserSummary, series_name: str) -> discord.Embed:
    embed = discord.Embed(title="What the bot stores about you", colour=BRAND_COLOUR)
    if summary.comments == 0:
        text = "No comments of yours are stored in this server."
    else:
        first, last = summary.first_at, summary.last_at
        text = (
            f"**{summary.comments}** comment(s) on **{len(summary.per_day)}** day(s) of "
            f"{series_name}"
        )
        if first and last:
            text += f", first {discord_timestamp(first, 'f')}, last {discord_timestamp(last, 'f')}"
        text += ". The attached file has every stored comment of yours."
    if summary.erased_at is not None:
        text += (
            f"\n\nYou asked to be forgotten on {discord_timestamp(summary.erased_at, 'D')}: "
            "nothing new is recorded from you."
        )
    embed.description = truncate(text, EMBED_DESCRIPTION)
    if summary.per_day:
        per_day = "\n".join(f"Day {d.day}: {d.comments} comment(s)" for d in summary.per_day)
        embed.add_field(name="Per day", value=truncate(per_day, EMBED_FIELD_VALUE), inline=False)
    embed.add_field(
        name="What is kept",
        value=(
            "For each reply in a challenge thread: its text, attachment names and links, the "
            "message it replied to, when it was posted and edited, its reaction count and the "
            "display name you had. Deleted messages lose their text. `/forgetme` erases it all."
        ),
        inline=False,
    )
    return embed


def text_file(text: str, filename: str) -> discord.File:
    return discord.File(io.BytesIO(text.encode("utf-8")), filename=filename)


def too_large(text: str, limit: int) -> bool:
    return len(text.encode("utf-8")) > limit


class DayPager(Pager):
    """Previous/Next over a day's comments, read again at every turn (they keep coming)."""

    def __init__(
        self,
        owner_id: int,
        day: int,
        page: DayPage,
        fetch: Callable[[int], Awaitable[DayPage]],
        *,
        timeout: float = PAGER_TIMEOUT,
    ) -> None:
        async def draw(number: int) -> Paged:
            shown = await fetch(number)
            return Paged(render_day_page(day, shown), shown.page, shown.pages)

        super().__init__(
            owner_id, page.pages, draw, page=page.page, timeout=timeout, emoji=("◀️", "▶️")
        )


class ConfirmView(OwnerView):
    """Confirm/Cancel for something that can't be undone."""

    def __init__(
        self,
        owner_id: int,
        on_confirm: Callable[[], Awaitable[str]],
        *,
        cancelled: str = "Cancelled — nothing was erased.",
        timed_out: str = "No answer in time — nothing was erased.",
        timeout: float = CONFIRM_TIMEOUT,
    ) -> None:
        super().__init__(owner_id, timeout=timeout)
        self.on_confirm = on_confirm
        self.cancelled = cancelled
        self.timed_out = timed_out
        self.outcome: str | None = None  # "confirmed", "cancelled" or "timeout"

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        self.outcome = "confirmed"
        self.stop()
        await interaction.response.defer()
        text = await self.on_confirm()
        await interaction.edit_original_response(content=truncate(text, MESSAGE_CONTENT), view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, button: discord.ui.Button[ConfirmView]
    ) -> None:
        self.outcome = "cancelled"
        self.stop()
        await interaction.response.edit_message(content=self.cancelled, view=None)

    async def on_timeout(self) -> None:
        self.outcome = "timeout"
        await self.edit_original(content=self.timed_out, view=None)


def erased_text(removed: int, when: datetime) -> str:
    return (
        f"Done: {removed} stored comment(s) erased on {discord_timestamp(when, 'f')}. "
        "Nothing more will be recorded from you in this server."
    )
