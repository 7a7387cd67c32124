"""CommentService without Discord: reads that can't stall an interaction, work kept off the
event loop, and background tasks that never die unnoticed."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.boundary import IncomingMessage
from bot.comments import service as service_module
from bot.comments.model import Comment, Record
from bot.comments.service import CommentService
from bot.store import Database
from bot.store.comments import CommentStore
from tests.fakes import FakeDiscord

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def comment(message_id: int) -> Comment:
    return Comment(1, 1, 10, message_id, 7, "amina", f"comment {message_id}", NOW)


class BrokenDiscord(FakeDiscord):
    async def fetch_message(self, channel_id: int, message_id: int) -> IncomingMessage:
        raise ConnectionResetError("connection reset by peer")


@pytest.fixture
async def service(db: Database) -> AsyncIterator[CommentService]:
    found = CommentService(CommentStore(db), BrokenDiscord(), now=lambda: NOW)
    try:
        yield found
    finally:
        await found.close()


async def test_a_day_page_does_not_wait_for_a_busy_writer(service: CommentService) -> None:
    await service.store.apply([Record(comment(1))])
    async with service.writer._lock:  # a long backfill batch is being committed
        page = await asyncio.wait_for(service.day_page(1, "", 1, 0), timeout=2)
    assert (page.stats.comments, [c.message_id for c in page.comments]) == (1, [1])


async def test_exports_are_formatted_off_the_event_loop(
    service: CommentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[int] = []
    real = service_module.render_export

    def spy(*args: Any, **kwargs: Any) -> str:
        threads.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(service_module, "render_export", spy)
    service.writer.submit(Record(comment(1)))
    text, count = await service.export(1, None, None, "csv")
    assert count == 1 and "comment 1" in text
    assert threads and threads[0] != threading.get_ident()
    summary, document = await service.my_data(1, 7)
    assert summary.comments == 1 and '"comment 1"' in document


async def test_a_failed_recount_is_logged_not_lost(
    service: CommentService, caplog: pytest.LogCaptureFixture
) -> None:
    service.threads[10] = SimpleNamespace()  # type: ignore[assignment]
    with caplog.at_level(logging.WARNING, logger="bot.comments.service"):
        service.reaction_emoji_cleared(10, 1)
        (task,) = service._background
        await asyncio.wait([task], timeout=2)
    assert task.done() and task.exception() is None
    assert "Could not recount reactions on message 1" in caplog.text
    assert service.writer.pending == 0
