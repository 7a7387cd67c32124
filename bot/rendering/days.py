"""A challenge day as Discord messages: the channel post, its thread, answers and summaries.

The post looks like the organiser's page (title, welcome, sections, closing) and ends with the
next day's time; the question and the expert answers go into the day's thread. Every message
fits Discord's limits (`split_markdown` cuts between sections and paragraphs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import discord

from bot.i18n import Language, Messages, messages
from bot.rendering.limits import (
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    MESSAGE_CONTENT,
    THREAD_NAME,
    discord_timestamp,
    one_line,
    truncate,
)
from bot.rendering.markdown import mkdocs_to_discord, split_markdown
from bot.rendering.meta import BRAND_COLOUR
from bot.series.model import ChallengeDay, ExpertAnswer, Section

MARKER_MAX = 100  # the crash-recovery marker stays a short line of small text
SUMMARY_ABOUT, SUMMARY_WHERE = 1500, 500  # embed description parts (with 3 fields ≤ 1024)


@dataclass(frozen=True, slots=True)
class RenderedMessage:
    """One message to send: text (≤ 2000 characters) and optionally an embed."""

    content: str
    embed: discord.Embed | None = None


@dataclass(frozen=True, slots=True)
class DayBundle:
    """Everything a day sends, in order: the post (its first message starts the thread, or is
    a forum post's starter), the thread's name and opening question, and later the answers."""

    parts: tuple[RenderedMessage, ...]
    thread_name: str
    opening: tuple[RenderedMessage, ...]
    answers: tuple[RenderedMessage, ...]


def marker_line(marker: str) -> str:
    """The small-text line that identifies our own post (`-# ref abc123`)."""
    marker = marker.strip()
    if "\n" in marker or not marker or len(marker) > MARKER_MAX:
        raise ValueError(f"a post marker is one line of 1–{MARKER_MAX} characters")
    return marker if marker.startswith("-# ") else f"-# {marker}"


def day_name(tr: Messages, day: ChallengeDay) -> str:
    """`Day 10: Nurturing AI Talent` in `tr`'s language (the title is the organiser's)."""
    return tr._("Day {day}: {title}", day=day.number, title=day.title)


def title_line(tr: Messages, day: ChallengeDay) -> str:
    """`🧠 Day 10: Nurturing AI Talent` (one line, no Markdown)."""
    name = day_name(tr, day)
    return one_line(f"{day.emoji} {name}" if day.emoji else name)


def thread_name(tr: Messages, day: ChallengeDay) -> str:
    """`Day N: Title`, cut at a word to Discord's 100 characters."""
    return truncate(one_line(day_name(tr, day)), THREAD_NAME) or tr._("Day {day}", day=day.number)


def thread_names(day: ChallengeDay) -> frozenset[str]:
    """The day's thread name in every language: a post made before the server changed its
    language is still recognised as ours (never posted again)."""
    return frozenset(thread_name(messages(language), day) for language in Language)


def render_day(
    tr: Messages,
    day: ChallengeDay,
    *,
    next_post_at: datetime | None,
    series_name: str,
    is_last: bool,
    ping_role_id: int | None = None,
    marker: str | None = None,
) -> list[RenderedMessage]:
    """The day's post in the challenge channel, as one or more messages.

    `ping_role_id` mentions that role at the top of the first message (the sender must allow
    role mentions for it); `marker` is appended to the first message as small text.
    """
    text = (
        mkdocs_to_discord(_post_markdown(tr, day))
        + "\n\n"
        + _next_line(tr, next_post_at, series_name, is_last)
    )
    head = f"<@&{ping_role_id}>" if ping_role_id else ""
    tail = marker_line(marker) if marker else ""
    reserve = sum(len(part) + 1 for part in (head, tail) if part)
    chunks = split_markdown(text, MESSAGE_CONTENT - reserve)
    first = "\n".join(part for part in (head, chunks[0], tail) if part)
    return [RenderedMessage(first), *(RenderedMessage(chunk) for chunk in chunks[1:])]


def render_thread_opening(tr: Messages, day: ChallengeDay) -> list[RenderedMessage]:
    """The thread's first message(s): the question(s) and an invitation to reply here."""
    # Three paragraphs: the organiser's questions stay outside the translated sentences.
    text = "\n\n".join(
        [
            tr._("## 💬 Join the Conversation"),
            *day.questions,
            tr._(
                "✍️ **Reply in this thread** to share your ideas and experiences — every "
                "voice counts."
            ),
        ]
    )
    return [RenderedMessage(chunk) for chunk in split_markdown(mkdocs_to_discord(text))]


def render_answer(answer: ExpertAnswer) -> list[RenderedMessage]:
    """One expert's answer, starting with `### 🧠 Mr NAME`."""
    heading = one_line(f"{answer.emoji} {answer.author}" if answer.emoji else answer.author)
    text = mkdocs_to_discord(f"### {heading}\n\n{answer.body}")
    return [RenderedMessage(chunk) for chunk in split_markdown(text)]


def render_answers(day: ChallengeDay) -> list[RenderedMessage]:
    """Every expert answer of the day, in page order (empty if the day has none)."""
    return [message for answer in day.answers for message in render_answer(answer)]


def render_day_bundle(
    tr: Messages,
    day: ChallengeDay,
    *,
    next_post_at: datetime | None,
    series_name: str,
    is_last: bool,
    ping_role_id: int | None = None,
    marker: str | None = None,
) -> DayBundle:
    """The whole day as the poster sends it (the bot, `/challenge preview` and the CLI)."""
    parts = render_day(
        tr,
        day,
        next_post_at=next_post_at,
        series_name=series_name,
        is_last=is_last,
        ping_role_id=ping_role_id,
        marker=marker,
    )
    return DayBundle(
        parts=tuple(parts),
        thread_name=thread_name(tr, day),
        opening=tuple(render_thread_opening(tr, day)),
        answers=tuple(render_answers(day)),
    )


def render_day_summary(tr: Messages, day: ChallengeDay, link: str | None) -> discord.Embed:
    """An embed for `/challenge day <n>`: what the day is about and where to discuss it."""
    embed = discord.Embed(title=truncate(title_line(tr, day), EMBED_TITLE), colour=BRAND_COLOUR)
    about = day.description or _first_paragraph(day.intro)
    if link:
        embed.url = link
        where = tr._("💬 [Open the discussion thread]({link})", link=link)
    else:
        where = tr._("🗓️ Not posted yet.")
    # A summary, not the page: short enough that title, fields and all stay under 6000.
    embed.description = truncate(about, SUMMARY_ABOUT) + "\n\n" + truncate(where, SUMMARY_WHERE)
    if day.questions:
        question = mkdocs_to_discord("\n\n".join(day.questions))
        embed.add_field(
            name=tr._("Question"), value=truncate(question, EMBED_FIELD_VALUE), inline=False
        )
    experts = tr.join(answer.author for answer in day.answers) or tr._("None for this day")
    embed.add_field(name=tr._("Expert answers"), value=truncate(experts, EMBED_FIELD_VALUE))
    if day.keywords:
        keywords = tr.join(day.keywords)
        embed.add_field(name=tr._("Keywords"), value=truncate(keywords, EMBED_FIELD_VALUE))
    return embed


# --- pieces ---------------------------------------------------------------------------------


def _post_markdown(tr: Messages, day: ChallengeDay) -> str:
    parts = [f"# {title_line(tr, day)}"]
    if day.intro:
        parts.append(day.intro)
    parts.extend(_section_markdown(section) for section in day.sections)
    parts.append(
        tr._("💬 **Join the conversation** in this post's thread: today's question is there.")
    )
    if day.closing is not None:
        parts.append(_section_markdown(day.closing))
    return "\n\n".join(parts)


def _section_markdown(section: Section) -> str:
    marks = "#" * max(2, min(section.level, 3))
    heading = f"{marks} {one_line(section.heading)}"
    return f"{heading}\n\n{section.body}" if section.body else heading


def _next_line(tr: Messages, next_post_at: datetime | None, series_name: str, is_last: bool) -> str:
    if is_last:
        return tr._(
            "🏁 **That was the final day: the {series} series is complete.** "
            "Thank you for taking part!",
            series=series_name,
        )
    if next_post_at is None:
        return tr._("⏭️ **Next challenge:** coming soon.")
    return tr._(
        "⏭️ **Next challenge:** {date} ({relative})",
        date=discord_timestamp(next_post_at, "F"),
        relative=discord_timestamp(next_post_at, "R"),
    )


def _first_paragraph(text: str) -> str:
    paragraphs = [p for p in mkdocs_to_discord(text).split("\n\n") if p.strip()]
    return paragraphs[0] if paragraphs else ""
