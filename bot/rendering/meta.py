"""Help and about embeds."""

from __future__ import annotations

import discord

from bot.rendering.limits import EMBED_DESCRIPTION, EMBED_FIELD_VALUE, truncate

BRAND_COLOUR = discord.Colour(0xC1272D)  # the red of Morocco's flag


def render_help(commands: list[tuple[str, str]], series_name: str) -> discord.Embed:
    lines = [f"`/{name}` — {description}" for name, description in commands]
    embed = discord.Embed(title=f"{series_name} — commands", colour=BRAND_COLOUR)
    embed.description = truncate("\n".join(lines) or "No commands available.", EMBED_DESCRIPTION)
    embed.set_footer(text="Reply in each day's thread to take part.")
    return embed


def render_about(series_name: str) -> discord.Embed:
    embed = discord.Embed(title=series_name, colour=BRAND_COLOUR)
    embed.description = (
        "Twelve daily posts on how machine learning and deep learning can serve Morocco: "
        "education, healthcare, agriculture, finance, energy, transport, innovation, public "
        "services, cybersecurity, AI talent, data privacy and collaboration. Each day opens a "
        "discussion thread: reply there to take part. Run by the Moroccan AI community."
    )
    embed.add_field(
        name="What the bot stores",
        value=truncate(
            "Your replies in the challenge threads (text, attachment names and links, the "
            "message you replied to, times, reaction counts) and the display name you had, "
            "so the discussion can be shown, counted and exported by the organisers. "
            "`/mydata` shows what is stored about you; `/forgetme` erases it.",
            EMBED_FIELD_VALUE,
        ),
        inline=False,
    )
    return embed
