"""The write-behind queue: order, batching, flush on close, bad rows isolated."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.comments.model import CommentOp, Delete, React
from bot.comments.writer import CommentWriter


class Sink:
    def __init__(self, *, poison: CommentOp | None = None) -> None:
        self.batches: list[list[CommentOp]] = []
        self.poison = poison
        self.written = asyncio.Event()

    async def apply(self, ops: Sequence[CommentOp]) -> None:
        if self.poison in ops:
            raise RuntimeError("bad row")
        self.batches.append(list(ops))
        self.written.set()

    @property
    def ops(self) -> list[CommentOp]:
        return [op for batch in self.batches for op in batch]


async def test_a_burst_becomes_few_transactions_in_order() -> None:
    sink = Sink()
    writer = CommentWriter(sink.apply, delay=0.01, batch_size=100)
    writer.start()
    ops = [React(i, 1) for i in range(250)]
    for op in ops:
        writer.submit(op)
    await writer.flush()
    assert sink.ops == ops
    assert len(sink.batches) == 3
    await writer.close()


async def test_background_task_writes_without_flush() -> None:
    sink = Sink()
    writer = CommentWriter(sink.apply, delay=0.001)
    writer.start()
    writer.submit(Delete((1,)))
    await asyncio.wait_for(sink.written.wait(), timeout=2)
    assert sink.ops == [Delete((1,))]
    await writer.close()


async def test_close_flushes_what_is_queued() -> None:
    sink = Sink()
    writer = CommentWriter(sink.apply, delay=60)
    writer.start()
    writer.submit(React(1, 1))
    writer.submit(React(2, 1))
    await writer.close()
    assert sink.ops == [React(1, 1), React(2, 1)]
    assert writer.pending == 0 and writer.applied == 2


async def test_one_bad_write_does_not_lose_its_batch() -> None:
    bad = React(2, 1)
    sink = Sink(poison=bad)
    writer = CommentWriter(sink.apply)
    for op in (React(1, 1), bad, React(3, 1)):
        writer.submit(op)
    await writer.flush()
    assert sink.ops == [React(1, 1), React(3, 1)]
    assert (writer.applied, writer.failed) == (2, 1)


async def test_a_cancelled_flush_still_commits_its_batch() -> None:
    started, release = asyncio.Event(), asyncio.Event()
    written: list[CommentOp] = []

    async def slow_apply(ops: Sequence[CommentOp]) -> None:
        started.set()
        await release.wait()
        written.extend(ops)

    writer = CommentWriter(slow_apply)
    writer.submit(React(1, 1))
    flushing = asyncio.create_task(writer.flush())
    await started.wait()
    flushing.cancel()
    await asyncio.sleep(0)
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await flushing
    assert written == [React(1, 1)]
