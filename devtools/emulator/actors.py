"""Members and admins acting in the emulated guild.

amina = emulator.member("amina")
msg = await amina.says("challenges", "Salam!")
answer = await amina.runs("keyword", term="deep learning")   # an Answer (answers.py)
choices = await amina.autocomplete("keyword", "term", "deep le")
"""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from devtools.emulator.answers import Answer
from devtools.emulator.http import Upload
from devtools.emulator.ids import Perm
from devtools.emulator.interactions import AUTOCOMPLETE, COMMAND
from devtools.emulator.state import Payload, StoredMessage
from devtools.emulator.support import EmulatorUsageError

if TYPE_CHECKING:
    from devtools.emulator.server import Emulator

FileSpec = tuple[str, bytes] | tuple[str, bytes, str]


def _uploads(files: Iterable[FileSpec] | None) -> list[Upload]:
    uploads = []
    for index, spec in enumerate(files or []):
        name, data = spec[0], spec[1]
        content_type = (
            spec[2]
            if len(spec) > 2
            else mimetypes.guess_type(name)[0] or "application/octet-stream"
        )  # type: ignore[misc]
        uploads.append(Upload(f"files[{index}]", name, data, content_type))
    return uploads


def _message_id(message: Any) -> str:
    if isinstance(message, dict):
        return str(message["id"])
    if isinstance(message, StoredMessage):
        return message.id
    return str(getattr(message, "id", message))


class Actor:
    """A guild member the test controls."""

    def __init__(self, emulator: Emulator, user_id: str) -> None:
        self.emulator = emulator
        self.id = user_id

    def __repr__(self) -> str:
        return f"<Actor {self.name} {self.id}>"

    @property
    def user(self) -> Payload:
        return self.emulator.world.users[self.id]

    @property
    def name(self) -> str:
        return str(self.user["username"])

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    @property
    def locale(self) -> str:
        """The language of this member's Discord client (sent with every interaction)."""
        return self.emulator.world.locales.get(self.id, "en-US")

    @locale.setter
    def locale(self, value: str) -> None:
        self.emulator.world.locales[self.id] = value

    @property
    def member(self) -> Payload:
        return self.emulator.world.members[self.id]

    def permissions_in(self, channel: Any) -> int:
        return self.emulator.world.permissions_in(self.id, self.emulator.resolve_channel(channel))

    async def _settle(self, drain: bool) -> None:
        if drain:
            await self.emulator.drain()

    # ---- messages -----------------------------------------------------------------------
    async def says(
        self,
        channel: Any,
        text: str = "",
        *,
        reply_to: Any = None,
        attachments: Iterable[FileSpec] | None = None,
        embeds: list[Payload] | None = None,
        drain: bool = True,
    ) -> Payload:
        """Post a message (a reply if `reply_to` is given). Returns the message payload."""
        channel_id = self.emulator.resolve_channel(channel)
        body: Payload = {"content": text}
        if embeds:
            body["embeds"] = embeds
        if reply_to is not None:
            reply_id = _message_id(reply_to)
            source = self.emulator.world.find_message(reply_id)
            reference_channel = source.channel_id if source else channel_id
            body["message_reference"] = {"message_id": reply_id, "channel_id": reference_channel}
        message = self.emulator.messages.create(channel_id, self.id, body, _uploads(attachments))
        await self._settle(drain)
        return self.emulator.messages.payload(message)

    async def edits(self, message: Any, text: str, *, drain: bool = True) -> Payload:
        stored = self._stored(message)
        self.emulator.messages.edit(stored, self.id, {"content": text})
        await self._settle(drain)
        return self.emulator.messages.payload(stored)

    async def deletes(self, message: Any, *, drain: bool = True) -> None:
        self.emulator.messages.delete(self._stored(message), self.id)
        await self._settle(drain)

    async def reacts(self, message: Any, emoji: str, *, drain: bool = True) -> None:
        self.emulator.messages.react(self._stored(message), self.id, emoji)
        await self._settle(drain)

    async def unreacts(self, message: Any, emoji: str, *, drain: bool = True) -> None:
        self.emulator.messages.unreact(self._stored(message), self.id, emoji)
        await self._settle(drain)

    async def dms(self, text: str, *, drain: bool = True) -> Payload:
        """Write to the bot in a DM."""
        channel = self.emulator.world.dm_channel_with(self.id)
        message = self.emulator.messages.create(channel["id"], self.id, {"content": text})
        await self._settle(drain)
        return self.emulator.messages.payload(message)

    def dm_messages(self) -> list[Payload]:
        """What the bot wrote to this member in DMs, oldest first."""
        channel = self.emulator.world.dm_channel_with(self.id)
        return [
            m
            for m in self.emulator.history(channel["id"])
            if m["author"]["id"] == self.emulator.bot_id
        ]

    def blocks_dms(self, blocked: bool = True) -> None:
        """The member doesn't accept DMs: the bot's DM attempts get 403 (code 50007)."""
        if blocked:
            self.emulator.world.closed_dms.add(self.id)
        else:
            self.emulator.world.closed_dms.discard(self.id)

    async def leaves(self, *, drain: bool = True) -> None:
        world = self.emulator.world
        member = world.members.pop(self.id)
        self.emulator.dispatch(
            "GUILD_MEMBER_REMOVE", {"guild_id": world.guild_id, "user": member["user"]}
        )
        await self._settle(drain)

    def _stored(self, message: Any) -> StoredMessage:
        stored = self.emulator.world.find_message(_message_id(message))
        if stored is None:
            raise EmulatorUsageError(f"no such message: {message!r}")
        return stored

    # ---- slash commands -----------------------------------------------------------------
    def _command(
        self, line: str, channel_id: str, command_type: int = 1
    ) -> tuple[Payload, list[str]]:
        words = line.strip().lstrip("/").split()
        if not words:
            raise EmulatorUsageError("empty command")
        commands = self.emulator.world.commands_for(self.emulator.world.guild_of(channel_id))
        for command in commands:
            if command["name"] == words[0] and command.get("type", 1) == command_type:
                return command, words[1:]
        known = sorted(c["name"] for c in commands)
        raise EmulatorUsageError(f"/{words[0]} is not a synced command (synced: {known})")

    def _visible(self, command: Payload, channel_id: str) -> None:
        """Discord hides a command from members lacking its default_member_permissions
        ("0": from everyone but administrators)."""
        needed = command.get("default_member_permissions")
        if needed is not None:
            have = self.emulator.world.permissions_in(self.id, channel_id)
            admin = have == Perm.ALL
            if not admin and (int(needed) == 0 or int(needed) & have != int(needed)):
                raise EmulatorUsageError(
                    f"/{command['name']} is hidden from {self.name} by default_member_permissions"
                )

    def _resolve_path(
        self, command: Payload, path: list[str]
    ) -> tuple[list[Payload], list[Payload]]:
        """Walk sub-command groups: returns (chain of sub-commands, leaf options schema)."""
        chain: list[Payload] = []
        schema = command.get("options") or []
        for word in path:
            found = next((o for o in schema if o["name"] == word and o["type"] in (1, 2)), None)
            if found is None:
                raise EmulatorUsageError(f"/{command['name']} has no sub-command {word!r}")
            chain.append(found)
            schema = found.get("options") or []
        if any(o["type"] in (1, 2) for o in schema):
            names = [o["name"] for o in schema]
            raise EmulatorUsageError(
                f"/{command['name']} {' '.join(path)} needs a sub-command: {names}"
            )
        return chain, schema

    def _option_value(self, option: Payload, value: Any, resolved: Payload, channel_id: str) -> Any:
        world = self.emulator.world
        kind = option["type"]
        if kind == 3:
            value = str(value)
            low, high = option.get("min_length", 0), option.get("max_length", 6000)
            if not low <= len(value) <= high:
                raise EmulatorUsageError(
                    f"{option['name']}: Discord requires {low}–{high} characters"
                )
        elif kind in (4, 10):
            value = int(value) if kind == 4 else float(value)
            if "min_value" in option and value < option["min_value"]:
                raise EmulatorUsageError(f"{option['name']}: below min_value {option['min_value']}")
            if "max_value" in option and value > option["max_value"]:
                raise EmulatorUsageError(f"{option['name']}: above max_value {option['max_value']}")
        elif kind == 5:
            value = bool(value)
        elif kind in (6, 9) and not (kind == 9 and self._is_role(value)):
            user_id = self._user_id(value)
            resolved.setdefault("users", {})[user_id] = copy.deepcopy(world.users[user_id])
            if user_id in world.members:
                member = world.member_payload(user_id, with_user=False)
                member["permissions"] = str(world.permissions_in(user_id, channel_id))
                resolved.setdefault("members", {})[user_id] = member
            value = user_id
        elif kind in (8, 9):
            role = self._role(value)
            resolved.setdefault("roles", {})[role["id"]] = copy.deepcopy(role)
            value = role["id"]
        elif kind == 7:
            target = self.emulator.resolve_channel(value)
            channel = world.channel_payload(target)
            channel["permissions"] = str(world.permissions_in(self.id, target))
            allowed = option.get("channel_types")
            if allowed and channel["type"] not in allowed:
                raise EmulatorUsageError(
                    f"{option['name']}: channel type {channel['type']} not in {allowed}"
                )
            resolved.setdefault("channels", {})[target] = channel
            value = target
        elif kind == 11:
            upload = _uploads([value])[0]
            stored = self.emulator.messages.store_files(channel_id, {}, [upload])[0]
            self.emulator.world.files[str(stored.attachment["id"])] = stored
            resolved.setdefault("attachments", {})[stored.attachment["id"]] = stored.attachment
            value = stored.attachment["id"]
        choices = option.get("choices")
        if choices and value not in [c["value"] for c in choices]:
            raise EmulatorUsageError(f"{option['name']}: {value!r} is not one of the choices")
        return value

    def _is_role(self, value: Any) -> bool:
        try:
            self._role(value)
        except (KeyError, EmulatorUsageError):
            return False
        return True

    def _role(self, value: Any) -> Payload:
        world = self.emulator.world
        if isinstance(value, dict):
            return world.roles[str(value["id"])]
        text = str(getattr(value, "id", value))
        if text in world.roles:
            return world.roles[text]
        return world.role_named(text)

    def _user_id(self, value: Any) -> str:
        world = self.emulator.world
        if isinstance(value, Actor):
            return value.id
        if isinstance(value, dict):
            return str((value.get("user") or value)["id"])
        text = str(getattr(value, "id", value))
        if text in world.users:
            return text
        try:
            return str(world.member_named(text)["user"]["id"])
        except KeyError:
            raise EmulatorUsageError(f"no member {value!r}") from None

    def _build_options(
        self,
        schema: list[Payload],
        given: dict[str, Any],
        channel_id: str,
        focused: str | None = None,
    ) -> tuple[list[Payload], Payload]:
        resolved: Payload = {}
        options = []
        by_name = {o["name"]: o for o in schema}
        for name in given:
            if name not in by_name:
                raise EmulatorUsageError(f"unknown option {name!r} (options: {sorted(by_name)})")
        for option in schema:
            name = option["name"]
            if name not in given:
                if option.get("required") and name != focused:
                    raise EmulatorUsageError(f"option {name!r} is required")
                continue
            if name == focused:
                options.append(
                    {
                        "name": name,
                        "type": option["type"],
                        "value": str(given[name]),
                        "focused": True,
                    }
                )
                continue
            value = self._option_value(option, given[name], resolved, channel_id)
            options.append({"name": name, "type": option["type"], "value": value})
        return options, resolved

    def _command_data(
        self, line: str, options: dict[str, Any], channel_id: str, focused: str | None = None
    ) -> Payload:
        command, path = self._command(line, channel_id)
        self._visible(command, channel_id)
        chain, schema = self._resolve_path(command, path)
        leaf, resolved = self._build_options(schema, options, channel_id, focused)
        for sub in reversed(chain):
            leaf = [{"name": sub["name"], "type": sub["type"], "options": leaf}]
        data: Payload = {"id": command["id"], "name": command["name"], "type": 1, "options": leaf}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        return data

    async def runs(
        self,
        line: str,
        *,
        channel: Any = "general",
        settle: bool = True,
        with_options: dict[str, Any] | None = None,
        **options: Any,
    ) -> Answer:
        """Run a slash command (`"challenge status"` for sub-commands) and return the answer.

        Waits for the callback; after a deferral, also for the first follow-up or edit.
        `with_options` passes options whose names clash with these parameters (`channel`).
        """
        options = {**options, **(with_options or {})}
        channel_id = self.emulator.resolve_channel(channel)
        data = self._command_data(line, options, channel_id)
        record = self.emulator.interactions.send(COMMAND, self.id, channel_id, data)
        answer = Answer(self, record)
        await answer.wait(settle=settle)
        return answer

    async def autocomplete(
        self, line: str, option: str, typed: str, *, channel: Any = "general", **others: Any
    ) -> list[Payload]:
        """Type `typed` into `option` of a command; returns the bot's choices."""
        channel_id = self.emulator.resolve_channel(channel)
        data = self._command_data(line, {**others, option: typed}, channel_id, focused=option)
        record = self.emulator.interactions.send(AUTOCOMPLETE, self.id, channel_id, data)
        answer = Answer(self, record)
        await answer.wait(settle=False)
        return list(record.choices or [])

    async def clicks(self, message: Any, target: str, *, settle: bool = True) -> Answer:
        """Click a button (by label or custom_id) on any message."""
        stored = self._stored_any(message)
        return await Answer.click_on(self, stored, target, settle=settle)

    def _stored_any(self, message: Any) -> StoredMessage:
        message_id = _message_id(message)
        stored = self.emulator.world.find_message(
            message_id
        ) or self.emulator.interactions.ephemeral_lookup(message_id)
        if stored is None:
            raise EmulatorUsageError(f"no such message: {message!r}")
        return stored
