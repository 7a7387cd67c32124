"""Interactions: INTERACTION_CREATE payloads (commands, autocomplete, buttons, selects,
modals), the callback endpoint, follow-ups and `@original`.
https://discord.com/developers/docs/interactions/receiving-and-responding
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from devtools.emulator.http import Call, Reply, Router
from devtools.emulator.ids import MessageFlag, MessageKind
from devtools.emulator.state import StoredMessage
from devtools.emulator.validation import (
    DiscordError,
    FormErrors,
    check_autocomplete,
    check_edit_result,
    check_message,
    check_modal,
    not_found,
)

if TYPE_CHECKING:
    from devtools.emulator.server import Emulator

Payload = dict[str, Any]

PING, COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 1, 2, 3, 4, 5
PONG, MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, CHOICES, MODAL = 1, 4, 5, 6, 7, 8, 9
ALLOWED_CALLBACKS = {
    COMMAND: {MESSAGE, DEFERRED_MESSAGE, MODAL},
    COMPONENT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE, MODAL},
    AUTOCOMPLETE: {CHOICES},
    MODAL_SUBMIT: {MESSAGE, DEFERRED_MESSAGE, DEFERRED_UPDATE, UPDATE},
}
TOKEN_LIFETIME = 15 * 60


@dataclass
class InteractionRecord:
    """One interaction and everything the bot answered to it."""

    id: str
    token: str
    type: int
    payload: Payload
    user_id: str
    channel_id: str
    created: float = field(default_factory=time.monotonic)
    callback_type: int | None = None
    callback_data: Payload | None = None
    original: StoredMessage | None = None  # the response message (or the clicked message)
    followups: list[StoredMessage] = field(default_factory=list)
    choices: list[Payload] | None = None
    modal: Payload | None = None
    changes: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    error: DiscordError | None = None  # a callback Discord refused

    def touch(self) -> None:
        self.changes += 1
        self.changed.set()

    @property
    def ephemeral(self) -> bool:
        message = self.original
        return bool(message and message.data.get("flags", 0) & MessageFlag.EPHEMERAL)

    async def wait_change(self, after: int, timeout: float) -> None:  # noqa: ASYNC109
        async with asyncio.timeout(timeout):
            while self.changes <= after:
                self.changed.clear()
                await self.changed.wait()


class Interactions:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.world = emulator.world
        self.records: dict[str, InteractionRecord] = {}
        self.by_token: dict[str, InteractionRecord] = {}
        self.response_timeout = 3.0  # Discord drops interactions not answered within 3 s

    # ---- creating interactions ----------------------------------------------------------
    def _base(self, kind: int, user_id: str, channel_id: str, data: Payload) -> InteractionRecord:
        world = self.world
        interaction_id = world.ids.next()
        token = "aW50ZXJhY3Rpb24" + secrets.token_urlsafe(48)
        channel = world.channel_payload(channel_id)
        channel["permissions"] = str(world.permissions_in(user_id, channel_id))
        guild = world.state(world.guild_of(channel_id))
        member = world.member_payload(user_id, guild_id=guild.id)
        member["permissions"] = str(world.permissions_in(user_id, channel_id))
        payload: Payload = {
            "id": interaction_id,
            "application_id": world.application_id,
            "type": kind,
            "token": token,
            "version": 1,
            "guild_id": guild.id,
            "guild": {
                "id": guild.id,
                "locale": guild.guild.get("preferred_locale", "en-US"),
                "features": guild.guild["features"],
            },
            "channel_id": channel_id,
            "channel": channel,
            "member": member,
            "app_permissions": str(world.permissions_in(world.application_id, channel_id)),
            "locale": world.locales.get(user_id, "en-US"),
            "guild_locale": guild.guild.get("preferred_locale", "en-US"),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": guild.id},
            "context": 0,
            "attachment_size_limit": 10 * 1024 * 1024,
            "data": data,
        }
        record = InteractionRecord(interaction_id, token, kind, payload, user_id, channel_id)
        self.records[interaction_id] = record
        self.by_token[token] = record
        return record

    def send(
        self,
        kind: int,
        user_id: str,
        channel_id: str,
        data: Payload,
        *,
        message: Payload | None = None,
    ) -> InteractionRecord:
        record = self._base(kind, user_id, channel_id, data)
        if message is not None:
            record.payload["message"] = message
        self.emulator.dispatch("INTERACTION_CREATE", record.payload)
        return record

    # ---- answering ----------------------------------------------------------------------
    def _record(self, interaction_id: str, token: str) -> InteractionRecord:
        record = self.records.get(interaction_id)
        if record is None or record.token != token:
            raise DiscordError(404, 10062, "Unknown interaction")
        return record

    def _by_webhook(self, application_id: str, token: str) -> InteractionRecord:
        record = self.by_token.get(token)
        if record is None or application_id != self.world.application_id:
            raise not_found("Webhook", 10015)
        if time.monotonic() - record.created > TOKEN_LIFETIME:
            raise DiscordError(401, 50027, "Invalid Webhook Token")
        if record.callback_type is None:
            raise not_found("Webhook", 10015)
        return record

    def _response_message(
        self, record: InteractionRecord, data: Payload, uploads: list[Any], *, loading: bool = False
    ) -> StoredMessage:
        flags = int(data.get("flags") or 0)
        ephemeral = bool(flags & MessageFlag.EPHEMERAL)
        kind = MessageKind.CHAT_INPUT_COMMAND if record.type == COMMAND else MessageKind.DEFAULT
        metadata = {
            "id": record.id,
            "type": record.type,
            "user": self.world.users[record.user_id],
            "authorizing_integration_owners": {"0": record.payload["guild_id"]},
        }
        legacy = {
            "id": record.id,
            "type": record.type,
            "name": record.payload["data"].get("name", ""),
            "user": self.world.users[record.user_id],
        }
        extra = {
            "webhook_id": self.world.application_id,
            "application_id": self.world.application_id,
            "interaction_metadata": metadata,
            "interaction": legacy,
        }
        bot = self.world.application_id
        if loading:
            message = self.world.new_message(record.channel_id, bot, kind=kind, extra=extra)
            message.data["flags"] = MessageFlag.LOADING
        else:
            message = self.emulator.messages.create(
                record.channel_id,
                bot,
                data,
                uploads,
                kind=kind,
                extra=extra,
                check_permissions=False,
                store=False,
            )
        message.data["flags"] &= ~MessageFlag.EPHEMERAL
        if ephemeral:
            message.data["flags"] |= MessageFlag.EPHEMERAL
        else:
            self.emulator.messages.apply_mentions(message, bot, data.get("allowed_mentions"))
            self.world.store_message(message)
            self.emulator.dispatch("MESSAGE_CREATE", self.emulator.messages.payload(message))
        return message

    def callback(self, call: Call) -> Reply:
        record = self._record(call.param("interaction_id"), call.param("token"))
        body = call.body
        kind = body.get("type")
        data = body.get("data") or {}
        if record.callback_type is not None:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        if time.monotonic() - record.created > self.response_timeout:
            record.error = DiscordError(404, 10062, "Unknown interaction")
            record.touch()
            raise record.error
        if kind not in ALLOWED_CALLBACKS.get(record.type, set()):
            errors = FormErrors()
            errors.add(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
            )
            errors.raise_if_any()
        try:
            resource = self._apply_callback(record, int(kind), data, call.uploads)
        except DiscordError as exc:
            record.error = exc
            record.touch()
            raise
        record.callback_type = int(kind)
        record.callback_data = data
        record.touch()
        message = record.original
        answer: Payload = {
            "interaction": {
                "id": record.id,
                "type": record.type,
                "response_message_id": message.id if message else None,
                "response_message_loading": kind == DEFERRED_MESSAGE,
                "response_message_ephemeral": record.ephemeral,
            },
            "resource": resource,
        }
        if message is None:
            answer["interaction"].pop("response_message_id")
        if "with_response" not in call.query:
            return Reply(204, None)
        return Reply(200, answer)

    def _apply_callback(
        self, record: InteractionRecord, kind: int, data: Payload, uploads: list[Any]
    ) -> Payload:
        messages = self.emulator.messages
        resource: Payload = {"type": kind}
        if kind == MESSAGE:
            record.original = self._response_message(record, data, uploads)
            resource["message"] = messages.payload(record.original)
        elif kind == DEFERRED_MESSAGE:
            record.original = self._response_message(record, data, [], loading=True)
            resource["message"] = messages.payload(record.original)
        elif kind in (DEFERRED_UPDATE, UPDATE):
            target = self._component_message(record)
            if kind == UPDATE:
                self._edit(record, target, data, uploads)
            record.original = target
            if kind == UPDATE:
                resource["message"] = messages.payload(target)
        elif kind == CHOICES:
            check_autocomplete(data)
            record.choices = list(data["choices"])
        elif kind == MODAL:
            check_modal(data)
            record.modal = data
        return resource

    def _component_message(self, record: InteractionRecord) -> StoredMessage:
        message = record.payload.get("message")
        if message is None:
            errors = FormErrors()
            errors.add(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
            )
            errors.raise_if_any()
        assert message is not None
        stored = self.world.message_in(record.channel_id, message["id"])
        if stored is None:
            stored = self.ephemeral_lookup(message["id"])
        if stored is None:
            raise not_found("Message", 10008)
        return stored

    def ephemeral_lookup(self, message_id: str) -> StoredMessage | None:
        for record in self.records.values():
            for message in (record.original, *record.followups):
                if message is not None and message.id == message_id:
                    return message
        return None

    def _edit(
        self, record: InteractionRecord, message: StoredMessage, data: Payload, uploads: list[Any]
    ) -> StoredMessage:
        ephemeral = bool(message.data.get("flags", 0) & MessageFlag.EPHEMERAL)
        owner = message.data["author"]["id"]
        edited = self.emulator.messages.edit(message, owner, data, uploads, dispatch=False)
        edited.data["flags"] &= ~MessageFlag.LOADING
        check_edit_result(edited.data)
        record.touch()
        if not ephemeral and self.world.message_in(message.channel_id, message.id) is not None:
            self.emulator.dispatch("MESSAGE_UPDATE", self.emulator.messages.payload(edited))
        return edited

    def followup(self, call: Call) -> Any:
        record = self._by_webhook(call.param("application_id"), call.param("token"))
        data = call.body
        check_message(data, file_count=len(call.uploads))
        original = record.original
        loading = original is not None and original.data.get("flags", 0) & MessageFlag.LOADING
        if loading and record.callback_type == DEFERRED_MESSAGE:
            assert original is not None
            # The first follow-up after a deferral replaces the "thinking…" message.
            edit = {
                k: data[k]
                for k in ("content", "embeds", "components", "allowed_mentions", "attachments")
                if k in data
            }
            message = self._edit(record, original, edit, call.uploads)
        else:
            message = self._response_message(record, data, call.uploads)
            record.followups.append(message)
            record.touch()
        if call.query.get("wait") in ("true", "1", "True"):
            return self.emulator.messages.payload(message)
        return None

    def _find(self, record: InteractionRecord, message_id: str) -> StoredMessage:
        if message_id == "@original":
            if record.original is None:
                raise not_found("Message", 10008)
            return record.original
        for message in (record.original, *record.followups):
            if message is not None and message.id == message_id:
                return message
        raise not_found("Message", 10008)

    def get_message(self, call: Call) -> Any:
        record = self._by_webhook(call.param("application_id"), call.param("token"))
        return self.emulator.messages.payload(self._find(record, call.param("message_id")))

    def edit_message(self, call: Call) -> Any:
        record = self._by_webhook(call.param("application_id"), call.param("token"))
        message = self._find(record, call.param("message_id"))
        return self.emulator.messages.payload(self._edit(record, message, call.body, call.uploads))

    def delete_message(self, call: Call) -> Any:
        record = self._by_webhook(call.param("application_id"), call.param("token"))
        message = self._find(record, call.param("message_id"))
        ephemeral = bool(message.data.get("flags", 0) & MessageFlag.EPHEMERAL)
        message.deleted = True
        record.touch()
        if not ephemeral:
            self.emulator.dispatch(
                "MESSAGE_DELETE",
                {
                    "id": message.id,
                    "channel_id": message.channel_id,
                    "guild_id": self.world.guild_of(message.channel_id),
                },
            )
        return None


def register(router: Router, emulator: Emulator) -> None:
    ops = emulator.interactions

    async def callback(call: Call) -> Any:
        return ops.callback(call)

    async def followup(call: Call) -> Any:
        return ops.followup(call)

    async def get_message(call: Call) -> Any:
        return ops.get_message(call)

    async def edit_message(call: Call) -> Any:
        return ops.edit_message(call)

    async def delete_message(call: Call) -> Any:
        return ops.delete_message(call)

    hook = "/webhooks/{application_id}/{token}"
    router.add("POST", "/interactions/{interaction_id}/{token}/callback", callback, auth=False)
    router.add("POST", hook, followup, auth=False)
    router.add("GET", hook + "/messages/{message_id}", get_message, auth=False)
    router.add("PATCH", hook + "/messages/{message_id}", edit_message, auth=False)
    router.add("DELETE", hook + "/messages/{message_id}", delete_message, auth=False)
