"""Discord's hard limits and the small helpers that keep text inside them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

MESSAGE_CONTENT = 2000
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
EMBED_FIELD_NAME = 256
EMBED_FIELD_VALUE = 1024
EMBED_FOOTER = 2048
EMBED_AUTHOR = 256
EMBED_FIELDS = 25
EMBED_TOTAL = 6000
EMBEDS_PER_MESSAGE = 10
THREAD_NAME = 100
BUTTON_LABEL = 80
CUSTOM_ID = 100
BUTTONS_PER_ROW = 5
ROWS_PER_MESSAGE = 5
CHOICES = 25
CHOICE_NAME = 100
CHOICE_VALUE = 100
HISTORY_PAGE = 100

ELLIPSIS = "…"

_MENTION = re.compile(r"@(everyone|here)")


def discord_timestamp(moment: datetime, style: str = "F") -> str:
    """`<t:UNIX:F>`: Discord shows it in each reader's own time zone (naive = UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"<t:{int(moment.timestamp())}:{style}>"


def discord_link(guild_id: int, channel_id: int, message_id: int | None = None) -> str:
    """A link that opens a channel, thread or message in Discord (links never ping)."""
    base = f"https://discord.com/channels/{guild_id}/{channel_id}"
    return base if message_id is None else f"{base}/{message_id}"


def truncate(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """Cut `text` to at most `limit` characters, at a word boundary when one is near."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def one_line(text: str) -> str:
    """Collapse whitespace (newlines included) to single spaces."""
    return " ".join(text.split())


def defuse_mentions(text: str) -> str:
    """Make @everyone/@here inert for display even where allowed_mentions already blocks pings."""
    return _MENTION.sub("@\u200b\\1", text)


def choice_name(text: str) -> str:
    """An autocomplete choice name: one line, 1–100 characters."""
    name = truncate(one_line(text), CHOICE_NAME)
    return name or "—"
