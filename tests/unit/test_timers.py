"""SchedulerTimers on a real APScheduler: wake-ups by key, moved, cancelled, and a callback
that sets its own next wake-up (the series does that on every wake-up)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import SYSTEM_CLOCK
from bot.timers import SchedulerTimers


async def test_a_callback_can_set_its_own_next_wakeup_while_it_runs() -> None:
    timers = SchedulerTimers()
    timers.start()
    runs: list[int] = []
    done = asyncio.Event()

    async def wake() -> None:
        runs.append(len(runs))
        if len(runs) < 5:
            # Due before this callback returns: must still run (not "already running").
            timers.set("series:1", SYSTEM_CLOCK.now(), wake)
            await asyncio.sleep(0.05)
        else:
            done.set()

    timers.set("series:1", SYSTEM_CLOCK.now(), wake)
    await asyncio.wait_for(done.wait(), timeout=10)
    assert runs == [0, 1, 2, 3, 4]
    await timers.close()


async def test_moving_cancelling_and_closing() -> None:
    timers = SchedulerTimers()
    timers.start()
    fired: list[str] = []

    async def note() -> None:
        fired.append("x")

    later = SYSTEM_CLOCK.now() + timedelta(hours=1)
    timers.set("a", later, note)
    assert timers.when("a") == later
    timers.set("a", later + timedelta(minutes=5), note)  # moved, not doubled
    assert timers.when("a") == later + timedelta(minutes=5)
    timers.cancel("a")
    assert timers.when("a") is None

    finished = asyncio.Event()

    async def slow() -> None:
        await asyncio.sleep(0.2)
        finished.set()

    timers.set("b", SYSTEM_CLOCK.now(), slow)
    await asyncio.sleep(0.1)  # running now
    await timers.close()  # waits for it
    assert finished.is_set() and not timers.alive
    timers.set("c", SYSTEM_CLOCK.now(), note)  # ignored once closed
    await asyncio.sleep(0.05)
    assert fired == []
