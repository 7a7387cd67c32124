"""The one clock: every time decision in the bot asks it, nothing else reads the system time.

`SystemClock` is the real one. Tests that move time use `tests.fakes.FakeClock` together with
fake timers (`tests.fakes.FakeTimers`), so what is decided and what wakes the bot agree.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, UTC-aware."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for rate windows and bursts)."""
        ...


class SystemClock:
    """The machine's clock. APScheduler fires on this one too."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


SYSTEM_CLOCK = SystemClock()
