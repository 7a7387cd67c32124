"""A small write-behind queue: comment writes are batched into one transaction.

Listeners only append an operation (no await), so a burst of messages never waits on the
disk. A background task applies what has queued up after `delay` seconds (or at once when
`batch_size` operations wait), in arrival order, one transaction per batch. A crash can
only lose the last few milliseconds of not-yet-committed writes, which the start-up
backfill reads again from Discord. `flush()` waits until everything queued so far is
committed; `close()` flushes and stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.comments.model import CommentOp

log = logging.getLogger(__name__)

Apply = Callable[[Sequence[CommentOp]], Awaitable[None]]


class CommentWriter:
    def __init__(self, apply: Apply, *, delay: float = 0.005, batch_size: int = 1000) -> None:
        self._apply = apply
        self.delay = delay
        self.batch_size = batch_size
        self._pending: list[CommentOp] = []
        self._lock = asyncio.Lock()  # one batch at a time, in order
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.applied = 0  # operations committed
        self.failed = 0  # operations dropped after failing alone
        self.batches = 0  # transactions

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="comment-writer")

    def submit(self, op: CommentOp) -> None:
        self._pending.append(op)
        self._wakeup.set()

    async def flush(self) -> None:
        """Commit everything submitted so far."""
        async with self._lock:
            while self._pending:
                batch = self._pending[: self.batch_size]
                del self._pending[: self.batch_size]
                # A cancelled caller (shutdown) must not abandon a batch half-way: finish it.
                write = asyncio.ensure_future(self._write(batch))
                try:
                    await asyncio.shield(write)
                except asyncio.CancelledError:
                    await write
                    raise

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            if len(self._pending) < self.batch_size:
                await asyncio.sleep(self.delay)  # let a burst gather into one transaction
            try:
                await self.flush()
            except Exception:  # keep the writer alive whatever happens
                log.exception("Writing comments failed")

    async def _write(self, batch: list[CommentOp]) -> None:
        self.batches += 1
        try:
            await self._apply(batch)
        except Exception:
            # One bad row must not sink its neighbours: retry them one by one.
            log.exception("A batch of %d comment writes failed; retrying one by one", len(batch))
            for op in batch:
                try:
                    await self._apply([op])
                except Exception:
                    self.failed += 1
                    log.exception("Dropped a comment write: %r", op)
                else:
                    self.applied += 1
        else:
            self.applied += len(batch)
