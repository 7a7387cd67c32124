"""Keeping the bot's REST calls under Discord's global rate limit.

Discord allows a bot 50 requests a second across all its routes (interaction responses
excepted) and answers 429 past it; discord.py only waits once it has been refused. When a
thousand servers' posts fall due at the same moment, that is a thousand refusals. `RequestPace`
spaces the calls before they are sent instead: at most `rate` in any sliding window of
`window` seconds, first come first served. Sharded processes share one token, so each takes
its part of the budget (`process_rate`). No discord import: `discord_setup` plugs it in.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from bot.settings import Settings
from bot.sharding import process_shards

# Paths Discord does not count against the global limit: interaction callbacks and follow-ups.
EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")


def exempt(path: str) -> bool:
    """Whether a REST path (without the API base) is outside the global limit."""
    return path.startswith(EXEMPT_PREFIXES)


def process_rate(settings: Settings) -> int:
    """This process's requests a second: REST_REQUESTS_PER_SECOND, divided among the processes
    sharing the token in proportion to the shards each runs (at least 1)."""
    total = settings.rest_requests_per_second
    if settings.shard_count is None:
        return total
    share = len(process_shards(settings)) / settings.shard_count
    return max(1, int(total * share))


class RequestPace:
    """At most `rate` requests in any `window` seconds; callers wait their turn in order."""

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
        self._sent: deque[float] = deque()
        self._turn = asyncio.Lock()  # FIFO: a waiting caller keeps its place
        self.waited = 0.0  # seconds spent waiting, all callers together (for the log)

    async def wait(self) -> None:
        """Return when one more request may be sent, and count it."""
        async with self._turn:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.window:
                    self._sent.popleft()
                if len(self._sent) < self.rate:
                    self._sent.append(now)
                    return
                pause = self._sent[0] + self.window - now
                self.waited += pause
                await self._sleep(pause)
