"""Keeping the bot's REST calls under Discord's global rate limit.

Discord allows a bot 50 requests a second across all its routes (interaction responses
excepted) and answers 429 past it; discord.py only waits once it has been refused. When a
thousand servers' posts fall due at the same moment, that is a thousand refusals. `RequestPace`
spaces the calls before they are sent instead, first come first served: a call holds a place
from its sending until a window after its answer, at most `rate` places. Sharded processes
share one token, so each takes its part of the budget (`process_rate`). No discord import:
`discord_setup.pacing_trace` plugs it into discord.py's HTTP session.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from bot.settings import Settings
from bot.sharding import process_shards

# Paths Discord does not count against the global limit: interaction callbacks and follow-ups.
EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")


def exempt(path: str) -> bool:
    """Whether a REST path (without the API base) is outside the global limit."""
    return path.startswith(EXEMPT_PREFIXES)


def process_rate(settings: Settings) -> int:
    """This process's requests a second: REST_REQUESTS_PER_SECOND, divided among the processes
    sharing the token in proportion to the shards each runs (at least 1: with more processes
    than requests a second, raise REST_REQUESTS_PER_SECOND only if Discord raised the limit)."""
    total = settings.rest_requests_per_second
    if settings.shard_count is None:
        return total
    share = len(process_shards(settings)) / settings.shard_count
    return max(1, int(total * share))


class RequestPace:
    """At most `rate` requests under way or answered in the last `window` seconds.

    A request holds its place from the moment it is sent until `window` seconds after its
    answer, so however late the network delivers it, Discord never counts more than `rate` in
    any `window`. Callers wait their turn in order (`acquire`), and say when the answer came
    (`release`)."""

    def __init__(
        self,
        rate: int,
        window: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rate < 1:
            raise ValueError("rate must be at least 1 request per window")
        self.rate = rate
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._under_way = 0
        self._answered: deque[float] = deque()  # answer times, oldest first
        self._turn = asyncio.Lock()  # FIFO: a waiting caller keeps its place
        self._freed = asyncio.Event()  # an answer came

    def _taken(self) -> int:
        now = self._clock()
        while self._answered and now - self._answered[0] >= self.window:
            self._answered.popleft()
        return self._under_way + len(self._answered)

    async def acquire(self) -> None:
        """Return when one more request may be sent; it is then under way."""
        async with self._turn:
            while self._taken() >= self.rate:
                self._freed.clear()
                pause = self._answered[0] + self.window - self._clock() if self._answered else None
                await self._until_freed(pause)
            self._under_way += 1

    def release(self) -> None:
        """The request was answered (or failed): its place frees `window` seconds from now."""
        self._under_way = max(0, self._under_way - 1)
        self._answered.append(self._clock())
        self._freed.set()

    async def _until_freed(self, pause: float | None) -> None:
        """Sleep `pause` seconds (None: no limit), or less if an answer comes first."""
        freed = asyncio.ensure_future(self._freed.wait())
        waits: set[asyncio.Future[Any]] = {freed}
        if pause is not None:
            waits.add(asyncio.ensure_future(self._sleep(max(0.0, pause))))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
