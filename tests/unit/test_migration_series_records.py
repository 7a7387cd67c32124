"""Migration 9 on a database made by the previous release (schema 8): every existing row
moves to its series run, nothing is lost, and the stores read it per edition."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.store import Database, bundled_migrations
from bot.store.comments import CommentStore
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

G, OTHER = 10, 20
SERIES = "ml-dl-morocco"
T0 = "2025-12-01T08:00:00.000Z"


async def schema_8(path: Path) -> None:
    """What the previous release left: days, comments in their threads, one comment whose
    thread was never declared, a thread cursor and a role grant."""
    db = Database(path, migrations=bundled_migrations()[:8])
    await db.open()
    for guild in (G, OTHER):
        for day in (1, 2):
            await db.execute(
                "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
                "thread_id, posted_at) VALUES (?, ?, ?, ?, ?, 'posted', ?, ?)",
                (guild, SERIES, day, f"Day {day}", T0, guild * 100 + day, T0),
            )
    comments = [  # message id, guild, day, thread, author
        (1, G, 1, 1001, 7),
        (2, G, 2, 1002, 7),
        (3, G, 2, 1002, 8),
        (4, OTHER, 1, 2001, 7),
        (5, G, 2, 9999, 9),  # its thread isn't in series_days: placed by (server, day)
    ]
    for mid, guild, day, thread, author in comments:
        await db.execute(
            "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, "
            "author_name, content, created_at) VALUES (?, ?, ?, ?, ?, 'm', 'text', ?)",
            (mid, guild, day, thread, author, T0),
        )
    await db.execute(
        "INSERT INTO comment_threads (thread_id, guild_id, read_until, read_at) "
        "VALUES (1002, ?, 3, ?)",
        (G, T0),
    )
    await db.execute(
        "INSERT INTO granted_roles (guild_id, user_id, role_id, granted_at) VALUES (?, 7, 500, ?)",
        (G, T0),
    )
    assert await db.user_version() == 8
    await db.close()


async def test_existing_rows_move_to_their_series_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await schema_8(path)
    db = Database(path)
    await db.open()
    try:
        assert await db.user_version() == len(bundled_migrations())
        series = SeriesStore(db)
        for guild in (G, OTHER):
            [run] = await series.runs(guild)
            assert (run.record, run.series_id, run.edition, run.kind) == (SERIES, SERIES, 1, "live")
        comments = CommentStore(db)
        assert await comments.count() == 5
        assert {c.series for c in await comments.for_export(G, None)} == {SERIES}
        assert [s.comments for s in await comments.day_totals(G, SERIES)] == [1, 3]
        assert (await comments.day_stats(OTHER, SERIES, 1)).comments == 1
        members = MemberStore(db)
        assert set(await members.granted(G, SERIES, 7)) == {500}
        assert await members.user_days(G, SERIES, 7) == {1, 2}
        row = await db.fetchone("SELECT series, read_until FROM comment_threads")
        assert row is not None and tuple(row) == (SERIES, 3)
        assert await db.integrity_check() == []

        # a new edition starts empty; the first keeps everything
        at = datetime(2026, 12, 1, tzinfo=UTC)
        second = await series.add_run(G, SERIES, at=at)
        assert second.record == f"{SERIES}#2" and second.edition == 2
        assert await comments.day_totals(G, second.record) == []
        assert await members.granted(G, second.record, 7) == {}
        first = await series.run(G, SERIES)
        assert first is not None and first.ended_at == at
        assert (await series.live_run(G, SERIES)) == second
    finally:
        await db.close()
