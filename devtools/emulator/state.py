"""What the emulated Discord knows: its guilds (the default one first), their channels,
threads, members and roles, messages, DM channels and application commands, kept as Discord
API payloads.

`world.guild_id`, `world.guild`, `world.roles` and `world.members` are the default guild's;
every guild (the default one included) is a `GuildState` in `world.guild_states`. Channel ids
are unique across guilds, so `world.channels` holds all of them (each names its `guild_id`).

Payload shapes follow discord.py's `discord/types/*.py` TypedDicts and Discord's docs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devtools.emulator.ids import (
    ChannelKind,
    Clock,
    MessageKind,
    Perm,
    Snowflakes,
    iso,
    utcnow,
)

Payload = dict[str, Any]

BOT_TOKEN = "emulator-token"
APPLICATION_NAME = "ML & DL Morocco Challenges"


def user_payload(user_id: str, username: str, *, bot: bool = False) -> Payload:
    return {
        "id": user_id,
        "username": username,
        "discriminator": "0",
        "global_name": None if bot else username.capitalize(),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


@dataclass
class Reaction:
    emoji: Payload  # {"id": None, "name": "👍"} or a custom emoji
    users: list[str] = field(default_factory=list)

    def payload(self, me: str) -> Payload:
        count = len(self.users)
        return {
            "count": count,
            "count_details": {"burst": 0, "normal": count},
            "me": me in self.users,
            "me_burst": False,
            "burst_colors": [],
            "emoji": dict(self.emoji),
        }


@dataclass
class StoredFile:
    """An uploaded attachment: the metadata Discord returns plus the bytes."""

    attachment: Payload
    data: bytes

    @property
    def filename(self) -> str:
        return str(self.attachment["filename"])


@dataclass
class StoredMessage:
    """A message in a channel. `data` is the Message payload without `reactions`."""

    data: Payload
    reactions: dict[str, Reaction] = field(default_factory=dict)
    files: list[StoredFile] = field(default_factory=list)
    deleted: bool = False
    pinned_at: str | None = None

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def channel_id(self) -> str:
        return str(self.data["channel_id"])

    def payload(self, me: str) -> Payload:
        body = copy.deepcopy(self.data)
        if self.reactions:
            body["reactions"] = [r.payload(me) for r in self.reactions.values() if r.users]
        return body


@dataclass
class GuildState:
    """One guild: its payload (without roles/channels), roles and members by id."""

    id: str
    guild: Payload = field(default_factory=dict)
    roles: dict[str, Payload] = field(default_factory=dict)
    members: dict[str, Payload] = field(default_factory=dict)


class World:
    """The emulated Discord. Tests read it directly; REST handlers change it."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self.clock = clock
        self.ids = Snowflakes(lambda: self.clock())
        self.token = BOT_TOKEN
        self.application_id = self.ids.next()
        self.bot_user = user_payload(self.application_id, "Challenges Bot", bot=True)
        self.users: dict[str, Payload] = {self.application_id: self.bot_user}
        self.guild_states: dict[str, GuildState] = {"": GuildState("")}  # default one first
        self._default = ""
        self.locales: dict[str, str] = {}  # user id → Discord client locale (default en-US)
        self.channels: dict[str, Payload] = {}  # guild channels and threads, by id
        self.thread_members: dict[str, dict[str, Payload]] = {}
        self.dm_channels: dict[str, Payload] = {}  # by channel id
        self.messages: dict[str, dict[str, StoredMessage]] = {}  # channel id → id → message
        self.files: dict[str, StoredFile] = {}  # attachment id → file
        self.global_commands: dict[str, Payload] = {}  # by id
        self.guild_commands: dict[str, dict[str, Payload]] = {}
        self.closed_dms: set[str] = set()  # users who don't accept DMs from the bot
        self.base_url = ""  # set by the server; used for attachment URLs

    # ---- guilds -------------------------------------------------------------------------
    @property
    def guild_id(self) -> str:
        """The default guild's id."""
        return self._default

    @guild_id.setter
    def guild_id(self, value: str) -> None:
        state = self.guild_states.pop(self._default)
        state.id = value
        self.guild_states = {value: state, **self.guild_states}
        self._default = value

    @property
    def guild(self) -> Payload:
        return self.guild_states[self._default].guild

    @guild.setter
    def guild(self, value: Payload) -> None:
        self.guild_states[self._default].guild = value

    @property
    def roles(self) -> dict[str, Payload]:
        return self.guild_states[self._default].roles

    @property
    def members(self) -> dict[str, Payload]:
        return self.guild_states[self._default].members

    def state(self, guild_id: str | None = None) -> GuildState:
        """A guild (the default one without an id); KeyError if unknown."""
        return self.guild_states[guild_id or self._default]

    def add_guild_state(self, guild_id: str) -> GuildState:
        state = GuildState(guild_id)
        self.guild_states[guild_id] = state
        return state

    # ---- time ---------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.clock()

    def timestamp(self) -> str:
        return iso(self.now())

    # ---- users, members, roles ----------------------------------------------------------
    def add_user(self, username: str, *, bot: bool = False, user_id: str | None = None) -> Payload:
        user = user_payload(user_id or self.ids.next(), username, bot=bot)
        self.users[user["id"]] = user
        return user

    def add_member(
        self,
        username: str,
        *,
        roles: list[str] | None = None,
        joined_at: datetime | None = None,
        bot: bool = False,
        user: Payload | None = None,
        guild_id: str | None = None,
    ) -> Payload:
        user = user or self.add_user(username, bot=bot)
        member = {
            "user": user,
            "nick": None,
            "avatar": None,
            "roles": list(roles or []),
            "joined_at": iso(joined_at or self.now()),
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        self.state(guild_id).members[user["id"]] = member
        return member

    def add_role(
        self,
        name: str,
        *,
        permissions: int = 0,
        position: int | None = None,
        mentionable: bool = False,
        managed: bool = False,
        tags: Payload | None = None,
        role_id: str | None = None,
        guild_id: str | None = None,
    ) -> Payload:
        roles = self.state(guild_id).roles
        role = {
            "id": role_id or self.ids.next(),
            "name": name,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "position": len(roles) if position is None else position,
            "permissions": str(permissions),
            "managed": managed,
            "mentionable": mentionable,
            "flags": 0,
        }
        if tags:
            role["tags"] = tags
        roles[role["id"]] = role
        return role

    def role_named(self, name: str, guild_id: str | None = None) -> Payload:
        for role in self.state(guild_id).roles.values():
            if role["name"] == name:
                return role
        raise KeyError(f"no role named {name!r}")

    def member_named(self, name: str, guild_id: str | None = None) -> Payload:
        for member in self.state(guild_id).members.values():
            user = member["user"]
            if name in (user["username"], user.get("global_name"), member.get("nick")):
                return member
        raise KeyError(f"no member named {name!r}")

    def member_payload(
        self, user_id: str, *, with_user: bool = True, guild_id: str | None = None
    ) -> Payload:
        member = copy.deepcopy(self.state(guild_id).members[user_id])
        if not with_user:
            member.pop("user")
        return member

    # ---- permissions --------------------------------------------------------------------
    def base_permissions(self, user_id: str, guild_id: str | None = None) -> int:
        state = self.state(guild_id)
        if user_id == state.guild.get("owner_id"):
            return Perm.ALL
        member = state.members.get(user_id)
        if member is None:
            return 0
        value = int(state.roles[state.id]["permissions"])
        for role_id in member["roles"]:
            role = state.roles.get(role_id)
            if role:
                value |= int(role["permissions"])
        return Perm.ALL if value & Perm.ADMINISTRATOR else value

    def permissions_in(self, user_id: str, channel_id: str) -> int:
        """Discord's algorithm: base, then @everyone, role and member overwrites."""
        channel = self.channels.get(channel_id)
        if channel is None:
            return 0
        if channel["type"] in ChannelKind.THREADS:
            channel = self.channels[channel["parent_id"]]
        state = self.state(channel["guild_id"])
        value = self.base_permissions(user_id, state.id)
        if value & Perm.ADMINISTRATOR or value == Perm.ALL:
            return Perm.ALL
        overwrites = {o["id"]: o for o in channel.get("permission_overwrites", [])}
        everyone = overwrites.get(state.id)
        if everyone:
            value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for role_id in state.members.get(user_id, {}).get("roles", []):
            if role_id in overwrites:
                allow |= int(overwrites[role_id]["allow"])
                deny |= int(overwrites[role_id]["deny"])
        value = (value & ~deny) | allow
        own = overwrites.get(user_id)
        if own:
            value = (value & ~int(own["deny"])) | int(own["allow"])
        if not value & Perm.VIEW_CHANNEL:
            return 0
        return value

    def top_role_position(self, user_id: str, guild_id: str | None = None) -> int:
        state = self.state(guild_id)
        member = state.members.get(user_id, {"roles": []})
        return max(
            (state.roles[r]["position"] for r in member["roles"] if r in state.roles), default=0
        )

    # ---- channels and threads -----------------------------------------------------------
    def add_channel(
        self,
        name: str,
        kind: int = ChannelKind.GUILD_TEXT,
        *,
        topic: str | None = None,
        overwrites: list[Payload] | None = None,
        parent_id: str | None = None,
        guild_id: str | None = None,
    ) -> Payload:
        guild_id = guild_id or self.guild_id
        position = sum(
            1
            for c in self.channels.values()
            if c["type"] not in ChannelKind.THREADS and c["guild_id"] == guild_id
        )
        channel: Payload = {
            "id": self.ids.next(),
            "type": kind,
            "guild_id": guild_id,
            "name": name,
            "position": position,
            "permission_overwrites": list(overwrites or []),
            "nsfw": False,
            "parent_id": parent_id,
            "topic": topic,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "default_auto_archive_duration": 1440,
            "flags": 0,
        }
        if kind == ChannelKind.GUILD_FORUM:
            channel.update(
                available_tags=[],
                default_reaction_emoji=None,
                default_sort_order=None,
                default_forum_layout=0,
                default_thread_rate_limit_per_user=0,
            )
        self.channels[channel["id"]] = channel
        self.messages[channel["id"]] = {}
        return channel

    def channel_named(self, name: str, guild_id: str | None = None) -> Payload:
        """By name in a guild (the default one without an id)."""
        guild_id = guild_id or self.guild_id
        for channel in self.channels.values():
            if channel["name"] == name and channel["guild_id"] == guild_id:
                return channel
        raise KeyError(f"no channel named {name!r}")

    def add_thread(
        self,
        parent_id: str,
        name: str,
        *,
        owner_id: str,
        thread_id: str | None = None,
        kind: int = ChannelKind.PUBLIC_THREAD,
        auto_archive_duration: int = 1440,
        archived: bool = False,
        locked: bool = False,
        created_at: datetime | None = None,
        applied_tags: list[str] | None = None,
    ) -> Payload:
        created = created_at or self.now()
        thread: Payload = {
            "id": thread_id or self.ids.next(created),
            "type": kind,
            "guild_id": self.channels[parent_id]["guild_id"],
            "parent_id": parent_id,
            "owner_id": owner_id,
            "name": name,
            "last_message_id": None,
            "member_count": 0,
            "message_count": 0,
            "total_message_sent": 0,
            "rate_limit_per_user": 0,
            "flags": 0,
            "nsfw": False,
            "applied_tags": list(applied_tags or []),
            "thread_metadata": {
                "archived": archived,
                "auto_archive_duration": auto_archive_duration,
                "archive_timestamp": iso(created),
                "locked": locked,
                "create_timestamp": iso(created),
            },
        }
        if kind == ChannelKind.PRIVATE_THREAD:
            thread["thread_metadata"]["invitable"] = True
        self.channels[thread["id"]] = thread
        self.messages[thread["id"]] = {}
        self.thread_members[thread["id"]] = {}
        return thread

    def is_thread(self, channel_id: str) -> bool:
        channel = self.channels.get(channel_id)
        return channel is not None and channel["type"] in ChannelKind.THREADS

    def threads(
        self, *, archived: bool | None = None, guild_id: str | None = None
    ) -> list[Payload]:
        """Threads of every guild, or of one."""
        found = [
            c
            for c in self.channels.values()
            if c["type"] in ChannelKind.THREADS and guild_id in (None, c["guild_id"])
        ]
        if archived is not None:
            found = [t for t in found if t["thread_metadata"]["archived"] == archived]
        return found

    def add_thread_member(self, thread_id: str, user_id: str) -> Payload | None:
        """Add a member to a thread; returns the ThreadMember if they weren't in it."""
        members = self.thread_members.setdefault(thread_id, {})
        if user_id in members:
            return None
        member = {
            "id": thread_id,
            "user_id": user_id,
            "join_timestamp": self.timestamp(),
            "flags": 0,
        }
        members[user_id] = member
        self.channels[thread_id]["member_count"] = min(len(members), 50)
        return member

    def channel_payload(self, channel_id: str, *, for_user: str | None = None) -> Payload:
        channel = self.channels.get(channel_id) or self.dm_channels[channel_id]
        body = copy.deepcopy(channel)
        if for_user and channel["type"] in ChannelKind.THREADS:
            member = self.thread_members.get(channel_id, {}).get(for_user)
            if member:
                body["member"] = {k: v for k, v in member.items()}
        return body

    def guild_of(self, channel_id: str) -> str | None:
        channel = self.channels.get(channel_id)
        return str(channel["guild_id"]) if channel is not None else None

    # ---- DMs ----------------------------------------------------------------------------
    def dm_channel_with(self, user_id: str) -> Payload:
        for channel in self.dm_channels.values():
            if channel["recipients"][0]["id"] == user_id:
                return channel
        channel = {
            "id": self.ids.next(),
            "type": ChannelKind.DM,
            "last_message_id": None,
            "recipients": [copy.deepcopy(self.users[user_id])],
            "flags": 0,
        }
        self.dm_channels[channel["id"]] = channel
        self.messages[channel["id"]] = {}
        return channel

    # ---- messages -----------------------------------------------------------------------
    def new_message(
        self,
        channel_id: str,
        author_id: str,
        *,
        content: str = "",
        kind: int = MessageKind.DEFAULT,
        message_id: str | None = None,
        embeds: list[Payload] | None = None,
        components: list[Payload] | None = None,
        files: list[StoredFile] | None = None,
        flags: int = 0,
        reference: Payload | None = None,
        at: datetime | None = None,
        extra: Payload | None = None,
    ) -> StoredMessage:
        """Build (not store) a message in Discord's shape."""
        moment = at or self.now()
        guild_id = self.guild_of(channel_id)
        author = copy.deepcopy(self.users[author_id])
        data: Payload = {
            "id": message_id or self.ids.next(at),
            "channel_id": channel_id,
            "author": author,
            "content": content,
            "timestamp": iso(moment),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [f.attachment for f in files or []],
            "embeds": list(embeds or []),
            "components": list(components or []),
            "pinned": False,
            "type": kind,
            "flags": flags,
        }
        if guild_id:
            data["guild_id"] = guild_id
            if author_id in self.state(guild_id).members:
                data["member"] = self.member_payload(author_id, with_user=False, guild_id=guild_id)
        if reference:
            data["message_reference"] = reference
            replied = self.find_message(reference.get("message_id"))
            if kind in (MessageKind.DEFAULT, MessageKind.REPLY) and replied is not None:
                data["type"] = MessageKind.REPLY
                data["referenced_message"] = replied.payload(self.application_id)
            elif kind == MessageKind.REPLY:
                data["referenced_message"] = None
        if extra:
            data.update(extra)
        return StoredMessage(data=data, files=list(files or []))

    def store_message(self, message: StoredMessage) -> StoredMessage:
        channel_id = message.channel_id
        self.messages.setdefault(channel_id, {})[message.id] = message
        for stored in message.files:
            self.files[str(stored.attachment["id"])] = stored
        channel = self.channels.get(channel_id) or self.dm_channels.get(channel_id)
        if channel is not None:
            channel["last_message_id"] = message.id
            counted = message.data["type"] != MessageKind.THREAD_STARTER_MESSAGE
            if channel.get("type") in ChannelKind.THREADS and counted and message.id != channel_id:
                channel["message_count"] += 1
                channel["total_message_sent"] += 1
        return message

    def find_message(self, message_id: str | int | None) -> StoredMessage | None:
        if message_id is None:
            return None
        key = str(message_id)
        for messages in self.messages.values():
            message = messages.get(key)
            if message is not None and not message.deleted:
                return message
        return None

    def message_in(self, channel_id: str, message_id: str) -> StoredMessage | None:
        message = self.messages.get(channel_id, {}).get(str(message_id))
        return None if message is None or message.deleted else message

    def history(self, channel_id: str) -> list[StoredMessage]:
        """Live messages of a channel, oldest first."""
        live = [m for m in self.messages.get(channel_id, {}).values() if not m.deleted]
        return sorted(live, key=lambda m: int(m.id))

    def attachment_url(self, channel_id: str, attachment_id: str, filename: str) -> str:
        return f"{self.base_url}/attachments/{channel_id}/{attachment_id}/{filename}"

    # ---- commands -----------------------------------------------------------------------
    def commands_for(self, guild_id: str | None) -> list[Payload]:
        """Commands a member of the guild sees: guild commands first, then global ones."""
        found = list(self.guild_commands.get(guild_id or "", {}).values())
        names = {(c["name"], c.get("type", 1)) for c in found}
        found += [
            c for c in self.global_commands.values() if (c["name"], c.get("type", 1)) not in names
        ]
        return found
