"""Timers: one object owns every wake-up of the bot, keyed by name, backed by APScheduler.

A timer only wakes something up; what happens then is read from the database. Setting a timer
again under the same key moves it. `close()` cancels them all and waits for callbacks that are
running, so a post in progress finishes its step before the bot stops.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

log = logging.getLogger(__name__)

Callback = Callable[[], Awaitable[None]]


class Timers(Protocol):
    def set(self, key: str, at: datetime, callback: Callback) -> None:
        """Call `callback` at `at` (clock time); replaces a timer with the same key."""
        ...

    def cancel(self, key: str) -> None: ...

    def when(self, key: str) -> datetime | None:
        """When the timer `key` fires (None: not set)."""
        ...


class SchedulerTimers:
    """Timers on an APScheduler `AsyncIOScheduler` (which fires on the system clock)."""

    def __init__(self) -> None:
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        self._running: set[asyncio.Task[None]] = set()
        self.closing = False

    def start(self) -> None:
        self.scheduler.start()

    @property
    def alive(self) -> bool:
        return bool(self.scheduler.running)

    def set(self, key: str, at: datetime, callback: Callback) -> None:
        if self.closing or not self.scheduler.running:
            return
        self.scheduler.add_job(
            self._run,
            DateTrigger(run_date=at),
            args=(key, callback),
            id=key,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,  # run however late: the callback reads what is due
        )

    def cancel(self, key: str) -> None:
        job = self.scheduler.get_job(key) if self.scheduler.running else None
        if job is not None:
            job.remove()

    def when(self, key: str) -> datetime | None:
        job = self.scheduler.get_job(key) if self.scheduler.running else None
        return None if job is None else job.next_run_time

    async def _run(self, key: str, callback: Callback) -> None:
        # The callback runs as a task of ours and this job returns at once: APScheduler never
        # cancels it at shutdown, and a timer set again by the callback itself (same key) is
        # not skipped as "already running".
        task = asyncio.create_task(self._guarded(key, callback), name=f"timer:{key}")
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    @staticmethod
    async def _guarded(key: str, callback: Callback) -> None:
        try:
            await callback()
        except Exception:
            log.exception("Timer %s failed", key)

    async def close(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Cancel every timer; let callbacks already running finish (within `timeout`)."""
        self.closing = True
        if self.scheduler.running:
            self.scheduler.remove_all_jobs()
            self.scheduler.shutdown(wait=False)
        running = [task for task in self._running if not task.done()]
        if not running:
            return
        _, pending = await asyncio.wait(running, timeout=timeout)
        for task in pending:
            log.warning("Stopped while %s was still running", task.get_name())
            task.cancel()
