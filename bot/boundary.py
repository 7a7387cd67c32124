"""What the domain services need from Discord, in plain values (this module imports no discord).

The domain packages (`bot/series`, `bot/comments`, `bot/keywords`, `bot/members`) reach Discord
only through `Discord`, a protocol; `bot/discord_boundary.py` implements it with discord.py
(and is the only place discord objects become the snapshots below), `tests/fakes.py` fakes it.

Errors: a Discord call that fails raises one of `GoneError` (404: the channel, message or member is
no longer there), `RefusedError` (403: missing permissions) or `DiscordUnavailableError` (any other error
answer: 5xx, 429 given up, 400…), all `DiscordError`s. Connection failures (a reset socket, a
timeout) are not translated: they stay `OSError`/`TimeoutError`/aiohttp errors.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol

from bot.comments.model import Attachment
from bot.rendering.days import RenderedMessage

DISCORD_EPOCH_MS = 1420070400000

# What a service sends: plain text, or text and an embed built by rendering.
Outgoing = str | RenderedMessage


class DiscordError(Exception):
    """Discord answered a call with an error. `status`/`code`/`text` are Discord's answer."""

    def __init__(self, message: str, *, status: int = 0, code: int = 0, text: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.text = text


class GoneError(DiscordError):
    """404: the channel, thread, message or member doesn't exist (any more)."""


class RefusedError(DiscordError):
    """403: the bot lacks a permission (or the member blocks DMs)."""


class DiscordUnavailableError(DiscordError):
    """Any other error answer: Discord is down, rate limits exhausted, a request refused."""


class MessageKind(Enum):
    DEFAULT = "default"
    REPLY = "reply"
    OTHER = "other"  # system messages: joins, pins, thread notices, thread starters…


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """A message as the services see it (a snapshot: it does not change afterwards)."""

    id: int
    channel_id: int
    author_id: int
    author_name: str  # the display name in the server when known
    author_bot: bool  # a bot, or a webhook
    kind: MessageKind
    content: str
    created_at: datetime
    guild_id: int | None = None
    edited_at: datetime | None = None
    attachments: tuple[Attachment, ...] = ()
    reference_id: int | None = None  # the message a reply answers
    reactions: int = 0  # every emoji's count added up
    embed_titles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What a send returns."""

    id: int
    channel_id: int


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """A member of a server, as a service needs it."""

    id: int
    guild_id: int
    display_name: str
    bot: bool = False
    role_ids: frozenset[int] = field(default_factory=frozenset)
    joined_at: datetime | None = None  # when this membership began (a join, or a rejoin)

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A channel or thread the bot can see. `guild_id` is None outside a server."""

    id: int
    guild_id: int | None
    name: str
    thread: bool = False


class Grantable(Enum):
    YES = "yes"  # or not known: Discord decides
    NO_PERMISSION = "no_permission"  # the bot lacks Manage Roles
    TOO_HIGH = "too_high"  # the role is at or above the bot's own top role


@dataclass(frozen=True, slots=True)
class RoleInfo:
    id: int
    name: str
    guild_name: str
    grantable: Grantable


class Discord(Protocol):
    """The Discord calls the domain services make (bot.discord_boundary.DiscordBoundary;
    tests.fakes.FakeDiscord in unit tests)."""

    @property
    def me(self) -> int:
        """The bot's own user id (0 before login)."""
        ...

    def is_closed(self) -> bool:
        """Whether the bot is shutting down (background loops stop)."""
        ...

    def channel(self, channel_id: int) -> ChannelInfo | None:
        """A channel or thread the bot knows now (its cache; no request)."""
        ...

    def guild_name(self, guild_id: int) -> str | None:
        """The name of a server the bot is in (None: not in it)."""
        ...

    def role(self, guild_id: int, role_id: int) -> RoleInfo | None:
        """A server's role and whether the bot may give it (None: no such role)."""
        ...

    async def send(
        self,
        channel_id: int,
        message: Outgoing,
        *,
        guild_id: int | None = None,
        ping_user: int | None = None,
    ) -> SentMessage:
        """Post in a channel or thread. Nobody is pinged, except `ping_user` when given."""
        ...

    async def send_dm(
        self, user_id: int, message: Outgoing, *, ping_user: int | None = None
    ) -> SentMessage:
        """A direct message to a user."""
        ...

    async def fetch_message(self, channel_id: int, message_id: int) -> IncomingMessage:
        """One message as Discord has it now (`GoneError` if deleted)."""
        ...

    async def history(
        self,
        channel_id: int,
        *,
        after: int,
        limit: int | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Sequence[IncomingMessage]]:
        """The channel's or thread's messages after the id `after`, oldest first, in pages.

        Awaiting it finds the channel (archived threads included: `GoneError` if it no longer
        exists, `LookupError` if it holds no messages); iterating reads the pages."""
        ...

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        """Give a member a role."""
        ...


def snowflake_at(moment: datetime) -> int:
    """The smallest Discord id made at `moment` (to read history from a time on)."""
    return int(moment.timestamp() * 1000 - DISCORD_EPOCH_MS) << 22
