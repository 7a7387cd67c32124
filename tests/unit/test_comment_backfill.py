"""Comment backfill through the fake Discord: history read in pages after the last recorded
message, replies keep what they answer, and a message deleted while the bot was away is
flagged when the recent threads are reconciled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.boundary import MessageKind, snowflake_at
from bot.comments.model import ChallengeThread
from bot.comments.service import CommentService
from bot.store import Database
from bot.store.comments import CommentStore
from tests.fakes import FakeDiscord, incoming_message

G = 1
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
THREAD = snowflake_at(NOW - timedelta(hours=3))  # day 1's thread, opened this morning
OTHER = THREAD + 1000  # day 2's thread (deleted from Discord)


@pytest.fixture
def fake() -> FakeDiscord:
    return FakeDiscord()


@pytest.fixture
async def service(db: Database, fake: FakeDiscord) -> AsyncIterator[CommentService]:
    found = CommentService(CommentStore(db), fake, now=lambda: NOW)
    found.add_thread(ChallengeThread(G, 1, THREAD, NOW - timedelta(hours=3), series="s"))
    try:
        yield found
    finally:
        await found.close()


async def stored(service: CommentService) -> dict[int, tuple[str, int | None, bool]]:
    comments = await service.store.for_export(G, None, None)
    return {c.message_id: (c.content, c.reply_to, c.deleted) for c in comments}


async def test_history_is_read_in_pages_and_then_only_after_the_last_read(
    service: CommentService, fake: FakeDiscord
) -> None:
    fake.messages[THREAD] = [
        incoming_message(THREAD, THREAD, 7, "the starter"),  # a forum starter: not a comment
        *[incoming_message(THREAD + i, THREAD, 7, f"reply {i}") for i in range(1, 251)],
        incoming_message(THREAD + 300, THREAD, fake.me, "a bot", author_bot=True),
        incoming_message(THREAD + 301, THREAD, 8, "", kind=MessageKind.OTHER),  # a pin notice
    ]
    report = await service.backfill(reconcile=False)
    assert (report.threads, report.new, report.failed_threads) == (1, 250, [])
    assert sorted(await stored(service)) == [THREAD + i for i in range(1, 251)]
    assert await service.store.read_until(THREAD) == THREAD + 301  # everything seen counts
    assert fake.history_calls == [(THREAD, THREAD, None)] and fake.pages_served == 3

    fake.messages[THREAD].append(incoming_message(THREAD + 400, THREAD, 9, "late reply"))
    report = await service.backfill(reconcile=False)
    assert report.new == 1 and fake.history_calls[-1] == (THREAD, THREAD + 301, None)
    assert (await stored(service))[THREAD + 400] == ("late reply", None, False)


async def test_a_reply_keeps_the_message_it_answers(
    service: CommentService, fake: FakeDiscord
) -> None:
    fake.messages[THREAD] = [
        incoming_message(THREAD + 1, THREAD, 7, "question?"),
        incoming_message(
            THREAD + 2, THREAD, 8, "answer", kind=MessageKind.REPLY, reference_id=THREAD + 1
        ),
        # A reference on a message that isn't a reply (a forwarded one): not a reply.
        incoming_message(THREAD + 3, THREAD, 9, "forwarded", reference_id=THREAD + 1),
    ]
    await service.backfill(reconcile=False)
    found = await stored(service)
    assert found[THREAD + 2] == ("answer", THREAD + 1, False)
    assert found[THREAD + 3] == ("forwarded", None, False)


async def test_a_message_deleted_while_away_is_flagged_on_reconcile(
    service: CommentService, fake: FakeDiscord
) -> None:
    fake.messages[THREAD] = [
        incoming_message(THREAD + 1, THREAD, 7, "stays"),
        incoming_message(THREAD + 2, THREAD, 8, "deleted later"),
    ]
    await service.backfill(reconcile=False)
    fake.messages[THREAD] = [
        incoming_message(THREAD + 1, THREAD, 7, "stays, edited", edited_at=NOW, reactions=3)
    ]
    report = await service.backfill(reconcile=True)  # the thread is recent: re-read it all
    assert (report.new, report.updated, report.deleted) == (0, 1, 1)
    found = await stored(service)
    assert found[THREAD + 1] == ("stays, edited", None, False)
    assert found[THREAD + 2][2] is True  # flagged deleted, its text dropped
    assert found[THREAD + 2][0] == ""


async def test_a_thread_gone_from_discord_is_reported_not_fatal(
    service: CommentService, fake: FakeDiscord
) -> None:
    service.add_thread(ChallengeThread(G, 2, OTHER, NOW - timedelta(hours=1), series="s"))
    fake.missing.add(OTHER)
    fake.messages[THREAD] = [incoming_message(THREAD + 1, THREAD, 7, "hello")]
    report = await service.backfill(reconcile=True)
    assert report.failed_threads == [OTHER] and report.threads == 2 and report.new == 1


async def test_a_live_message_and_a_reaction_recount(
    service: CommentService, fake: FakeDiscord
) -> None:
    message = incoming_message(THREAD + 5, THREAD, 7, "live")
    assert service.message_created(message)
    assert not service.message_created(incoming_message(THREAD + 6, 555, 7, "elsewhere"))
    fake.messages[THREAD] = [incoming_message(THREAD + 5, THREAD, 7, "live", reactions=4)]
    service.reaction_emoji_cleared(THREAD, THREAD + 5)
    await service.wait_backfill()
    for task in list(service._background):
        await task
    await service.writer.flush()
    comment = await service.store.get(THREAD + 5)
    assert comment is not None and comment.reactions == 4


async def test_only_the_threads_of_servers_this_process_owns_are_read(
    db: Database, fake: FakeDiscord
) -> None:
    for guild_id, thread_id in ((G, 1001), (2, 2002)):  # two servers, one per shard
        await db.execute(
            "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
            "thread_id, posted_at) VALUES (?, 's', 1, 'Day 1', '2026-12-01T08:00:00+00:00', "
            "'posted', ?, '2026-12-01T08:00:00+00:00')",
            (guild_id, thread_id),
        )
    mine = CommentService(CommentStore(db), fake, now=lambda: NOW, owns=lambda g: g == G)
    await mine.load()
    try:
        assert list(mine.threads) == [1001]
        await mine.backfill(reconcile=False)
        assert [call[0] for call in fake.history_calls] == [1001]
    finally:
        await mine.close()
