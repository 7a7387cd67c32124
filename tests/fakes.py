"""Fakes for unit tests: a clock that moves only when told, timers driven by it, and Discord.

`FakeTimers` implements `bot.timers.Timers`; `advance` moves the clock and runs every timer
that came due on the way, in time order — so what the code decides and what wakes it agree.
`FakeDiscord` implements `bot.boundary.Discord` (tests/unit/test_boundary.py keeps its
methods and signatures those of the protocol and of the discord.py implementation).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.boundary import (
    ChannelInfo,
    GoneError,
    Grantable,
    IncomingMessage,
    MessageKind,
    Outgoing,
    RoleInfo,
    SentMessage,
)
from bot.series.model import DayRow
from bot.timers import Callback


class FakeClock:
    def __init__(self, now: datetime | None = None) -> None:
        # Any moment works; tests say how far from it things happen.
        self.current = now or datetime(2001, 1, 1, tzinfo=UTC)
        self._mono = 1000.0

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self._mono

    def set(self, moment: datetime) -> None:
        self._mono += max((moment - self.current).total_seconds(), 0.0)
        self.current = moment


class FakeTimers:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.timers: dict[str, tuple[datetime, Callback]] = {}
        self.fired: list[tuple[str, datetime]] = []

    def set(self, key: str, at: datetime, callback: Callback) -> None:
        self.timers[key] = (at, callback)

    def cancel(self, key: str) -> None:
        self.timers.pop(key, None)

    def when(self, key: str) -> datetime | None:
        found = self.timers.get(key)
        return None if found is None else found[0]

    async def run_due(self) -> int:
        """Run the timers due at the clock's time (and those they set that are due too)."""
        ran = 0
        while True:
            due = [(at, key) for key, (at, _) in self.timers.items() if at <= self.clock.now()]
            if not due or ran > 1000:
                return ran
            _, key = min(due)
            _, callback = self.timers.pop(key)
            self.fired.append((key, self.clock.now()))
            ran += 1
            await callback()

    async def advance(self, delta: timedelta) -> int:
        """Move the clock by `delta`, stopping at each timer on the way to run it."""
        end = self.clock.now() + delta
        ran = 0
        while True:
            ahead = [at for at, _ in self.timers.values() if at <= end]
            step = max(min(ahead), self.clock.now()) if ahead else end
            self.clock.set(step)
            ran += await self.run_due()
            if step >= end:
                return ran


def day_row(number: int, state: str, first: datetime, **changes: Any) -> DayRow:
    """A stored day as the store returns it: day `number` planned `number - 1` days after
    `first`; `changes` sets any other column."""
    row = DayRow(1, "s", number, f"Title {number}", first + timedelta(days=number - 1), state)
    return replace(row, **changes)


@dataclass(frozen=True, slots=True)
class Sent:
    """A message a service sent through `FakeDiscord`."""

    channel_id: int
    message: Outgoing
    ping_user: int | None
    id: int
    dm: bool = False

    @property
    def text(self) -> str:
        return self.message if isinstance(self.message, str) else self.message.content


@dataclass
class FakeDiscord:
    """A Discord of plain values: channels, roles and histories set by the test; what the
    services send, the roles they give. `refuse` makes the next sends (or role grants) raise
    these exceptions; `role_delay` makes a grant yield like a round trip to Discord."""

    me: int = 4242
    guilds: dict[int, str] = field(default_factory=lambda: {1: "ML & DL Morocco"})
    channels: dict[int, ChannelInfo] = field(default_factory=dict)
    roles: dict[tuple[int, int], RoleInfo] = field(default_factory=dict)
    messages: dict[int, list[IncomingMessage]] = field(default_factory=dict)  # by channel
    missing: set[int] = field(default_factory=set)  # channels that are gone
    sent: list[Sent] = field(default_factory=list)
    granted: list[tuple[int, int, int]] = field(default_factory=list)  # guild, user, role
    refuse: list[BaseException] = field(default_factory=list)
    refuse_roles: list[BaseException] = field(default_factory=list)
    role_delay: float = 0.0
    history_calls: list[tuple[int, int, int | None]] = field(default_factory=list)
    pages_served: int = 0
    closed: bool = False
    next_id: int = 900

    def put_role(self, guild_id: int, role_id: int, name: str, grantable: Grantable) -> None:
        """Shorthand for a role in `roles` (the sync `role` lookup reads them)."""
        guild_name = self.guilds.get(guild_id, "")
        self.roles[(guild_id, role_id)] = RoleInfo(role_id, name, guild_name, grantable)

    # --- bot.boundary.Discord ------------------------------------------------------------

    def is_closed(self) -> bool:
        return self.closed

    def channel(self, channel_id: int) -> ChannelInfo | None:
        return self.channels.get(channel_id)

    def guild_name(self, guild_id: int) -> str | None:
        return self.guilds.get(guild_id)

    def role(self, guild_id: int, role_id: int) -> RoleInfo | None:
        return self.roles.get((guild_id, role_id))

    async def send(
        self,
        channel_id: int,
        message: Outgoing,
        *,
        guild_id: int | None = None,
        ping_user: int | None = None,
    ) -> SentMessage:
        return self._sent(channel_id, message, ping_user, dm=False)

    async def send_dm(
        self, user_id: int, message: Outgoing, *, ping_user: int | None = None
    ) -> SentMessage:
        return self._sent(user_id, message, ping_user, dm=True)

    async def fetch_message(self, channel_id: int, message_id: int) -> IncomingMessage:
        for message in self.messages.get(channel_id, []):
            if message.id == message_id:
                return message
        raise GoneError(
            "404 Not Found (error code: 10008): Unknown Message", status=404, code=10008
        )

    async def history(
        self,
        channel_id: int,
        *,
        after: int,
        limit: int | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Sequence[IncomingMessage]]:
        if channel_id in self.missing:
            raise GoneError("404 Not Found (error code: 10003): Unknown Channel", status=404)
        self.history_calls.append((channel_id, after, limit))
        found = sorted(
            (m for m in self.messages.get(channel_id, []) if m.id > after), key=lambda m: m.id
        )
        return self._pages(found[:limit] if limit is not None else found, page_size)

    async def add_role(self, guild_id: int, user_id: int, role_id: int, *, reason: str) -> None:
        if self.role_delay:
            await asyncio.sleep(self.role_delay)  # the other checks run meanwhile
        if self.refuse_roles:
            raise self.refuse_roles.pop(0)
        self.granted.append((guild_id, user_id, role_id))

    # --- helpers -------------------------------------------------------------------------

    async def _pages(
        self, messages: list[IncomingMessage], size: int
    ) -> AsyncIterator[Sequence[IncomingMessage]]:
        for start in range(0, len(messages), size):
            await asyncio.sleep(0)  # a request: other tasks run meanwhile
            self.pages_served += 1
            yield messages[start : start + size]

    def _sent(
        self, channel_id: int, message: Outgoing, ping_user: int | None, *, dm: bool
    ) -> SentMessage:
        if self.refuse:
            raise self.refuse.pop(0)
        self.next_id += 1
        self.sent.append(Sent(channel_id, message, ping_user, self.next_id, dm=dm))
        return SentMessage(self.next_id, channel_id)


def incoming_message(
    message_id: int,
    channel_id: int,
    author_id: int = 7,
    content: str = "",
    **changes: object,
) -> IncomingMessage:
    """A member's message as the boundary hands it over; `changes` sets any other field."""
    values: dict[str, object] = {
        "id": message_id,
        "channel_id": channel_id,
        "author_id": author_id,
        "author_name": f"user{author_id}",
        "author_bot": False,
        "kind": MessageKind.DEFAULT,
        "content": content,
        "created_at": datetime(2026, 12, 3, 12, tzinfo=UTC),
        "guild_id": 1,
    }
    values.update(changes)
    return IncomingMessage(**values)  # type: ignore[arg-type]
