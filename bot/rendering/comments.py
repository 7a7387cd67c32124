"""Comment pages, the /mydata summary, export files and the buttons that go with them."""

from __future__ import annotations

import io
from datetime import datetime

import discord

from bot.comments.model import Comment, DayPage, UserSummary
from bot.i18n import Language, Messages
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_FOOTER,
    EMBED_TITLE,
    MESSAGE_CONTENT,
    defuse_mentions,
    discord_timestamp,
    one_line,
    truncate,
)
from bot.rendering.meta import BRAND_COLOUR

PREVIEW_CHARS = 300  # per comment on a /comments day page (5 per page stay far below 4096)


def forget_prompt(tr: Messages) -> str:
    """What /forgetme asks before erasing anything."""
    return truncate(
        tr._(
            "This erases every comment of yours the bot recorded in this server's challenge "
            "threads (your messages on Discord stay where they are; delete them there if you "
            "want), and the language you chose with `/language`. "
            "From then on the bot records nothing more from you here, so you won't appear in "
            "counts or leaderboards. This can't be undone."
        ),
        MESSAGE_CONTENT,
    )


def safe_name(name: str) -> str:
    """A display name shown as plain text: no Markdown, no pings, one line."""
    return truncate(defuse_mentions(discord.utils.escape_markdown(one_line(name))), 80) or "?"


def _preview(tr: Messages, comment: Comment) -> str:
    text = one_line(comment.content)
    text = defuse_mentions(discord.utils.escape_markdown(truncate(text, PREVIEW_CHARS)))
    extras = []
    if comment.attachments:
        extras.append(f"📎 {len(comment.attachments)}")
    if comment.reactions:
        extras.append(f"⭐ {comment.reactions}")
    if not text:
        text = tr._("*(no text)*")
    return f"{text} {' · '.join(extras)}".rstrip()


def render_day_page(tr: Messages, day: int, page: DayPage) -> discord.Embed:
    stats = page.stats
    embed = discord.Embed(
        title=truncate(tr._("Day {day} — comments", day=day), EMBED_TITLE), colour=BRAND_COLOUR
    )
    if stats.comments == 0:
        embed.description = truncate(
            tr._(
                "No comments recorded for day {day} yet. Reply in the day's thread to take part!",
                day=day,
            ),
            EMBED_DESCRIPTION,
        )
        return embed
    lines = [
        tr._(
            "**{comments}** comment(s) from **{participants}** participant(s). Newest first:",
            comments=stats.comments,
            participants=stats.participants,
        ),
        "",
    ]
    for comment in page.comments:
        lines.append(
            tr._(
                "**{name}**{reply} · {when} · [jump]({url})",
                name=safe_name(comment.author_name),
                reply=" ↩️" if comment.reply_to else "",
                when=discord_timestamp(comment.created_at, "R"),
                url=comment.jump_url,
            )
        )
        lines.append(f"> {_preview(tr, comment)}")
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)
    embed.set_footer(
        text=truncate(
            tr._("Page {page}/{pages}", page=page.page + 1, pages=page.pages), EMBED_FOOTER
        )
    )
    return embed


def render_my_data(
    tr: Messages, summary: UserSummary, series_name: str, language: Language | None = None
) -> discord.Embed:
    """`language`: the member's own `/language` choice (None: they made none)."""
    embed = discord.Embed(
        title=truncate(tr._("What the bot stores about you"), EMBED_TITLE), colour=BRAND_COLOUR
    )
    if summary.comments == 0:
        text = tr._("No comments of yours are stored in this server.")
    else:
        first, last = summary.first_at, summary.last_at
        counts = {
            "comments": summary.comments,
            "days": len(summary.per_day),
            "series": series_name,
        }
        if first and last:
            text = tr._(
                "**{comments}** comment(s) on **{days}** day(s) of {series}, first {first}, "
                "last {last}. The attached file has every stored comment of yours.",
                first=discord_timestamp(first, "f"),
                last=discord_timestamp(last, "f"),
                **counts,
            )
        else:
            text = tr._(
                "**{comments}** comment(s) on **{days}** day(s) of {series}. "
                "The attached file has every stored comment of yours.",
                **counts,
            )
    if summary.erased_at is not None:
        forgotten = tr._(
            "You asked to be forgotten on {date}: nothing new is recorded from you.",
            date=discord_timestamp(summary.erased_at, "D"),
        )
        text += f"\n\n{forgotten}"
    embed.description = truncate(text, EMBED_DESCRIPTION)
    if summary.per_day:
        per_day = "\n".join(
            tr.n_(
                "Day {day}: {count} comment(s)",
                "Day {day}: {count} comment(s)",
                d.comments,
                day=d.day,
            )
            for d in summary.per_day
        )
        embed.add_field(
            name=tr._("Per day"), value=truncate(per_day, EMBED_FIELD_VALUE), inline=False
        )
    if language is not None:
        chosen = tr._("{language}, chosen with `/language`.", language=language.label)
    else:
        chosen = tr._(
            "None chosen: the bot follows your Discord's language, else the server's. "
            "`/language` chooses one."
        )
    embed.add_field(
        name=tr._("Your language"), value=truncate(chosen, EMBED_FIELD_VALUE), inline=False
    )
    embed.add_field(
        name=tr._("What is kept"),
        value=truncate(
            tr._(
                "For each reply in a challenge thread: its text, attachment names and links, the "
                "message it replied to, when it was posted and edited, its reaction count and "
                "the display name you had. Deleted messages lose their text. `/forgetme` erases "
                "it all (your `/language` choice too)."
            ),
            EMBED_FIELD_VALUE,
        ),
        inline=False,
    )
    return embed


def text_file(text: str, filename: str) -> discord.File:
    return discord.File(io.BytesIO(text.encode("utf-8")), filename=filename)


def too_large(text: str, limit: int) -> bool:
    return len(text.encode("utf-8")) > limit


def erase_cancelled(tr: Messages) -> str:
    return tr._("Cancelled — nothing was erased.")


def erase_timed_out(tr: Messages) -> str:
    return tr._("No answer in time — nothing was erased.")


def erased_text(tr: Messages, removed: int, when: datetime) -> str:
    return truncate(
        tr.n_(
            "Done: {count} stored comment(s) erased on {when}; your language choice is erased "
            "too. Nothing more will be recorded from you in this server.",
            "Done: {count} stored comment(s) erased on {when}; your language choice is erased "
            "too. Nothing more will be recorded from you in this server.",
            removed,
            when=discord_timestamp(when, "f"),
        ),
        MESSAGE_CONTENT,
    )
