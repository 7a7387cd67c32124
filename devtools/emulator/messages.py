"""Messages: create/edit/delete (by the bot over REST, by members through actors), replies,
attachments, nonces, reactions, history paging, pins, DMs — each echoed as gateway events.
"""

from __future__ import annotations

import mimetypes
import struct
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from devtools.emulator import mentions
from devtools.emulator.http import Call, Router, Upload
from devtools.emulator.ids import ChannelKind, MessageFlag, MessageKind, Perm, snowflake_time
from devtools.emulator.recorder import Ping
from devtools.emulator.state import Reaction, StoredFile, StoredMessage
from devtools.emulator.validation import (
    DiscordError,
    FormErrors,
    check_edit_result,
    check_message,
    missing_access,
    missing_permissions,
    not_found,
)

if TYPE_CHECKING:
    from devtools.emulator.server import Emulator

Payload = dict[str, Any]
NONCE_WINDOW = timedelta(minutes=5)  # how long Discord honours `enforce_nonce` (a few minutes)


def png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    return None


class Messages:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.world = emulator.world
        # A send repeating an earlier nonce within this window returns the earlier message
        # (`enforce_nonce`); None = forever, 0 = never (the crash test: the bot must adopt).
        self.nonce_window: timedelta | None = NONCE_WINDOW

    # ---- helpers ------------------------------------------------------------------------
    def channel(self, channel_id: str) -> Payload:
        channel = self.world.channels.get(channel_id) or self.world.dm_channels.get(channel_id)
        if channel is None:
            raise not_found("Channel", 10003)
        return channel

    def require(self, user_id: str, channel_id: str, needed: int) -> None:
        """403 unless the user has every permission in `needed` (DMs: always allowed)."""
        if channel_id in self.world.dm_channels:
            return
        have = self.world.permissions_in(user_id, channel_id)
        if not have & Perm.VIEW_CHANNEL:
            raise missing_access()
        if have & needed != needed:
            raise missing_permissions()

    def message(self, channel_id: str, message_id: str) -> StoredMessage:
        self.channel(channel_id)
        found = self.world.message_in(channel_id, message_id)
        if found is None:
            raise not_found("Message", 10008)
        return found

    def payload(self, message: StoredMessage) -> Payload:
        return message.payload(self.world.application_id)

    def store_files(
        self, channel_id: str, payload: Payload, uploads: list[Upload]
    ) -> list[StoredFile]:
        described = {str(a.get("id")): a for a in payload.get("attachments") or []}
        files = []
        for index, upload in enumerate(uploads):
            meta = described.get(str(index), {})
            attachment_id = self.world.ids.next()
            filename = meta.get("filename") or upload.filename
            content_type = upload.content_type
            if content_type in ("", "application/octet-stream"):
                content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            url = self.world.attachment_url(channel_id, attachment_id, filename)
            attachment: Payload = {
                "id": attachment_id,
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": content_type,
            }
            if meta.get("description"):
                attachment["description"] = meta["description"]
            size = png_size(upload.data)
            if size:
                attachment["width"], attachment["height"] = size
            files.append(StoredFile(attachment, upload.data))
        return files

    def _effective_mentions(
        self, message: Payload, author_id: str, allowed: Payload | None
    ) -> mentions.Mentions:
        world = self.world
        channel_id = message["channel_id"]
        perms = world.permissions_in(author_id, channel_id) if channel_id in world.channels else 0
        replied = message.get("referenced_message") or None
        replied_author = replied["author"]["id"] if replied else None
        if replied_author == author_id:
            replied_author = None
        roles = world.state(world.guild_of(channel_id)).roles
        return mentions.resolve(
            message.get("content") or "",
            allowed,
            known_users=set(world.users),
            mentionable_roles={r["id"] for r in roles.values() if r["mentionable"]},
            all_roles=set(roles),
            may_mention_everyone=bool(perms & Perm.MENTION_EVERYONE),
            replied_author=replied_author,
        )

    def apply_mentions(
        self, message: StoredMessage, author_id: str, allowed: Payload | None
    ) -> None:
        found = self._effective_mentions(message.data, author_id, allowed)
        users = list(found.users)
        if found.replied_user and found.replied_user not in users:
            users.append(found.replied_user)
        data = message.data
        data["mentions"] = []
        for user_id in users:
            user = dict(self.world.users[user_id])
            guild_id = data.get("guild_id")
            if guild_id and user_id in self.world.state(guild_id).members:
                user["member"] = self.world.member_payload(
                    user_id, with_user=False, guild_id=guild_id
                )
            data["mentions"].append(user)
        data["mention_roles"] = list(found.roles)
        data["mention_everyone"] = found.everyone
        if author_id == self.world.application_id:
            self.emulator.recorder.pings.append(
                Ping(
                    message.id,
                    message.channel_id,
                    users=list(found.users),
                    roles=list(found.roles),
                    everyone=found.everyone,
                    replied_user=found.replied_user,
                )
            )

    def reference(self, channel_id: str, payload: Payload) -> Payload | None:
        reference = payload.get("message_reference")
        if not reference:
            return None
        message_id = str(reference.get("message_id") or "")
        target_channel = str(reference.get("channel_id") or channel_id)
        if self.world.message_in(target_channel, message_id) is None:
            if reference.get("fail_if_not_exists", True):
                errors = FormErrors()
                errors.add(
                    ("message_reference",),
                    "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                    "Unknown message",
                )
                errors.raise_if_any()
            return None
        return {
            "type": reference.get("type", 0),
            "channel_id": target_channel,
            "message_id": message_id,
            "guild_id": self.world.guild_of(target_channel) or None,
        }

    def unarchive_for_post(self, channel_id: str, author_id: str) -> None:
        """Posting in an archived thread unarchives it, unless it is locked."""
        thread = self.world.channels.get(channel_id)
        if thread is None or thread["type"] not in ChannelKind.THREADS:
            return
        meta = thread["thread_metadata"]
        if not meta["archived"]:
            return
        if (
            meta.get("locked")
            and not self.world.permissions_in(author_id, channel_id) & Perm.MANAGE_THREADS
        ):
            raise DiscordError(400, 50083, "Thread is archived")
        meta["archived"] = False
        meta["archive_timestamp"] = self.world.timestamp()
        self.emulator.dispatch("THREAD_UPDATE", self.world.channel_payload(channel_id))

    def join_thread_on_post(self, channel_id: str, user_id: str) -> None:
        if not self.world.is_thread(channel_id):
            return
        added = self.world.add_thread_member(channel_id, user_id)
        if added is None:
            return
        thread = self.world.channels[channel_id]
        member = dict(added)
        guild_id = thread["guild_id"]
        if user_id in self.world.state(guild_id).members:
            member["member"] = self.world.member_payload(user_id, guild_id=guild_id)
        self.emulator.dispatch(
            "THREAD_MEMBERS_UPDATE",
            {
                "id": channel_id,
                "guild_id": guild_id,
                "member_count": thread["member_count"],
                "added_members": [member],
            },
        )

    # ---- create / edit / delete ---------------------------------------------------------
    def create(
        self,
        channel_id: str,
        author_id: str,
        payload: Payload,
        uploads: list[Upload] | None = None,
        *,
        kind: int | None = None,
        message_id: str | None = None,
        extra: Payload | None = None,
        check_permissions: bool = True,
        dispatch: bool = True,
        store: bool = True,
    ) -> StoredMessage:
        """Create a message as `author_id`: validate, store, echo MESSAGE_CREATE.

        `store=False` builds it without storing (ephemeral interaction responses)."""
        world = self.world
        uploads = uploads or []
        channel = self.channel(channel_id)
        if channel["type"] in (ChannelKind.GUILD_FORUM, ChannelKind.GUILD_CATEGORY):
            raise DiscordError(400, 50008, "Cannot send messages in a non-text channel")
        check_message(payload, file_count=len(uploads))
        mentions.check_allowed_mentions(payload.get("allowed_mentions"))
        embeds = payload.get("embeds") or []
        if check_permissions:
            if channel["type"] == ChannelKind.DM:
                recipient = channel["recipients"][0]["id"]
                if recipient in world.closed_dms and author_id == world.application_id:
                    raise DiscordError(403, 50007, "Cannot send messages to this user")
            else:
                send = (
                    Perm.SEND_MESSAGES_IN_THREADS
                    if world.is_thread(channel_id)
                    else Perm.SEND_MESSAGES
                )
                self.require(author_id, channel_id, send | (Perm.ATTACH_FILES if uploads else 0))
                if not world.permissions_in(author_id, channel_id) & Perm.EMBED_LINKS:
                    embeds = []  # Discord silently drops embeds without Embed Links
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            earlier = self._by_nonce(channel_id, author_id, nonce)
            if earlier is not None:
                return earlier
        reference = self.reference(channel_id, payload)
        if store:
            self.unarchive_for_post(channel_id, author_id)
        flags = int(payload.get("flags") or 0) & (
            MessageFlag.SUPPRESS_NOTIFICATIONS | MessageFlag.IS_COMPONENTS_V2 | 4
        )
        message = world.new_message(
            channel_id,
            author_id,
            content=str(payload.get("content") or ""),
            kind=kind if kind is not None else MessageKind.DEFAULT,
            message_id=message_id,
            embeds=[self._normalise_embed(e) for e in embeds],
            components=list(payload.get("components") or []),
            files=self.store_files(channel_id, payload, uploads),
            flags=flags,
            reference=reference,
            extra=extra,
        )
        if nonce is not None:
            message.data["nonce"] = nonce
        if payload.get("tts"):
            message.data["tts"] = True
        if not store:
            return message
        self.apply_mentions(message, author_id, payload.get("allowed_mentions"))
        world.store_message(message)
        self.join_thread_on_post(channel_id, author_id)
        if dispatch:
            self.emulator.dispatch("MESSAGE_CREATE", self.payload(message))
        return message

    def _normalise_embed(self, embed: Payload) -> Payload:
        body = dict(embed)
        body.setdefault("type", "rich")
        body.setdefault("content_scan_version", 0)
        return body

    def _by_nonce(self, channel_id: str, author_id: str, nonce: Any) -> StoredMessage | None:
        if self.nonce_window is not None and self.nonce_window <= timedelta(0):
            return None
        for message in reversed(self.world.history(channel_id)):
            if self.nonce_window is not None and (
                snowflake_time(message.id) < self.world.now() - self.nonce_window
            ):
                break
            if message.data.get("nonce") == nonce and message.data["author"]["id"] == author_id:
                return message
        return None

    def edit(
        self,
        message: StoredMessage,
        editor_id: str,
        payload: Payload,
        uploads: list[Upload] | None = None,
        *,
        dispatch: bool = True,
    ) -> StoredMessage:
        uploads = uploads or []
        if message.data["author"]["id"] != editor_id:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        check_message(payload, file_count=len(uploads), editing=True)
        mentions.check_allowed_mentions(payload.get("allowed_mentions"))
        data = message.data
        for key in ("content", "components"):
            if key in payload and payload[key] is not None:
                data[key] = payload[key]
            elif key in payload:
                data[key] = "" if key == "content" else []
        if "embeds" in payload:
            data["embeds"] = [self._normalise_embed(e) for e in payload["embeds"] or []]
        if "flags" in payload and payload["flags"] is not None:
            keep = data["flags"] & ~(1 << 2)
            data["flags"] = keep | (int(payload["flags"]) & (1 << 2))
        if "attachments" in payload or uploads:
            keep_ids = {str(a.get("id")) for a in payload.get("attachments") or []}
            message.files = [f for f in message.files if str(f.attachment["id"]) in keep_ids]
            new_files = self.store_files(message.channel_id, payload, uploads)
            for stored in new_files:
                self.world.files[str(stored.attachment["id"])] = stored
            message.files += new_files
            data["attachments"] = [f.attachment for f in message.files]
        check_edit_result(data)
        data["edited_timestamp"] = self.world.timestamp()
        if "content" in payload:
            self.apply_mentions(message, editor_id, payload.get("allowed_mentions"))
        if dispatch:
            self.emulator.dispatch("MESSAGE_UPDATE", self.payload(message))
        return message

    def delete(self, message: StoredMessage, deleter_id: str, *, dispatch: bool = True) -> None:
        author = message.data["author"]["id"]
        if author != deleter_id and message.channel_id in self.world.channels:
            self.require(deleter_id, message.channel_id, Perm.MANAGE_MESSAGES)
        message.deleted = True
        if dispatch:
            body = {"id": message.id, "channel_id": message.channel_id}
            if message.channel_id in self.world.channels:
                body["guild_id"] = self.world.guild_of(message.channel_id)
            self.emulator.dispatch("MESSAGE_DELETE", body)

    # ---- reactions ----------------------------------------------------------------------
    @staticmethod
    def parse_emoji(text: str) -> tuple[str, Payload]:
        """`👍` or `name:id` (custom) → (key, emoji payload)."""
        if ":" in text:
            name, _, emoji_id = text.rpartition(":")
            name = name.lstrip("a:") if name.startswith("a:") else name
            return emoji_id, {"id": emoji_id, "name": name, "animated": False}
        return text, {"id": None, "name": text}

    def react(self, message: StoredMessage, user_id: str, emoji_text: str) -> bool:
        key, emoji = self.parse_emoji(emoji_text)
        reaction = message.reactions.setdefault(key, Reaction(emoji))
        if user_id in reaction.users:
            return False
        if len(message.reactions) > 20 and not reaction.users:
            raise DiscordError(400, 30010, "Maximum number of reactions reached (20)")
        reaction.users.append(user_id)
        body: Payload = {
            "user_id": user_id,
            "channel_id": message.channel_id,
            "message_id": message.id,
            "emoji": dict(emoji),
            "message_author_id": message.data["author"]["id"],
            "burst": False,
            "burst_colors": [],
            "type": 0,
        }
        guild_id = self.world.guild_of(message.channel_id)
        if guild_id is not None:
            body["guild_id"] = guild_id
            if user_id in self.world.state(guild_id).members:
                body["member"] = self.world.member_payload(user_id, guild_id=guild_id)
        self.emulator.dispatch("MESSAGE_REACTION_ADD", body)
        return True

    def unreact(self, message: StoredMessage, user_id: str, emoji_text: str) -> bool:
        key, emoji = self.parse_emoji(emoji_text)
        reaction = message.reactions.get(key)
        if reaction is None or user_id not in reaction.users:
            return False
        reaction.users.remove(user_id)
        if not reaction.users:
            del message.reactions[key]
        body: Payload = {
            "user_id": user_id,
            "channel_id": message.channel_id,
            "message_id": message.id,
            "emoji": dict(emoji),
            "burst": False,
            "type": 0,
        }
        if message.channel_id in self.world.channels:
            body["guild_id"] = self.world.guild_of(message.channel_id)
        self.emulator.dispatch("MESSAGE_REACTION_REMOVE", body)
        return True

    # ---- history ------------------------------------------------------------------------
    def page(self, channel_id: str, query: dict[str, str]) -> list[Payload]:
        """GET messages: newest first; `after` takes the oldest N after the id."""
        errors = FormErrors()
        try:
            limit = int(query.get("limit", 50))
        except ValueError:
            limit = -1
        if not 1 <= limit <= 100:
            errors.add(
                ("limit",), "NUMBER_TYPE_MAX", "int value should be less than or equal to 100."
            )
        errors.raise_if_any()
        messages = self.world.history(channel_id)  # oldest first
        if "around" in query:
            pivot = int(query["around"])
            older = [m for m in messages if int(m.id) < pivot]
            newer = [m for m in messages if int(m.id) >= pivot]
            half = limit // 2
            chosen = older[-half:] if half else []
            chosen += newer[: limit - len(chosen)]
        elif "after" in query:
            chosen = [m for m in messages if int(m.id) > int(query["after"])][:limit]
        else:
            if "before" in query:
                messages = [m for m in messages if int(m.id) < int(query["before"])]
            chosen = messages[-limit:]
        return [self.payload(m) for m in reversed(chosen)]


def register(router: Router, emulator: Emulator) -> None:
    ops = emulator.messages
    world = emulator.world
    bot = world.application_id

    async def create(call: Call) -> Any:
        channel_id = call.param("channel_id")
        return ops.payload(ops.create(channel_id, bot, call.body, call.uploads))

    async def history(call: Call) -> Any:
        channel_id = call.param("channel_id")
        ops.channel(channel_id)
        ops.require(bot, channel_id, Perm.READ_MESSAGE_HISTORY)
        return ops.page(channel_id, call.query)

    async def get_message(call: Call) -> Any:
        channel_id = call.param("channel_id")
        ops.require(bot, channel_id, Perm.READ_MESSAGE_HISTORY)
        return ops.payload(ops.message(channel_id, call.param("message_id")))

    async def edit(call: Call) -> Any:
        message = ops.message(call.param("channel_id"), call.param("message_id"))
        return ops.payload(ops.edit(message, bot, call.body, call.uploads))

    async def delete(call: Call) -> Any:
        ops.delete(ops.message(call.param("channel_id"), call.param("message_id")), bot)

    async def bulk_delete(call: Call) -> Any:
        channel_id = call.param("channel_id")
        ids = [str(i) for i in call.body.get("messages") or []]
        errors = FormErrors()
        if not 2 <= len(ids) <= 100:
            errors.add(
                ("messages",), "BASE_TYPE_BAD_LENGTH", "Must be between 2 and 100 in length."
            )
        errors.raise_if_any()
        ops.require(bot, channel_id, Perm.MANAGE_MESSAGES)
        cutoff = world.now() - timedelta(days=14)
        if any(snowflake_time(i) < cutoff for i in ids):
            raise DiscordError(
                400, 50034, "You can only bulk delete messages that are under 14 days old."
            )
        for message_id in ids:
            ops.message(channel_id, message_id).deleted = True
        emulator.dispatch(
            "MESSAGE_DELETE_BULK",
            {"ids": ids, "channel_id": channel_id, "guild_id": world.guild_of(channel_id)},
        )

    async def add_reaction(call: Call) -> Any:
        message = ops.message(call.param("channel_id"), call.param("message_id"))
        ops.require(bot, message.channel_id, Perm.READ_MESSAGE_HISTORY)
        key = ops.parse_emoji(call.param("emoji"))[0]
        if key not in message.reactions:
            ops.require(bot, message.channel_id, Perm.ADD_REACTIONS)
        ops.react(message, bot, call.param("emoji"))

    async def remove_own_reaction(call: Call) -> Any:
        message = ops.message(call.param("channel_id"), call.param("message_id"))
        ops.unreact(message, bot, call.param("emoji"))

    async def remove_user_reaction(call: Call) -> Any:
        message = ops.message(call.param("channel_id"), call.param("message_id"))
        ops.require(bot, message.channel_id, Perm.MANAGE_MESSAGES)
        ops.unreact(message, call.param("user_id"), call.param("emoji"))

    async def reaction_users(call: Call) -> Any:
        message = ops.message(call.param("channel_id"), call.param("message_id"))
        key = ops.parse_emoji(call.param("emoji"))[0]
        reaction = message.reactions.get(key)
        users = reaction.users if reaction else []
        after = int(call.query.get("after", 0))
        limit = int(call.query.get("limit", 25))
        chosen = sorted((u for u in users if int(u) > after), key=int)[:limit]
        return [world.users[u] for u in chosen]

    async def clear_reactions(call: Call) -> Any:
        message = ops.message(call.param("channel_id"), call.param("message_id"))
        ops.require(bot, message.channel_id, Perm.MANAGE_MESSAGES)
        message.reactions.clear()
        emulator.dispatch(
            "MESSAGE_REACTION_REMOVE_ALL",
            {
                "channel_id": message.channel_id,
                "message_id": message.id,
                "guild_id": world.guild_of(message.channel_id),
            },
        )

    async def pin(call: Call) -> Any:
        channel_id = call.param("channel_id")
        message = ops.message(channel_id, call.param("message_id"))
        ops.require(bot, channel_id, Perm.MANAGE_MESSAGES)
        pinned = [m for m in world.history(channel_id) if m.data["pinned"]]
        if len(pinned) >= 50 and not message.data["pinned"]:
            raise DiscordError(400, 30003, "Maximum number of pins reached (50)")
        if message.data["pinned"]:
            return None
        message.data["pinned"] = True
        message.pinned_at = world.timestamp()
        emulator.dispatch("MESSAGE_UPDATE", ops.payload(message))
        emulator.dispatch(
            "CHANNEL_PINS_UPDATE",
            {
                "guild_id": world.guild_of(channel_id),
                "channel_id": channel_id,
                "last_pin_timestamp": world.timestamp(),
            },
        )
        _system_pin_message(emulator, channel_id, message.id)
        return None

    async def unpin(call: Call) -> Any:
        channel_id = call.param("channel_id")
        message = ops.message(channel_id, call.param("message_id"))
        ops.require(bot, channel_id, Perm.MANAGE_MESSAGES)
        if message.data["pinned"]:
            message.data["pinned"] = False
            message.pinned_at = None
            emulator.dispatch("MESSAGE_UPDATE", ops.payload(message))
            emulator.dispatch(
                "CHANNEL_PINS_UPDATE",
                {"guild_id": world.guild_of(channel_id), "channel_id": channel_id},
            )

    def pinned(channel_id: str) -> list[StoredMessage]:
        found = [m for m in world.history(channel_id) if m.data["pinned"]]
        return sorted(found, key=lambda m: m.pinned_at or "", reverse=True)

    async def pins_new(call: Call) -> Any:
        channel_id = call.param("channel_id")
        ops.channel(channel_id)
        items = [{"pinned_at": m.pinned_at, "message": ops.payload(m)} for m in pinned(channel_id)]
        limit = int(call.query.get("limit", 50))
        return {"items": items[:limit], "has_more": len(items) > limit}

    async def pins_old(call: Call) -> Any:
        channel_id = call.param("channel_id")
        ops.channel(channel_id)
        return [ops.payload(m) for m in pinned(channel_id)]

    async def typing(call: Call) -> Any:
        ops.channel(call.param("channel_id"))
        return None

    async def open_dm(call: Call) -> Any:
        recipient = str(call.body.get("recipient_id", ""))
        if recipient not in world.users:
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "recipient_id": {
                        "_errors": [{"code": "USER_NOT_FOUND", "message": "Unknown user"}]
                    }
                },
            )
        return world.dm_channel_with(recipient)

    channel = "/channels/{channel_id}"
    one = channel + "/messages/{message_id}"
    router.add("POST", channel + "/messages", create)
    router.add("GET", channel + "/messages", history)
    router.add("POST", channel + "/messages/bulk-delete", bulk_delete)
    router.add("GET", channel + "/messages/pins", pins_new)
    router.add("PUT", channel + "/messages/pins/{message_id}", pin)
    router.add("DELETE", channel + "/messages/pins/{message_id}", unpin)
    router.add("GET", channel + "/pins", pins_old)
    router.add("PUT", channel + "/pins/{message_id}", pin)
    router.add("DELETE", channel + "/pins/{message_id}", unpin)
    router.add("GET", one, get_message)
    router.add("PATCH", one, edit)
    router.add("DELETE", one, delete)
    router.add("PUT", one + "/reactions/{emoji}/@me", add_reaction)
    router.add("DELETE", one + "/reactions/{emoji}/@me", remove_own_reaction)
    router.add("DELETE", one + "/reactions/{emoji}/{user_id}", remove_user_reaction)
    router.add("GET", one + "/reactions/{emoji}", reaction_users)
    router.add("DELETE", one + "/reactions", clear_reactions)
    router.add("POST", channel + "/typing", typing)
    router.add("POST", "/users/@me/channels", open_dm)


def _system_pin_message(emulator: Emulator, channel_id: str, message_id: str) -> None:
    """Discord posts a "pinned a message" system message (type 6) in the channel."""
    world = emulator.world
    message = world.new_message(
        channel_id,
        world.application_id,
        kind=MessageKind.CHANNEL_PINNED_MESSAGE,
        extra={
            "message_reference": {
                "type": 0,
                "channel_id": channel_id,
                "message_id": message_id,
                "guild_id": world.guild_of(channel_id),
            }
        },
    )
    world.store_message(message)
    emulator.dispatch("MESSAGE_CREATE", emulator.messages.payload(message))
