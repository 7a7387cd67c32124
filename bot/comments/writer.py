"""A small write-behind queue: comment writes are batched into one transaction.

Listeners only append an operation (no await), so a burst of messages never waits on the
disk. A background task applies what has queued up after `delay` seconds (or at once when
`batch_size` operations wait), in arrival order, one transaction per batch. A crash can
only lose the last few milliseconds of not-yet-committed writes, which the start-up
backfill reads again from Discord. `flush()` waits until everything queued so far is
committed; `close()` flushes and stops.

A busy database (another process holding the write lock, e.g. `challenge-bot erase-user`)
is waited out: the batch goes back to the head of the queue and is retried with backoff,
so nothing is lost and the order is kept. Only an operation that fails on its own for any
other reason (a bad row) is dropped, logged, without sinking its neighbours.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.clock import SYSTEM_CLOCK
from bot.comments.model import CommentOp
from bot.store.database import is_transient

log = logging.getLogger(__name__)

Apply = Callable[[Sequence[CommentOp]], Awaitable[None]]

RETRY_FIRST = 0.05  # seconds before the first retry on a busy database, doubled each time…
RETRY_MAX = 5.0  # …up to this
CLOSE_PATIENCE = 30.0  # seconds close() keeps retrying a busy database before giving up


class CommentWriter:
    def __init__(
        self,
        apply: Apply,
        *,
        delay: float = 0.005,
        batch_size: int = 1000,
        retry_first: float = RETRY_FIRST,
        retry_max: float = RETRY_MAX,
    ) -> None:
        self._apply = apply
        self.delay = delay
        self.batch_size = batch_size
        self.retry_first = retry_first
        self.retry_max = retry_max
        self._pending: list[CommentOp] = []
        self._lock = asyncio.Lock()  # one batch at a time, in order
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.applied = 0  # operations committed
        self.failed = 0  # operations dropped (a bad row, or still busy at close)
        self.batches = 0  # transactions attempted
        self.busy_retries = 0  # batches put back because the database was busy

    @property
    def pending(self) -> int:
        return len(self._pending)

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="comment-writer")

    def submit(self, op: CommentOp) -> None:
        self._pending.append(op)
        self._wakeup.set()

    async def flush(self, *, patience: float | None = None) -> None:
        """Commit everything submitted so far, waiting out a busy database.

        With `patience` (seconds), give up after that long busy and drop what is left.
        """
        give_up = None if patience is None else SYSTEM_CLOCK.monotonic() + patience
        async with self._lock:
            pause, busy = self.retry_first, 0
            while self._pending:
                batch = self._pending[: self.batch_size]
                del self._pending[: self.batch_size]
                # A cancelled caller (shutdown) must not abandon a batch half-way: finish it.
                write = asyncio.ensure_future(self._write(batch))
                try:
                    done = await asyncio.shield(write)
                except asyncio.CancelledError:
                    await write
                    raise
                if done:
                    if busy:
                        log.info("Database free again after %d retry(ies)", busy)
                    pause, busy = self.retry_first, 0
                    continue
                busy += 1
                if busy == 1:
                    log.warning(
                        "Database busy: %d comment write(s) wait to be retried", self.pending
                    )
                if give_up is not None and SYSTEM_CLOCK.monotonic() >= give_up:
                    self._drop_pending()
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_max)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.flush(patience=CLOSE_PATIENCE)

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

    async def _write(self, batch: list[CommentOp]) -> bool:
        """Apply a batch; False when the database was busy and the rest went back in line."""
        self.batches += 1
        try:
            await self._apply(batch)
        except Exception as exc:
            if is_transient(exc):
                return self._requeue(batch)
            # One bad row must not sink its neighbours: retry them one by one.
            log.warning(
                "A batch of %d comment writes failed (%s); retrying one by one", len(batch), exc
            )
            return await self._write_each(batch)
        self.applied += len(batch)
        return True

    async def _write_each(self, batch: list[CommentOp]) -> bool:
        for index, op in enumerate(batch):
            try:
                await self._apply([op])
            except Exception as exc:
                if is_transient(exc):
                    return self._requeue(batch[index:])
                self.failed += 1
                log.error("Dropped a comment write that fails on its own: %r", op, exc_info=True)
            else:
                self.applied += 1
        return True

    def _requeue(self, ops: list[CommentOp]) -> bool:
        self._pending[:0] = ops  # back at the head: order is kept
        self.busy_retries += 1
        return False

    def _drop_pending(self) -> None:
        count = len(self._pending)
        self._pending.clear()
        self.failed += count
        log.error("Database still busy: gave up on %d comment write(s)", count)
