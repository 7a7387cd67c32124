"""MemberStore against a real SQLite file: participation and role grants."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.comments.model import DayTotals
from bot.members.participation import rank
from bot.store import SqlDatabase, database_at
from bot.store.comments import CommentStore
from bot.store.members import WELCOME_MEMORY, MemberStore

G = 1
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
async def db(state_url: str) -> AsyncIterator[SqlDatabase]:
    database = database_at(state_url)
    await database.open()
    for day in range(1, 4):
        await database.execute(
            "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
            "thread_id, posted_at) VALUES (?, 's', ?, ?, ?, 'posted', ?, ?)",
            (
                G,
                day,
                f"T{day}",
                f"2026-12-0{day}T08:00:00.000Z",
                100 + day,
                f"2026-12-0{day}T08:00:01.000Z",
            ),
        )
    yield database
    await database.close()


async def comment(
    db: SqlDatabase,
    mid: int,
    day: int,
    author: int,
    name: str,
    *,
    reactions: int = 0,
    deleted: int = 0,
    series: str = "s",
) -> None:
    await db.execute(
        "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, author_name, "
        "content, created_at, deleted, reactions, series) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            mid,
            G,
            day,
            100 + day if series == "s" else 200 + day,
            author,
            name,
            f"text {mid}",
            (T0 + timedelta(seconds=mid)).isoformat(),
            deleted,
            reactions,
            series,
        ),
    )


async def test_participation_excludes_deleted_and_erased(db: SqlDatabase) -> None:
    store = MemberStore(db)
    await comment(db, 1, 1, 10, "Old name")
    await comment(db, 2, 2, 10, "Amina", reactions=3)
    await comment(db, 3, 1, 20, "Youssef")
    await comment(db, 4, 2, 20, "Youssef", deleted=1)
    await comment(db, 5, 1, 30, "Erased", reactions=9)
    await db.execute("INSERT INTO erased_users VALUES (?, 30, '2026-12-02T00:00:00Z')", (G,))
    await comment(db, 6, 3, 40, "Next edition", reactions=5, series="s#2")  # kept apart

    assert await store.day_totals(G, "s") == [DayTotals(1, 2, 2), DayTotals(2, 1, 1)]
    assert await store.day_totals(G, "s", 2) == [DayTotals(2, 1, 1)]
    assert await store.day_totals(G, "s#2") == [DayTotals(3, 1, 1)]
    assert [p.user_id for p in await store.participants(G, "s#2")] == [40]
    people = {p.user_id: p for p in await store.participants(G, "s")}
    assert set(people) == {10, 20}
    assert people[10].name == "Amina" and people[10].days == frozenset({1, 2})
    assert people[10].first_message_id == 1 and people[20].comments == 1
    assert [r.participant.user_id for r in rank(people.values())] == [10, 20]
    assert await store.user_days(G, "s", 20) == {1}
    assert await store.user_days(G, "s#2", 20) == set()
    assert [c.message_id for c in await store.most_reacted(G, "s", 1)] == []
    assert [c.message_id for c in await store.most_reacted(G, "s", 2)] == [2]
    assert [c.message_id for c in await store.most_reacted(G, "s#2", 3)] == [6]
    assert await store.is_erased(G, 30) and not await store.is_erased(G, 10)


async def test_totals_agree_with_counting_by_hand(db: SqlDatabase) -> None:
    """Day totals and participants (grouped per author and day, erasures applied after the
    grouping) against a plain count over the same comments: deletions, erasures, two runs
    and another server mixed in."""
    pick = random.Random(7)
    rows = []
    for mid in range(1, 601):
        guild = G if mid % 9 else 2
        author, day = pick.randrange(1, 25), pick.randrange(1, 4)
        row = (mid, guild, day, author, f"name {author}.{mid}", int(pick.random() < 0.15))
        rows.append((row, pick.choice(("s", "s", "s#2"))))
    for (mid, guild, day, author, name, deleted), series in rows:
        await db.execute(
            "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, "
            "author_name, content, created_at, deleted, series) VALUES "
            "(?, ?, ?, ?, ?, ?, '', ?, ?, ?)",
            (mid, guild, day, 100 + day, author, name, T0.isoformat(), deleted, series),
        )
    erased = {3, 11, 17}
    for user in erased:
        await db.execute(
            "INSERT INTO erased_users VALUES (?, ?, '2026-12-02T00:00:00Z')", (G, user)
        )
    store = MemberStore(db)
    for series in ("s", "s#2"):
        counted = [
            (mid, day, author, name)
            for (mid, guild, day, author, name, deleted), run in rows
            if guild == G and run == series and not deleted and author not in erased
        ]
        by_day: dict[int, list[int]] = {}
        for _, day, author, _ in counted:
            by_day.setdefault(day, []).append(author)
        expected = [DayTotals(d, len(a), len(set(a))) for d, a in sorted(by_day.items())]
        assert await store.day_totals(G, series) == expected
        assert await store.day_totals(G, series, 2) == [t for t in expected if t.day == 2]
        found = {p.user_id: p for p in await store.participants(G, series)}
        assert set(found) == {author for _, _, author, _ in counted}
        for user, person in found.items():
            mine = [c for c in counted if c[2] == user]
            assert person.comments == len(mine)
            assert person.days == frozenset(day for _, day, _, _ in mine)
            assert person.first_message_id == min(mid for mid, _, _, _ in mine)
            assert person.name == max(mine)[3]  # the name on their latest counted comment


async def test_role_grants_are_claimed_once(db: SqlDatabase) -> None:
    store = MemberStore(db)
    assert await store.claim_grant(G, "s", 10, 500, T0)
    assert not await store.claim_grant(G, "s", 10, 500, T0)
    assert set(await store.granted(G, "s", 10)) == {500}
    assert await store.granted(G, "s#2", 10) == {}  # a new edition is earned again
    assert await store.claim_grant(G, "s#2", 10, 500, T0)
    await store.release_grant(G, "s", 10, 500)
    assert await store.claim_grant(G, "s", 10, 500, T0)
    assert await store.claim_welcome(G, 10, T0, now=T0)
    assert not await store.claim_welcome(G, 10, T0, now=T0)
    assert await CommentStore(db).user_guilds(10) == [G]  # found by `erase-user` everywhere
    await CommentStore(db).erase_user(G, 10, T0)  # erasure clears role grants too
    assert await db.fetchall("SELECT * FROM welcomes WHERE user_id = 10") == []  # and the join
    assert await store.claim_welcome(G, 10, T0, now=T0)  # greeted, but nothing recorded
    assert await db.fetchall("SELECT * FROM welcomes WHERE user_id = 10") == []
    assert await store.granted(G, "s", 10) == {}
    assert await store.granted(G, "s#2", 10) == {}
    assert set(await store.granted(G, "s", 11)) == set()


async def test_a_greeted_join_is_remembered_for_a_day(db: SqlDatabase) -> None:
    store = MemberStore(db)
    assert await store.claim_welcome(G, 1, T0, now=T0)
    assert await store.claim_welcome(G, 2, T0 + timedelta(hours=20), now=T0 + timedelta(hours=20))
    later = T0 + WELCOME_MEMORY + timedelta(hours=1)
    assert not await store.claim_welcome(G, 2, T0 + timedelta(hours=20), now=later)
    assert await store.claim_welcome(G, 3, later, now=later)  # forgets member 1's join
    rows = await db.fetchall("SELECT user_id FROM welcomes ORDER BY user_id")
    assert [int(r[0]) for r in rows] == [2, 3]
