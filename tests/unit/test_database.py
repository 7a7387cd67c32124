"""The store's connection, pragmas and migrations against a real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.store import Database, GuildSettingsStore, Migration, StoreError, bundled_migrations

V1 = Migration(1, "0001_a.sql", "CREATE TABLE a (guild_id INTEGER NOT NULL, x TEXT);")
V2 = Migration(
    2, "0002_b.sql", "ALTER TABLE a ADD COLUMN y TEXT DEFAULT 'new';\nCREATE TABLE b (id INTEGER);"
)
BROKEN = Migration(2, "0002_broken.sql", "CREATE TABLE c (id INTEGER);\nTHIS IS NOT SQL;")


async def test_fresh_database_gets_every_migration(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    try:
        assert await db.user_version() == len(bundled_migrations())
        mode = await db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        fk = await db.fetchone("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1
        timeout = await db.fetchone("PRAGMA busy_timeout")
        assert timeout is not None and timeout[0] >= 1000
        assert await db.integrity_check() == []
    finally:
        await db.close()


async def test_reopening_applies_nothing_new(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    for _ in range(2):
        db = Database(path)
        await db.open()
        assert await db.migrate() == len(bundled_migrations())
        await db.close()


async def test_upgrade_from_previous_version_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    old = Database(path, migrations=[V1])
    await old.open()
    await old.execute("INSERT INTO a (guild_id, x) VALUES (1, 'kept')")
    await old.close()

    new = Database(path, migrations=[V1, V2])
    await new.open()
    try:
        assert await new.user_version() == 2
        row = await new.fetchone("SELECT x, y FROM a")
        assert row is not None and tuple(row) == ("kept", "new")
    finally:
        await new.close()


async def test_bundled_migrations_upgrade_one_by_one(tmp_path: Path) -> None:
    """Every released schema upgrades to the latest, as on a server that skipped releases."""
    migrations = bundled_migrations()
    for upto in range(1, len(migrations)):
        path = tmp_path / f"v{upto}.sqlite3"
        db = Database(path, migrations=migrations[:upto])
        await db.open()
        await db.close()
        db = Database(path)
        await db.open()
        assert await db.user_version() == len(migrations)
        await db.close()


async def test_failed_migration_rolls_back_everything(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = Database(path, migrations=[V1])
    await db.open()
    await db.close()
    db = Database(path, migrations=[V1, BROKEN])
    with pytest.raises(StoreError):
        await db.open()
    check = sqlite3.connect(path)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {r[0] for r in check.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "c" not in tables
    finally:
        check.close()


async def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = Database(path, migrations=[V1, V2])
    await db.open()
    await db.close()
    with pytest.raises(StoreError, match="newer version"):
        await Database(path, migrations=[V1]).open()


async def test_corrupt_file_is_reported_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    garbage = b"this is not a database at all" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match=r"DATABASE_PATH .* not a readable SQLite database"):
        await Database(path).open()
    assert path.read_bytes() == garbage


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    store = GuildSettingsStore(db)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO guild_settings (guild_id, key, value) VALUES (1, 'k', 'v')"
                )
                raise RuntimeError("boom")
        assert await store.get(1, "k") is None
    finally:
        await db.close()


async def test_guild_settings_are_per_server(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    store = GuildSettingsStore(db)
    try:
        await store.set(1, "channel", "10")
        await store.set(2, "channel", "20")
        await store.set(1, "channel", "11")
        assert await store.get(1, "channel") == "11"
        assert await store.all(2) == {"channel": "20"}
        await store.delete(1, "channel")
        assert await store.get(1, "channel") is None
    finally:
        await db.close()


async def test_data_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = Database(path)
    await db.open()
    await GuildSettingsStore(db).set(7, "paused", "1")
    await db.close()
    db = Database(path)
    await db.open()
    try:
        assert await GuildSettingsStore(db).get(7, "paused") == "1"
    finally:
        await db.close()


async def test_reads_never_see_an_unfinished_transaction(tmp_path: Path) -> None:
    import asyncio

    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    inside = asyncio.Event()
    release = asyncio.Event()

    async def writer() -> None:
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO guild_settings (guild_id, key, value) VALUES (1, 'k', 'dirty')"
                )
                inside.set()
                await release.wait()
                raise RuntimeError("rolled back")

    try:
        task = asyncio.create_task(writer())
        await inside.wait()
        assert await GuildSettingsStore(db).get(1, "k") is None  # not the uncommitted value
        release.set()
        await task
        assert await GuildSettingsStore(db).get(1, "k") is None
        await GuildSettingsStore(db).set(1, "k", "clean")
        assert await GuildSettingsStore(db).get(1, "k") == "clean"  # committed: visible at once
    finally:
        await db.close()


async def test_migration_7_keeps_recaps_posted_by_the_previous_release(tmp_path: Path) -> None:
    """A database of the release before wake-ups were derived from state: its recaps stay
    posted (never resent), the rest keep waiting, and nothing is lost."""
    from bot.store.series import SeriesStore

    path = tmp_path / "bot.sqlite3"
    old = Database(path, migrations=bundled_migrations()[:6])
    await old.open()
    for day, recap in ((1, "2026-01-02T08:00:00.000Z"), (2, None)):
        await old.execute(
            "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, thread_id, "
            "posted_at, recap_posted_at, attempts) VALUES (1, 's', ?, 'T', ?, 'posted', ?, ?, ?, 2)",
            (day, f"2026-01-0{day}T08:00:00.000Z", 100 + day, f"2026-01-0{day}T08:00:00Z", recap),
        )
    await old.close()

    new = Database(path)
    await new.open()
    try:
        first, second = await SeriesStore(new).list_days(1, "s")
        assert first.recap_sent and first.recap_message_id == 0 and first.attempts == 2
        assert not second.recap_sent and second.recap_posted_at is None
        assert second.retry_at is None and second.recap_attempts == 0
    finally:
        await new.close()
