"""The write-behind queue: order, batching, flush on close, bad rows isolated."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.comments.model import Comment, CommentOp, Delete, React, Record
from bot.comments.writer import CommentWriter
from bot.store import Database
from bot.store.comments import CommentStore
from devtools.emulator import wait_for


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


class BusySink(Sink):
    """Says "database is locked" for the first `busy` calls, then works."""

    def __init__(self, busy: int) -> None:
        super().__init__()
        self.busy = busy
        self.calls = 0

    async def apply(self, ops: Sequence[CommentOp]) -> None:
        self.calls += 1
        if self.calls <= self.busy:
            raise sqlite3.OperationalError("database is locked")
        await super().apply(ops)


async def test_a_busy_database_is_waited_out_in_order() -> None:
    sink = BusySink(busy=3)
    writer = CommentWriter(sink.apply, batch_size=2, retry_first=0.001)
    ops = [React(i, 1) for i in range(5)]
    for op in ops:
        writer.submit(op)
    await writer.flush()
    assert sink.ops == ops  # nothing dropped, nothing reordered
    assert (writer.applied, writer.failed, writer.busy_retries) == (5, 0, 3)


async def test_close_gives_up_on_a_database_that_stays_busy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.comments.writer.CLOSE_PATIENCE", 0.05)
    sink = BusySink(busy=10**9)
    writer = CommentWriter(sink.apply, retry_first=0.001, retry_max=0.01)
    writer.submit(React(1, 1))
    writer.submit(React(2, 1))
    await asyncio.wait_for(writer.close(), timeout=5)
    assert (writer.applied, writer.failed, writer.pending) == (0, 2, 0)


async def test_another_process_holding_the_lock_loses_no_write(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    # Fail at once rather than after SQLite's own 5 s wait, so the writer's retry is what
    # waits the lock out (as it must when erase-user holds it longer than busy_timeout).
    await db.conn.execute("PRAGMA busy_timeout = 0")
    store = CommentStore(db)
    writer = CommentWriter(store.apply, retry_first=0.01, retry_max=0.05)
    other = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        for i in range(1, 4):
            writer.submit(Record(_comment(i)))
        flushing = asyncio.create_task(writer.flush())
        await wait_for(lambda: writer.busy_retries >= 2, interval=0.005)
        assert not flushing.done() and writer.failed == 0
        other.execute("COMMIT")
        await asyncio.wait_for(flushing, timeout=5)
        assert (writer.applied, writer.failed) == (3, 0)
        assert await store.count() == 3
    finally:
        other.close()
        await writer.close()
        await db.close()


async def test_a_bad_row_is_dropped_alone_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    store = CommentStore(db)
    writer = CommentWriter(store.apply)
    bad = Record(_comment(2, author_name=None))  # type: ignore[arg-type]  # NOT NULL
    for op in (Record(_comment(1)), bad, Record(_comment(3))):
        writer.submit(op)
    try:
        await writer.flush()
        assert (writer.applied, writer.failed) == (2, 1)
        assert await store.count() == 2
        assert any("Dropped a comment write" in r.getMessage() for r in caplog.records)
    finally:
        await writer.close()
        await db.close()


def _comment(message_id: int, *, author_name: str = "amina") -> Comment:
    return Comment(
        guild_id=1,
        day=1,
        thread_id=10,
        message_id=message_id,
        author_id=7,
        author_name=author_name,
        content=f"comment {message_id}",
        created_at=datetime(2026, 12, 1, tzinfo=UTC),
    )
