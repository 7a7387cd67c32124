"""The discord.py side of `bot.boundary.Discord`: the one place discord objects become the
domain's snapshots (`IncomingMessage`, `MemberInfo`, …) and discord.py's errors the domain's
(`GoneError`, `RefusedError`, `DiscordUnavailableError`).

Cogs use the converters (`incoming`, `member_info`) on the events they receive; the services
get a `DiscordBoundary` from the composition root (bot/bot.py).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import discord

from bot.boundary import (
    ChannelInfo,
    DiscordError,
    DiscordUnavailableError,
    GoneError,
    Grantable,
    IncomingMessage,
    MemberInfo,
    MessageKind,
    Outgoing,
    RefusedError,
    RoleInfo,
    SentMessage,
)
from bot.comments.model import Attachment

__all__ = ["DiscordBoundary", "domain_error", "incoming", "member_info", "translated"]

_KINDS = {
    discord.MessageType.default: MessageKind.DEFAULT,
    discord.MessageType.reply: MessageKind.REPLY,
}


# --- converters ------------------------------------------------------------------------


def incoming(message: discord.Message) -> IncomingMessage:
    """A discord.py message as the services see it."""
    kind = _KINDS.get(message.type, MessageKind.OTHER)
    reference = message.reference
    guild = message.guild
    return IncomingMessage(
        id=message.id,
        channel_id=message.channel.id,
        guild_id=guild.id if guild is not None else None,
        author_id=message.author.id,
        author_name=message.author.display_name,
        author_bot=message.author.bot or message.webhook_id is not None,
        kind=kind,
        content=message.content,
        created_at=message.created_at,
        edited_at=message.edited_at,
        attachments=tuple(Attachment(a.filename, a.url) for a in message.attachments),
        reference_id=reference.message_id if reference is not None else None,
        reactions=sum(reaction.count for reaction in message.reactions),
        embed_titles=tuple(embed.title for embed in message.embeds if embed.title is not None),
    )


def member_info(member: discord.Member) -> MemberInfo:
    """A member of a server (with the roles it has now)."""
    return MemberInfo(
        id=member.id,
        guild_id=member.guild.id,
        display_name=member.display_name,
        bot=member.bot,
        role_ids=frozenset(role.id for role in member.roles),
        joined_at=member.joined_at,
    )


def domain_error(exc: discord.HTTPException) -> DiscordError:
    """discord.py's error as the domain's: NotFound → GoneError, Forbidden → RefusedError, any other
    error answer → DiscordUnavailableError. The message stays discord.py's."""
    kind: type[DiscordError] = DiscordUnavailableError
    if isinstance(exc, discord.NotFound):
        kind = GoneError
    elif isinstance(exc, discord.Forbidden):
        kind = RefusedError
    return kind(str(exc), status=exc.status, code=exc.code, text=exc.text)


@contextlib.contextmanager
def translated() -> Iterator[None]:
    """Raise discord.py's HTTP errors as the domain's."""
    try:
        yield
    except discord.HTTPException as exc:
        raise domain_error(exc) from exc


def _allowed(ping_user: int | None) -> discord.AllowedMentions:
    if ping_user is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False, users=[discord.Object(ping_user)], roles=False, replied_user=False
    )


def _send_kwargs(message: Outgoing) -> dict[str, Any]:
    if isinstance(message, str):
        return {"content": message}
    kwargs: dict[str, Any] = {"content": message.content or None}
    if message.embed is not None:
        kwargs["embed"] = message.embed
    return kwargs


# --- the boundary ------------------------------------------------------------------------


class DiscordBoundary:
    """`bot.boundary.Discord` over a discord.py client."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    @property
    def me(self) -> int:
        return self.client.user.id if self.client.user else 0

    def is_closed(self) -> bool:
        return self.client.is_closed()

    def channel(self, channel_id: int) -> ChannelInfo | None:
        found = self.client.get_channel(channel_id)
        if found is None:
            return None
        guild = getattr(found, "guild", None)
        return ChannelInfo(
            id=found.id,
            guild_id=guild.id if guild is not None else None,
            name=getattr(found, "name", "") or "",
            thread=isinstance(found, discord.Thread),
        )

    def guild_name(self, guild_id: int) -> str | None:
        guild = self.client.get_guild(guild_id)
        return guild.name if guild is not None else None

    def role(self, guild_id: int, role_id: int) -> RoleInfo | None:
        guild = self.client.get_guild(guild_id)
        role = guild.get_role(role_id) if guild is not None else None
        if guild is None or role is None:
            return None
        me = guild.me
        grantable = Grantable.YES  # not cached: let Discord decide
        if me is not None and not me.guild_permissions.manage_roles:
            grantable = Grantable.NO_PERMISSION
        elif me is not None and role >= me.top_role:
            grantable = Grantable.TOO_HIGH
        return RoleInfo(role.id, role.name, guild.name, grantable)

    def _messageable(self, channel_id: int, guild_id: int | None = None) -> Any:
        return self.client.get_channel(channel_id) or self.client.get_partial_messageable(
            channel_id, guild_id=guild_id
        )

    async def send(
        self,
        channel_id: int,
        message: Outgoing,
        *,
        guild_id: int | None = None,
        ping_user: int | None = None,
    ) -> SentMessage:
        channel = self._messageable(channel_id, guild_id)
        send = getattr(channel, "send", None)
        if send is None:
            raise TypeError(f"{channel_id} is not a channel the bot can post in")
        with translated():
            sent: discord.Message = await send(
                **_send_kwargs(message), allowed_mentions=_allowed(ping_user)
            )
        return SentMessage(sent.id, sent.channel.id)

    async def send_dm(
        self, user_id: int, message: Outgoing, *, ping_user: int | None = None
    ) -> SentMessage:
        with translated():
            channel = await self.client.create_dm(discord.Object(user_id))
            sent = await channel.send(**_send_kwargs(message), allowed_mentions=_allowed(ping_user))
        return SentMessage(sent.id, sent.channel.id)

    async def fetch_message(self, channel_id: int, message_id: int) -> IncomingMessage:
        with translated():
            message = await self.client.get_partial_messageable(channel_id).fetch_message(
                message_id
            )
        return incoming(message)

    async def _resolve(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:  # archived threads aren't in the cache
            with translated():
                channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise LookupError(f"channel {channel_id} has no messages to read")
        return channel

    async def history(
        self,
        channel_id: int,
        *,
        after: int,
        limit: int | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Sequence[IncomingMessage]]:
        channel = await self._resolve(channel_id)
        return self._pages(channel, after, limit, page_size)

    async def _pages(
        self, channel: discord.abc.Messageable, after: int, limit: int | None, page_size: int
    ) -> AsyncIterator[Sequence[IncomingMessage]]:
        page: list[IncomingMessage] = []
        with translated():
            history = channel.history(after=discord.Object(after), oldest_first=True, limit=limit)
            async for message in history:
                page.append(incoming(message))
                if len(page) >= page_size:
                    yield page
                    page = []
        if page:
            yield page

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        with translated():
            await self.client.http.add_role(guild_id, user_id, role_id, reason=reason)
