"""Everything that crossed the wire, for assertions: REST calls, gateway events, pings."""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass, field
from typing import Any

Payload = dict[str, Any]


@dataclass
class RestCall:
    method: str
    route: str  # the template, e.g. "/channels/{channel_id}/messages"
    path: str  # the concrete path under /api/v10
    query: dict[str, str]
    json: Any
    files: list[tuple[str, bytes]]
    time: float
    status: int = 0
    response: Any = None
    bot: bool = True  # False for calls made by the emulator's own actors

    def matches(self, method: str | None = None, route: str | None = None) -> bool:
        if method is not None and self.method != method.upper():
            return False
        if route is None:
            return True
        return fnmatch.fnmatchcase(self.route, route) or fnmatch.fnmatchcase(self.path, route)


@dataclass
class GatewayEvent:
    seq: int
    name: str
    data: Payload
    session_id: str
    time: float


@dataclass
class Ping:
    """Who a message sent by the bot actually notified, given its allowed_mentions."""

    message_id: str
    channel_id: str
    users: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    everyone: bool = False
    replied_user: str | None = None

    @property
    def pings_anyone(self) -> bool:
        return bool(self.users or self.roles or self.everyone or self.replied_user)


class Recorder:
    def __init__(self) -> None:
        self.calls: list[RestCall] = []
        self.events: list[GatewayEvent] = []
        self.pings: list[Ping] = []
        self.received: list[Payload] = []  # gateway payloads the client sent (op 1, 2, 6, 8)

    def now(self) -> float:
        return time.monotonic()

    def rest(self, method: str | None = None, route: str | None = None) -> list[RestCall]:
        """REST calls made by the bot, filtered by method and route/path glob."""
        return [c for c in self.calls if c.bot and c.matches(method, route)]

    def statuses(self, status: int) -> list[RestCall]:
        return [c for c in self.calls if c.status == status]

    def count_429(self) -> int:
        return len(self.statuses(429))

    def gateway(self, name: str | None = None) -> list[GatewayEvent]:
        return [e for e in self.events if name is None or e.name == name]

    def pinging(self) -> list[Ping]:
        """Bot messages that notified somebody. Tests usually assert this is empty."""
        return [p for p in self.pings if p.pings_anyone]
