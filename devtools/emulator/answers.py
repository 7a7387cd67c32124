"""The bot's answer to one interaction, as the member sees it, and what they can do with it
(click a button, pick from a select menu, submit a modal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devtools.emulator.interactions import (
    COMPONENT,
    DEFERRED_MESSAGE,
    DEFERRED_UPDATE,
    MODAL_SUBMIT,
    InteractionRecord,
)
from devtools.emulator.state import Payload, StoredFile, StoredMessage
from devtools.emulator.support import EmulatorUsageError, walk_components

if TYPE_CHECKING:
    from devtools.emulator.actors import Actor

ANSWER_TIMEOUT = 5.0


class Answer:
    """The bot's answer to one interaction: the response, later edits and follow-ups."""

    def __init__(self, actor: Actor, record: InteractionRecord) -> None:
        self.actor = actor
        self.record = record

    def __repr__(self) -> str:
        kind, embeds = self.record.callback_type, len(self.embeds)
        return f"<Answer type={kind} content={self.content!r} embeds={embeds}>"

    async def wait(
        self,
        *,
        settle: bool = True,
        timeout: float = ANSWER_TIMEOUT,  # noqa: ASYNC109
    ) -> Answer:
        record = self.record
        try:
            await record.wait_change(0, timeout)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not answer interaction {record.payload['data']} within {timeout}s"
            ) from None
        if record.error is not None:
            raise AssertionError(f"Discord refused the bot's answer: {record.error}")
        if settle and record.callback_type in (DEFERRED_MESSAGE, DEFERRED_UPDATE):
            try:
                await record.wait_change(1, timeout)
            except TimeoutError:
                raise AssertionError("the bot deferred but never followed up") from None
        return self

    async def next_change(self, timeout: float = ANSWER_TIMEOUT) -> Answer:  # noqa: ASYNC109
        """Wait for one more edit or follow-up."""
        await self.record.wait_change(self.record.changes, timeout)
        return self

    # ---- what the member sees -----------------------------------------------------------
    @property
    def type(self) -> int | None:
        return self.record.callback_type

    @property
    def message(self) -> Payload | None:
        original = self.record.original
        return None if original is None else self.actor.emulator.messages.payload(original)

    @property
    def followups(self) -> list[Payload]:
        return [
            self.actor.emulator.messages.payload(m) for m in self.record.followups if not m.deleted
        ]

    @property
    def messages(self) -> list[Payload]:
        first = (
            [self.message]
            if self.message is not None and self.record.callback_type not in (DEFERRED_UPDATE,)
            else []
        )
        return first + self.followups

    @property
    def ephemeral(self) -> bool:
        return self.record.ephemeral

    @property
    def content(self) -> str:
        return str((self.message or {}).get("content") or "")

    @property
    def embeds(self) -> list[Payload]:
        return list((self.message or {}).get("embeds") or [])

    @property
    def embed(self) -> Payload:
        embeds = self.embeds
        if len(embeds) != 1:
            raise AssertionError(f"expected one embed, got {len(embeds)}: {self!r}")
        return embeds[0]

    @property
    def components(self) -> list[Payload]:
        return list((self.message or {}).get("components") or [])

    @property
    def files(self) -> list[StoredFile]:
        """Attachments of the response and follow-ups, with their bytes."""
        found: list[StoredFile] = []
        for message in (self.record.original, *self.record.followups):
            if message is not None:
                found.extend(message.files)
        return found

    @property
    def text(self) -> str:
        """Everything readable in the answer (content, embed titles, descriptions, fields)."""
        parts: list[str] = []
        for message in self.messages:
            parts.append(message.get("content") or "")
            for embed in message.get("embeds") or []:
                parts += [embed.get("title") or "", embed.get("description") or ""]
                for item in embed.get("fields") or []:
                    parts += [item.get("name") or "", item.get("value") or ""]
                parts.append((embed.get("footer") or {}).get("text") or "")
                parts.append((embed.get("author") or {}).get("name") or "")
        return "\n".join(p for p in parts if p)

    @property
    def choices(self) -> list[Payload]:
        return list(self.record.choices or [])

    @property
    def modal(self) -> Payload | None:
        return self.record.modal

    def buttons(self) -> list[Payload]:
        return [c for c in walk_components(self.components) if c.get("type") == 2]

    # ---- acting on it -------------------------------------------------------------------
    async def click(self, target: str, *, settle: bool = True) -> Answer:
        """Click a button of this answer's message, by label or custom_id."""
        message = self.record.original
        if message is None:
            raise EmulatorUsageError("this answer has no message to click on")
        return await Answer.click_on(self.actor, message, target, settle=settle)

    @staticmethod
    async def click_on(
        actor: Actor, message: StoredMessage, target: str, *, settle: bool = True
    ) -> Answer:
        components = list(message.data.get("components") or [])
        button = next(
            (
                c
                for c in walk_components(components)
                if c.get("type") == 2 and target in (c.get("custom_id"), c.get("label"))
            ),
            None,
        )
        if button is None:
            labels = [
                (c.get("label"), c.get("custom_id"))
                for c in walk_components(components)
                if c.get("type") == 2
            ]
            raise EmulatorUsageError(f"no button {target!r} on the message (buttons: {labels})")
        if button.get("disabled"):
            raise EmulatorUsageError(f"button {target!r} is disabled")
        if button.get("style") == 5:
            raise EmulatorUsageError("link buttons open a URL; they don't reach the bot")
        data = {"custom_id": button["custom_id"], "component_type": 2}
        return await Answer._component(actor, message, data, settle)

    async def select(self, custom_id: str, values: list[str], *, settle: bool = True) -> Answer:
        message = self.record.original
        if message is None:
            raise EmulatorUsageError("this answer has no message")
        menu = next(
            (c for c in walk_components(self.components) if c.get("custom_id") == custom_id), None
        )
        if menu is None:
            raise EmulatorUsageError(f"no select menu {custom_id!r}")
        data = {"custom_id": custom_id, "component_type": menu["type"], "values": list(values)}
        return await Answer._component(self.actor, message, data, settle)

    @staticmethod
    async def _component(
        actor: Actor, message: StoredMessage, data: Payload, settle: bool
    ) -> Answer:
        emulator = actor.emulator
        payload = emulator.messages.payload(message)
        record = emulator.interactions.send(
            COMPONENT, actor.id, message.channel_id, data, message=payload
        )
        answer = Answer(actor, record)
        await answer.wait(settle=settle)
        return answer

    async def submit(
        self, values: dict[str, str] | None = None, *, settle: bool = True, **by_id: str
    ) -> Answer:
        """Submit the modal this answer opened; values by custom_id (or label)."""
        modal = self.record.modal
        if modal is None:
            raise EmulatorUsageError("this answer did not open a modal")
        given = {**(values or {}), **by_id}
        rows = []
        for component in modal.get("components") or []:
            if component.get("type") == 1:
                inputs = [self._input(c, given) for c in component.get("components") or []]
                rows.append({"type": 1, "components": inputs})
            elif component.get("type") == 18:
                inner = component.get("component") or {}
                entry = self._input(inner, given, label=component.get("label"))
                rows.append({"type": 18, "id": component.get("id", 0), "component": entry})
        data = {"custom_id": modal["custom_id"], "components": rows}
        emulator = self.actor.emulator
        record = emulator.interactions.send(
            MODAL_SUBMIT, self.actor.id, self.record.channel_id, data
        )
        answer = Answer(self.actor, record)
        await answer.wait(settle=settle)
        return answer

    @staticmethod
    def _input(component: Payload, given: dict[str, str], label: str | None = None) -> Payload:
        custom_id = component.get("custom_id")
        value = given.get(
            str(custom_id),
            given.get(label or component.get("label") or "", component.get("value") or ""),
        )
        if component.get("required", True) and not value and component.get("type") == 4:
            raise EmulatorUsageError(f"text input {custom_id!r} is required")
        entry = {"type": component.get("type", 4), "custom_id": custom_id, "value": value}
        if "id" in component:
            entry["id"] = component["id"]
        return entry
