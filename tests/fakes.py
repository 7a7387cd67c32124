"""Fakes for unit tests: a clock that moves only when told, and timers driven by it.

`FakeTimers` implements `bot.timers.Timers`; `advance` moves the clock and runs every timer
that came due on the way, in time order — so what the code decides and what wakes it agree.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

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
