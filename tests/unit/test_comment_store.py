"""CommentStore against a real SQLite file."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.comments.model import (
    Attachment,
    Comment,
    Delete,
    Edit,
    React,
    Record,
    Refresh,
    SetReactions,
)
from bot.store import SqlDatabase
from bot.store.comments import CommentStore

GUILD, OTHER_GUILD = 100, 200
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def make(
    message_id: int,
    *,
    day: int = 1,
    author: int = 1,
    content: str | None = None,
    guild: int = GUILD,
    reply_to: int | None = None,
    reactions: int = 0,
) -> Comment:
    return Comment(
        guild_id=guild,
        day=day,
        thread_id=1000 + day,
        message_id=message_id,
        author_id=author,
        author_name=f"member {author}",
        content=content if content is not None else f"comment {message_id}",
        created_at=T0 + timedelta(minutes=message_id),
        attachments=(Attachment("a.png", f"https://cdn.example/{message_id}/a.png"),),
        reply_to=reply_to,
        reactions=reactions,
        series=SERIES,
    )


SERIES = "ml-dl"


@pytest.fixture
def store(db: SqlDatabase) -> CommentStore:
    return CommentStore(db)


async def test_record_round_trips_every_field(store: CommentStore) -> None:
    original = make(7, reply_to=3, reactions=2)
    await store.apply([Record(original)])
    assert await store.get(7) == original


async def test_record_is_idempotent(store: CommentStore) -> None:
    await store.apply([Record(make(1))])
    await store.apply([Record(make(1, content="a second copy"))])
    stored = await store.get(1)
    assert stored is not None and stored.content == "comment 1"
    assert await store.count() == 1


async def test_batch_applies_in_order(store: CommentStore) -> None:
    edited = T0 + timedelta(hours=1)
    await store.apply(
        [
            Record(make(1)),
            Record(make(2)),
            React(1, 1),
            React(1, 1),
            React(1, -1),
            Edit(replace(make(1), content="better", edited_at=edited)),
            Delete((2,)),
            React(2, 1),
            SetReactions(1, 5),
        ]
    )
    first, second = await store.get(1), await store.get(2)
    assert first is not None and first.content == "better" and first.edited_at == edited
    assert first.reactions == 5
    assert second is not None and second.deleted and second.content == ""
    assert second.attachments == ()


async def test_reactions_never_go_negative(store: CommentStore) -> None:
    await store.apply([Record(make(1)), React(1, -1), React(1, -1)])
    stored = await store.get(1)
    assert stored is not None and stored.reactions == 0


async def test_edit_of_unknown_message_records_it_and_never_revives_deleted(
    store: CommentStore,
) -> None:
    await store.apply([Edit(make(5, content="seen first as an edit"))])
    stored = await store.get(5)
    assert stored is not None and stored.content == "seen first as an edit"
    await store.apply([Delete((5,)), Edit(make(5, content="late edit"))])
    stored = await store.get(5)
    assert stored is not None and stored.deleted and stored.content == ""


async def test_refresh_does_not_overwrite_a_newer_edit(store: CommentStore) -> None:
    newer = T0 + timedelta(hours=2)
    older = T0 + timedelta(hours=1)
    await store.apply(
        [
            Record(make(1)),
            Edit(replace(make(1), content="new", edited_at=newer)),
        ]
    )
    await store.apply([Refresh(1, "stale", (), older, 3)])
    stored = await store.get(1)
    assert stored is not None and stored.content == "new"
    await store.apply([Refresh(1, "newest", (), newer + timedelta(seconds=1), 3)])
    stored = await store.get(1)
    assert stored is not None and stored.content == "newest" and stored.reactions == 3


async def test_refresh_never_moves_text_backwards_but_always_counts_reactions(
    store: CommentStore,
) -> None:
    # Reconciliation read the page before a live edit: same old text, not edited, and only
    # the reaction count differs. The edit must survive; the count must still be taken.
    edited = T0 + timedelta(minutes=1)
    await store.apply([Record(make(1, content="original"))])
    await store.apply([Edit(replace(make(1), content="edited live", edited_at=edited))])
    await store.apply([Refresh(1, "original", (), None, 3)])
    stored = await store.get(1)
    assert stored is not None
    assert (stored.content, stored.edited_at, stored.reactions) == ("edited live", edited, 3)
    assert stored.attachments == make(1).attachments  # from the live edit, not wiped
    # An older edit read from Discord doesn't win either; reactions still follow Discord.
    await store.apply([Refresh(1, "first edit", (), edited - timedelta(seconds=30), 4)])
    stored = await store.get(1)
    assert stored is not None and (stored.content, stored.reactions) == ("edited live", 4)
    # Never edited on either side: reconciliation's text is the truth (e.g. read back first).
    await store.apply([Record(make(2, content="seen without content")), SetReactions(2, 1)])
    await store.apply([Refresh(2, "the real text", (), None, 2)])
    stored = await store.get(2)
    assert stored is not None and (stored.content, stored.edited_at, stored.reactions) == (
        "the real text",
        None,
        2,
    )


async def test_stats_exclude_deleted_and_count_participants(store: CommentStore) -> None:
    await store.apply(
        [Record(make(i, author=i % 3, day=1 + i % 2)) for i in range(1, 11)] + [Delete((1,))]
    )
    day1 = await store.day_stats(GUILD, SERIES, 1)  # ids 2,4,6,8,10 → authors 2,1,0,2,1
    day2 = await store.day_stats(GUILD, SERIES, 2)  # ids 3,5,7,9 (1 deleted) → authors 0,2,1,0
    assert (day1.comments, day1.participants) == (5, 3)
    assert (day2.comments, day2.participants) == (4, 3)
    assert [(s.day, s.comments) for s in await store.day_totals(GUILD, SERIES)] == [(1, 5), (2, 4)]
    assert await store.day_totals(GUILD, SERIES, 2) == [day2]
    assert (await store.day_stats(OTHER_GUILD, SERIES, 1)).comments == 0


async def test_newest_pages_newest_first(store: CommentStore) -> None:
    await store.apply([Record(make(i)) for i in range(1, 13)])
    first = await store.newest(GUILD, SERIES, 1, offset=0, limit=5)
    last = await store.newest(GUILD, SERIES, 1, offset=10, limit=5)
    assert [c.message_id for c in first] == [12, 11, 10, 9, 8]
    assert [c.message_id for c in last] == [2, 1]


async def test_erase_removes_only_that_member_and_blocks_new_rows(store: CommentStore) -> None:
    await store.apply([Record(make(i, author=1 + i % 2)) for i in range(1, 7)])
    await store.apply([Record(make(50, author=1, guild=OTHER_GUILD))])
    removed = await store.erase_user(GUILD, 1, T0)
    assert removed == 3
    assert await store.user_comments(GUILD, 1) == []
    assert len(await store.user_comments(GUILD, 2)) == 3
    assert len(await store.user_comments(OTHER_GUILD, 1)) == 1  # other servers untouched
    assert await store.erased_users() == {(GUILD, 1)}
    assert await store.erased_at(GUILD, 1) == T0
    # Backfill, live inserts and edits can't bring them back.
    await store.apply([Record(make(61, author=1)), Edit(make(62, author=1))])
    assert await store.user_comments(GUILD, 1) == []
    summary = await store.user_summary(GUILD, 1)
    assert summary.comments == 0 and summary.erased_at == T0
    assert await store.user_guilds(1) == [GUILD, OTHER_GUILD]


async def test_user_summary(store: CommentStore) -> None:
    await store.apply(
        [
            Record(make(1, author=3, day=1)),
            Record(make(2, author=3, day=1)),
            Record(make(9, author=3, day=2)),
        ]
    )
    summary = await store.user_summary(GUILD, 3)
    assert [(d.day, d.comments) for d in summary.per_day] == [(1, 2), (2, 1)]
    assert summary.comments == 3
    assert summary.first_at == make(1).created_at and summary.last_at == make(9).created_at


async def test_challenge_threads_and_thread_state(store: CommentStore) -> None:
    await store.db.execute(
        "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, thread_id, "
        "posted_at) VALUES (?, 's', 1, 'Day 1', '2026-12-01T08:00:00+00:00', 'posted', 1001, "
        "'2026-12-01T08:00:00+00:00')",
        (GUILD,),
    )
    await store.db.execute(
        "INSERT INTO series_days (guild_id, series, day, title, planned_at) "
        "VALUES (?, 's', 2, 'Day 2', '2026-12-02T08:00:00+00:00')",
        (GUILD,),
    )
    threads = await store.challenge_threads()
    assert list(threads) == [1001]
    assert threads[1001].day == 1 and threads[1001].posted_at == datetime(
        2026, 12, 1, 8, tzinfo=UTC
    )
    await store.apply([Record(make(1)), Record(make(2)), Delete((2,)), Record(make(3, day=2))])
    state = await store.thread_state(1001)
    assert sorted(state) == [1, 2] and state[2].deleted and not state[1].deleted
    assert list(await store.thread_state(1001, after=1)) == [2]


async def test_read_until_only_moves_forward(store: CommentStore) -> None:
    assert await store.read_until(1001) is None
    await store.set_read_until(1001, GUILD, 50, T0)
    await store.set_read_until(1001, GUILD, 40, T0)
    assert await store.read_until(1001) == 50


async def test_export_query_scopes(store: CommentStore) -> None:
    await store.apply(
        [Record(make(1, day=1)), Record(make(2, day=2)), Record(make(3, day=2, guild=OTHER_GUILD))]
    )
    assert [c.message_id for c in await store.for_export(GUILD, SERIES)] == [1, 2]
    assert [c.message_id for c in await store.for_export(GUILD, SERIES, 2)] == [2]
