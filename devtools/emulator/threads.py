"""Channels and threads: threads from messages, text-channel threads, forum posts, PATCH
(archive/unarchive, rename), delete, thread members, archived and active thread lists.
https://discord.com/developers/docs/resources/channel and .../topics/threads
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from devtools.emulator.http import Call, Router
from devtools.emulator.ids import ChannelKind, MessageFlag, MessageKind, Perm
from devtools.emulator.validation import DiscordError, check_thread_fields, missing_permissions

if TYPE_CHECKING:
    from devtools.emulator.server import Emulator

Payload = dict[str, Any]
THREAD_EDITABLE = (
    "name",
    "archived",
    "auto_archive_duration",
    "locked",
    "invitable",
    "rate_limit_per_user",
    "applied_tags",
    "flags",
)
CHANNEL_EDITABLE = (
    "name",
    "topic",
    "position",
    "nsfw",
    "rate_limit_per_user",
    "permission_overwrites",
    "parent_id",
    "default_auto_archive_duration",
    "available_tags",
)


class Threads:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.world = emulator.world

    def _announce(self, thread: Payload, creator_id: str) -> None:
        """THREAD_CREATE (newly_created) with the creator's thread membership."""
        self.world.add_thread_member(thread["id"], creator_id)
        body = self.world.channel_payload(thread["id"], for_user=self.world.application_id)
        body["newly_created"] = True
        self.emulator.dispatch("THREAD_CREATE", body)

    def from_message(
        self, channel_id: str, message_id: str, creator_id: str, body: Payload
    ) -> Payload:
        world = self.world
        channel = self.emulator.messages.channel(channel_id)
        message = self.emulator.messages.message(channel_id, message_id)
        if channel["type"] not in (ChannelKind.GUILD_TEXT, ChannelKind.GUILD_NEWS):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        self.emulator.messages.require(
            creator_id, channel_id, Perm.CREATE_PUBLIC_THREADS | Perm.READ_MESSAGE_HISTORY
        )
        check_thread_fields(body, creating=True)
        if message.id in world.channels:
            raise DiscordError(400, 160004, "A thread has already been created for this message")
        kind = (
            ChannelKind.NEWS_THREAD
            if channel["type"] == ChannelKind.GUILD_NEWS
            else ChannelKind.PUBLIC_THREAD
        )
        thread = world.add_thread(
            channel_id,
            body["name"],
            owner_id=creator_id,
            thread_id=message.id,
            kind=kind,
            auto_archive_duration=body.get("auto_archive_duration")
            or channel.get("default_auto_archive_duration", 1440),
        )
        thread["rate_limit_per_user"] = body.get("rate_limit_per_user") or 0
        message.data["flags"] |= MessageFlag.HAS_THREAD
        message.data["thread"] = dict(thread)
        self._announce(thread, creator_id)
        # The thread opens with a system message pointing at its starter message.
        starter = world.new_message(
            thread["id"],
            creator_id,
            kind=MessageKind.THREAD_STARTER_MESSAGE,
            reference={
                "type": 0,
                "channel_id": channel_id,
                "message_id": message.id,
                "guild_id": world.guild_of(channel_id),
            },
        )
        world.store_message(starter)
        self.emulator.dispatch("MESSAGE_CREATE", self.emulator.messages.payload(starter))
        return world.channel_payload(thread["id"], for_user=creator_id)

    def in_channel(self, channel_id: str, creator_id: str, call: Call) -> Payload:
        world = self.world
        body = call.body
        channel = self.emulator.messages.channel(channel_id)
        check_thread_fields(body, creating=True)
        duration = body.get("auto_archive_duration") or channel.get(
            "default_auto_archive_duration", 1440
        )
        if channel["type"] == ChannelKind.GUILD_FORUM:
            return self._forum_post(channel, creator_id, call, duration)
        if channel["type"] not in (ChannelKind.GUILD_TEXT, ChannelKind.GUILD_NEWS):
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        kind = int(body.get("type") or ChannelKind.PRIVATE_THREAD)
        needed = (
            Perm.CREATE_PRIVATE_THREADS
            if kind == ChannelKind.PRIVATE_THREAD
            else Perm.CREATE_PUBLIC_THREADS
        )
        self.emulator.messages.require(creator_id, channel_id, needed)
        thread = world.add_thread(
            channel_id, body["name"], owner_id=creator_id, kind=kind, auto_archive_duration=duration
        )
        if kind == ChannelKind.PRIVATE_THREAD and "invitable" in body:
            thread["thread_metadata"]["invitable"] = bool(body["invitable"])
        self._announce(thread, creator_id)
        if kind != ChannelKind.PRIVATE_THREAD:
            # "X started a thread" system message in the parent channel.
            notice = world.new_message(
                channel_id,
                creator_id,
                content=body["name"],
                kind=MessageKind.THREAD_CREATED,
                reference={
                    "type": 0,
                    "channel_id": thread["id"],
                    "guild_id": world.guild_of(channel_id),
                },
            )
            world.store_message(notice)
            self.emulator.dispatch("MESSAGE_CREATE", self.emulator.messages.payload(notice))
        return world.channel_payload(thread["id"], for_user=creator_id)

    def _forum_post(self, forum: Payload, creator_id: str, call: Call, duration: int) -> Payload:
        world = self.world
        message_body = call.body.get("message")
        if not isinstance(message_body, dict):
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "message": {
                        "_errors": [
                            {"code": "BASE_TYPE_REQUIRED", "message": "This field is required"}
                        ]
                    }
                },
            )
        self.emulator.messages.require(creator_id, forum["id"], Perm.SEND_MESSAGES)
        tags = [str(t) for t in call.body.get("applied_tags") or []]
        thread = world.add_thread(
            forum["id"],
            call.body["name"],
            owner_id=creator_id,
            auto_archive_duration=duration,
            applied_tags=tags,
        )
        self._announce(thread, creator_id)
        try:
            starter = self.emulator.messages.create(
                thread["id"], creator_id, message_body, call.uploads, message_id=thread["id"]
            )
        except DiscordError:
            world.channels.pop(thread["id"])
            raise
        body = world.channel_payload(thread["id"], for_user=creator_id)
        body["message"] = self.emulator.messages.payload(starter)
        return body

    def edit(self, channel_id: str, editor_id: str, body: Payload) -> Payload:
        world = self.world
        channel = self.emulator.messages.channel(channel_id)
        if channel["type"] not in ChannelKind.THREADS:
            self.emulator.messages.require(editor_id, channel_id, Perm.MANAGE_CHANNELS)
            for key in CHANNEL_EDITABLE:
                if key in body:
                    channel[key] = body[key]
            if "name" in body:
                check_thread_fields({"name": body["name"]}, creating=True)
            self.emulator.dispatch("CHANNEL_UPDATE", world.channel_payload(channel_id))
            return world.channel_payload(channel_id)
        check_thread_fields(body, creating=False)
        perms = world.permissions_in(editor_id, channel_id)
        is_owner = channel["owner_id"] == editor_id
        meta = channel["thread_metadata"]
        if "locked" in body and not perms & Perm.MANAGE_THREADS:
            raise missing_permissions()
        if meta.get("locked") and not perms & Perm.MANAGE_THREADS:
            raise missing_permissions()
        if not (is_owner or perms & Perm.MANAGE_THREADS) and set(body) - {"archived"}:
            raise missing_permissions()
        for key in ("archived", "auto_archive_duration", "locked", "invitable"):
            if key in body:
                meta[key] = body[key]
        if "archived" in body:
            meta["archive_timestamp"] = world.timestamp()
        for key in ("name", "rate_limit_per_user", "applied_tags", "flags"):
            if key in body:
                channel[key] = body[key]
        self.emulator.dispatch("THREAD_UPDATE", world.channel_payload(channel_id))
        return world.channel_payload(channel_id, for_user=editor_id)

    def delete(self, channel_id: str, deleter_id: str) -> Payload:
        world = self.world
        channel = self.emulator.messages.channel(channel_id)
        needed = (
            Perm.MANAGE_THREADS if channel["type"] in ChannelKind.THREADS else Perm.MANAGE_CHANNELS
        )
        self.emulator.messages.require(deleter_id, channel_id, needed)
        payload = world.channel_payload(channel_id)
        del world.channels[channel_id]
        if channel["type"] in ChannelKind.THREADS:
            self.emulator.dispatch(
                "THREAD_DELETE",
                {
                    "id": channel_id,
                    "guild_id": channel["guild_id"],
                    "parent_id": channel["parent_id"],
                    "type": channel["type"],
                },
            )
        else:
            self.emulator.dispatch("CHANNEL_DELETE", payload)
        return payload

    def archived(self, parent_id: str, query: dict[str, str], *, private: bool) -> Payload:
        world = self.world
        self.emulator.messages.channel(parent_id)
        self.emulator.messages.require(world.application_id, parent_id, Perm.READ_MESSAGE_HISTORY)
        kinds = (
            (ChannelKind.PRIVATE_THREAD,)
            if private
            else (ChannelKind.PUBLIC_THREAD, ChannelKind.NEWS_THREAD)
        )
        threads = [
            t
            for t in world.threads(archived=True)
            if t["parent_id"] == parent_id and t["type"] in kinds
        ]
        threads.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
        before = query.get("before")
        if before:
            cutoff = datetime.fromisoformat(before)
            threads = [
                t
                for t in threads
                if datetime.fromisoformat(t["thread_metadata"]["archive_timestamp"]) < cutoff
            ]
        limit = int(query.get("limit", 50))
        page = threads[:limit]
        return {
            "threads": [world.channel_payload(t["id"]) for t in page],
            "members": self._own_memberships(page),
            "has_more": len(threads) > limit,
        }

    def _own_memberships(self, threads: list[Payload]) -> list[Payload]:
        me = self.world.application_id
        found = []
        for thread in threads:
            member = self.world.thread_members.get(thread["id"], {}).get(me)
            if member:
                found.append(dict(member))
        return found

    def active(self, guild_id: str) -> Payload:
        if guild_id not in self.world.guild_states:
            raise DiscordError(404, 10004, "Unknown Guild")
        threads = self.world.threads(archived=False, guild_id=guild_id)
        return {
            "threads": [self.world.channel_payload(t["id"]) for t in threads],
            "members": self._own_memberships(threads),
        }


def register(router: Router, emulator: Emulator) -> None:
    ops = emulator.threads
    world = emulator.world
    bot = world.application_id

    async def from_message(call: Call) -> Any:
        return ops.from_message(call.param("channel_id"), call.param("message_id"), bot, call.body)

    async def in_channel(call: Call) -> Any:
        return ops.in_channel(call.param("channel_id"), bot, call)

    async def get_channel(call: Call) -> Any:
        channel_id = call.param("channel_id")
        emulator.messages.channel(channel_id)
        if channel_id in world.channels and not world.permissions_in(bot, channel_id):
            raise DiscordError(403, 50001, "Missing Access")
        return world.channel_payload(channel_id, for_user=bot)

    async def edit(call: Call) -> Any:
        return ops.edit(call.param("channel_id"), bot, call.body)

    async def delete(call: Call) -> Any:
        return ops.delete(call.param("channel_id"), bot)

    def thread(call: Call) -> Payload:
        channel_id = call.param("channel_id")
        if not world.is_thread(channel_id):
            emulator.messages.channel(channel_id)
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        return world.channels[channel_id]

    def add_member(thread_payload: Payload, user_id: str) -> None:
        if thread_payload["thread_metadata"]["archived"]:
            raise DiscordError(400, 50083, "Thread is archived")
        guild_id = thread_payload["guild_id"]
        if user_id not in world.state(guild_id).members:
            raise DiscordError(404, 10013, "Unknown User")
        added = world.add_thread_member(thread_payload["id"], user_id)
        if added is None:
            return
        if user_id == bot:
            emulator.dispatch("THREAD_MEMBER_UPDATE", {**added, "guild_id": guild_id})
        emulator.dispatch(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": thread_payload["id"],
                "guild_id": guild_id,
                "member_count": thread_payload["member_count"],
                "added_members": [
                    {**added, "member": world.member_payload(user_id, guild_id=guild_id)}
                ],
            },
        )

    def remove_member(thread_payload: Payload, user_id: str) -> None:
        members = world.thread_members.get(thread_payload["id"], {})
        if members.pop(user_id, None) is None:
            return
        thread_payload["member_count"] = len(members)
        emulator.dispatch(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": thread_payload["id"],
                "guild_id": thread_payload["guild_id"],
                "member_count": thread_payload["member_count"],
                "removed_member_ids": [user_id],
            },
        )

    async def join(call: Call) -> Any:
        add_member(thread(call), bot)

    async def leave(call: Call) -> Any:
        remove_member(thread(call), bot)

    async def add_user(call: Call) -> Any:
        add_member(thread(call), call.param("user_id"))

    async def remove_user(call: Call) -> Any:
        remove_member(thread(call), call.param("user_id"))

    async def list_members(call: Call) -> Any:
        return list(world.thread_members.get(thread(call)["id"], {}).values())

    async def get_member(call: Call) -> Any:
        found = world.thread_members.get(thread(call)["id"], {}).get(call.param("user_id"))
        if found is None:
            raise DiscordError(404, 10007, "Unknown Member")
        return found

    async def archived_public(call: Call) -> Any:
        return ops.archived(call.param("channel_id"), call.query, private=False)

    async def archived_private(call: Call) -> Any:
        return ops.archived(call.param("channel_id"), call.query, private=True)

    async def active(call: Call) -> Any:
        return ops.active(call.param("guild_id"))

    channel = "/channels/{channel_id}"
    router.add("POST", channel + "/messages/{message_id}/threads", from_message)
    router.add("POST", channel + "/threads", in_channel)
    router.add("GET", channel, get_channel)
    router.add("PATCH", channel, edit)
    router.add("DELETE", channel, delete)
    router.add("PUT", channel + "/thread-members/@me", join)
    router.add("DELETE", channel + "/thread-members/@me", leave)
    router.add("PUT", channel + "/thread-members/{user_id}", add_user)
    router.add("DELETE", channel + "/thread-members/{user_id}", remove_user)
    router.add("GET", channel + "/thread-members", list_members)
    router.add("GET", channel + "/thread-members/{user_id}", get_member)
    router.add("GET", channel + "/threads/archived/public", archived_public)
    router.add("GET", channel + "/threads/archived/private", archived_private)
    router.add("GET", "/guilds/{guild_id}/threads/active", active)
