"""SeriesStore against a real SQLite file: plan sync, claims, progress, answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.series.model import ChallengeDay
from bot.store import database_at
from bot.store.series import SeriesStore
from bot.store.timestamps import from_db, to_db
from tests.days import bare_day

GUILD, OTHER, SERIES = 111, 222, "ml-dl-morocco"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def plan(start: datetime = T0, days: int = 3) -> list[tuple[ChallengeDay, datetime]]:
    return [(bare_day(n, f"Title {n}"), start + timedelta(days=n - 1)) for n in range(1, days + 1)]


@pytest.fixture
async def store(state_url: str) -> AsyncIterator[SeriesStore]:
    db = database_at(state_url)
    await db.open()
    yield SeriesStore(db)
    await db.close()


def test_time_text_round_trip() -> None:
    text = to_db(T0)
    assert text == "2026-12-01T08:00:00.000000+00:00"
    assert from_db(text) == T0
    assert from_db("2026-12-01T08:00:00.000Z") == T0  # SQLite's own strftime shape
    assert from_db(None) is None
    later = to_db(T0.replace(microsecond=5))
    assert len(later) == len(text) and later > text  # fixed width: text order is time order


async def test_sync_creates_rows_then_moves_only_unposted_days(store: SeriesStore) -> None:
    result = await store.sync_plan(GUILD, SERIES, plan())
    assert result.created == [1, 2, 3] and result.moved == []
    again = await store.sync_plan(GUILD, SERIES, plan())
    assert again.created == [] and again.moved == []

    assert await store.claim(GUILD, SERIES, 1, nonce="n1", channel_id=5)
    later = T0 + timedelta(hours=2)
    moved = await store.sync_plan(GUILD, SERIES, plan(later))
    assert moved.moved == [2, 3]
    rows = await store.list_days(GUILD, SERIES)
    assert [r.planned_at for r in rows] == [
        T0,
        later + timedelta(days=1),
        later + timedelta(days=2),
    ]
    assert rows[0].state == "posting" and rows[0].nonce == "n1" and rows[0].channel_id == 5
    assert await store.list_days(OTHER, SERIES) == []


async def test_sync_updates_titles(store: SeriesStore) -> None:
    await store.sync_plan(GUILD, SERIES, plan())
    renamed = [(bare_day(1, "Education"), T0)]
    await store.sync_plan(GUILD, SERIES, renamed)
    row = await store.get_day(GUILD, SERIES, 1)
    assert row is not None and row.title == "Education"


async def test_claim_is_exclusive(store: SeriesStore) -> None:
    await store.sync_plan(GUILD, SERIES, plan())
    assert await store.claim(GUILD, SERIES, 2, nonce="a", channel_id=5)
    assert not await store.claim(GUILD, SERIES, 2, nonce="b", channel_id=5)
    row = await store.get_day(GUILD, SERIES, 2)
    assert row is not None and row.nonce == "a"
    assert not await store.claim(GUILD, SERIES, 9, nonce="c", channel_id=5)


async def test_progress_posted_and_threads(store: SeriesStore) -> None:
    await store.sync_plan(GUILD, SERIES, plan())
    await store.claim(GUILD, SERIES, 1, nonce="n", channel_id=5, late=True)
    await store.update(GUILD, SERIES, 1, message_id=100, parts_sent=1, last_message_id=100)
    await store.update(GUILD, SERIES, 1, thread_id=100)
    await store.update(GUILD, SERIES, 1, opening_message_id=101)
    assert await store.mark_posted(GUILD, SERIES, 1, posted_at=T0)
    assert not await store.mark_posted(GUILD, SERIES, 1, posted_at=T0)
    row = await store.get_day(GUILD, SERIES, 1)
    assert row is not None
    assert (row.state, row.message_id, row.thread_id, row.opening_message_id) == (
        "posted",
        100,
        100,
        101,
    )
    assert row.posted_at == T0 and row.late
    found = await store.day_for_thread(100)
    assert found is not None and (found.guild_id, found.series, found.day) == (GUILD, SERIES, 1)
    assert await store.day_for_thread(999) is None  # not a challenge thread
    assert await store.guilds(SERIES) == [GUILD]
    with pytest.raises(ValueError):
        await store.update(GUILD, SERIES, 1, state="posted")  # type: ignore[arg-type]


async def test_states_errors_and_answers(store: SeriesStore) -> None:
    await store.sync_plan(GUILD, SERIES, plan())
    assert await store.set_state(GUILD, SERIES, 3, "skipped", from_states=("scheduled",))
    assert not await store.set_state(GUILD, SERIES, 3, "missed", from_states=("scheduled",))
    # A skipped day can still be posted on purpose.
    assert await store.claim(
        GUILD, SERIES, 3, nonce="x", channel_id=5, from_states=("scheduled", "skipped")
    )
    retry = T0 + timedelta(minutes=5)
    await store.set_error(GUILD, SERIES, 3, "403 Missing Permissions", attempts=2, retry_at=retry)
    row = await store.get_day(GUILD, SERIES, 3)
    assert row is not None and row.error == "403 Missing Permissions" and row.attempts == 2
    assert row.retry_at == retry

    assert not await store.claim_answers(GUILD, SERIES, 3, nonce="a")  # not posted yet
    await store.mark_posted(GUILD, SERIES, 3, posted_at=T0)
    assert await store.claim_answers(GUILD, SERIES, 3, nonce="a")
    assert not await store.claim_answers(GUILD, SERIES, 3, nonce="b")
    await store.update(GUILD, SERIES, 3, answer_parts_sent=1, answer_message_id=300)
    await store.mark_answers(GUILD, SERIES, 3, state="posted", at=T0)
    row = await store.get_day(GUILD, SERIES, 3)
    assert row is not None
    assert (row.answer_state, row.answer_nonce, row.answer_parts_sent) == ("posted", "a", 1)
    assert row.answer_posted_at == T0 and row.error is None and row.retry_at is None

    assert await store.claim_recap(GUILD, SERIES, 3, T0)
    assert not await store.claim_recap(GUILD, SERIES, 3, T0)
    row = await store.get_day(GUILD, SERIES, 3)
    assert row is not None and row.recap_posted_at == T0 and not row.recap_sent
    # The recap could not be sent: unclaim, with the next try's time.
    await store.release_recap(GUILD, SERIES, 3, attempts=1, retry_at=retry)
    row = await store.get_day(GUILD, SERIES, 3)
    assert row is not None and row.recap_posted_at is None
    assert (row.recap_attempts, row.recap_retry_at) == (1, retry)
    assert await store.claim_recap(GUILD, SERIES, 3, T0)  # so it can be claimed again
    await store.mark_recap_sent(GUILD, SERIES, 3, 444)
    row = await store.get_day(GUILD, SERIES, 3)
    assert row is not None and row.recap_sent and row.recap_message_id == 444


async def test_rows_survive_reopening(state_url: str) -> None:
    path = state_url
    db = database_at(path)
    await db.open()
    await SeriesStore(db).sync_plan(GUILD, SERIES, plan())
    await SeriesStore(db).claim(GUILD, SERIES, 1, nonce="n", channel_id=5)
    await db.close()
    db = database_at(path)
    await db.open()
    try:
        row = await SeriesStore(db).get_day(GUILD, SERIES, 1)
        assert row is not None and row.state == "posting" and row.nonce == "n"
    finally:
        await db.close()
