"""Help and about embeds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import discord

from bot.i18n import Messages
from bot.rendering.limits import EMBED_DESCRIPTION, EMBED_FIELD_VALUE, EMBED_TITLE, truncate

BRAND_COLOUR = discord.Colour(0xC1272D)  # the red of Morocco's flag


@dataclass(frozen=True, slots=True)
class HelpEntry:
    """One runnable slash command: `/name` — description."""

    name: str
    description: str
    restricted: bool = False  # needs a permission (organisers' commands)


def _lines(entries: Sequence[HelpEntry]) -> str:
    return "\n".join(f"`/{e.name}` — {e.description}" for e in entries)


def render_help(tr: Messages, entries: Sequence[HelpEntry], series_name: str) -> discord.Embed:
    """Everyone's commands in the description; organisers' ones in their own field."""
    everyone = [e for e in entries if not e.restricted]
    organisers = [e for e in entries if e.restricted]
    embed = discord.Embed(
        title=truncate(tr._("{series} — commands", series=series_name), EMBED_TITLE),
        colour=BRAND_COLOUR,
    )
    intro = tr._("Reply in each day's challenge thread to take part. Commands:")
    body = _lines(everyone) or tr._("No commands available here.")
    embed.description = truncate(f"{intro}\n{body}", EMBED_DESCRIPTION)
    if organisers:
        embed.add_field(
            name=tr._("For organisers"),
            value=truncate(_lines(organisers), EMBED_FIELD_VALUE),
            inline=False,
        )
    embed.set_footer(text=tr._("Only you can see this. /about tells what the bot stores."))
    return embed


def render_about(tr: Messages, series_name: str) -> discord.Embed:
    embed = discord.Embed(title=truncate(series_name, EMBED_TITLE), colour=BRAND_COLOUR)
    embed.description = tr._(
        "Twelve daily posts on how machine learning and deep learning can serve Morocco: "
        "education, healthcare, agriculture, finance, energy, transport, innovation, public "
        "services, cybersecurity, AI talent, data privacy and collaboration. Each day opens a "
        "discussion thread with a question, and experts' answers follow later: reply there to "
        "take part. `/keyword` explains the AI terms you meet along the way."
    )
    embed.add_field(
        name=tr._("Who runs it"),
        value=tr._(
            "The Moroccan AI community (ML & DL Morocco), run by volunteers for everyone "
            "curious about AI in Morocco."
        ),
        inline=False,
    )
    embed.add_field(
        name=tr._("What the bot stores"),
        value=truncate(
            tr._(
                "Your replies in the challenge threads (text, attachment names and links, the "
                "message you replied to, times, reaction counts) and the display name you "
                "had, so the discussion can be shown, counted (`/stats`, `/leaderboard`, "
                "`/streak`) and exported by the organisers; which completion roles it gave "
                "you; and the language you chose with `/language`. Of people who join, only "
                "the time they joined is kept, for a day, so each is greeted once. Everything "
                "stays in the organisers' database. `/mydata` shows what is stored about you; "
                "`/forgetme` erases it."
            ),
            EMBED_FIELD_VALUE,
        ),
        inline=False,
    )
    return embed
