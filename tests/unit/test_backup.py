"""Backups safe while the bot writes, restore that keeps what it replaced, and the backup taken
before a schema upgrade."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.store import Database, StoreError, bundled_migrations
from bot.store.backup import backup, in_use, restore, verify

MOMENT = datetime(2001, 1, 1, tzinfo=UTC)  # only names files


async def fill(db: Database, start: int, count: int) -> None:
    for n in range(start, start + count):
        await db.execute(
            "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, "
            "author_name, content, created_at) VALUES (?, 1, 1, 10, 5, 'amina', 'hi', "
            "'2001-01-01T00:00:00.000Z')",
            (n,),
        )


async def test_a_backup_taken_during_a_burst_of_writes_is_consistent(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    await fill(db, 1, 200)
    writing = asyncio.create_task(fill(db, 1000, 2000))  # the bot records a burst meanwhile
    await asyncio.sleep(0.05)
    report = await asyncio.to_thread(backup, db.path, tmp_path / "copy.sqlite3")  # type: ignore[arg-type]
    await writing
    total = (await db.fetchone("SELECT count(*) FROM comments"))[0]  # type: ignore[index]
    await db.close()
    schema, rows = verify(tmp_path / "copy.sqlite3")  # integrity ok, or it raises
    assert schema == len(bundled_migrations()) and rows == report.rows
    assert 200 <= rows["comments"] <= total == 2200  # a snapshot of some moment, complete


def test_backup_never_creates_the_source_and_never_overwrites(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="doesn't exist"):
        backup(tmp_path / "missing.sqlite3", tmp_path / "copy.sqlite3")
    assert not (tmp_path / "missing.sqlite3").exists()
    (tmp_path / "copy.sqlite3").write_bytes(b"x")
    sqlite3.connect(tmp_path / "real.sqlite3").close()
    with pytest.raises(StoreError, match="exists already"):
        backup(tmp_path / "real.sqlite3", tmp_path / "copy.sqlite3")


async def test_restore_round_trip_keeps_the_replaced_file_and_refuses_while_in_use(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    db = Database(path)
    await db.open()
    await fill(db, 1, 3)
    saved = await asyncio.to_thread(backup, path, tmp_path / "saved.sqlite3")
    await fill(db, 10, 5)  # more since the backup
    with pytest.raises(StoreError, match="in use"):
        restore(saved.path, path, moment=MOMENT, max_schema=len(bundled_migrations()))
    await db.close()
    assert not in_use(path)

    aside = restore(saved.path, path, moment=MOMENT, max_schema=len(bundled_migrations()))
    assert aside is not None and aside.name == "bot.sqlite3.before-restore-20010101-000000"
    assert verify(aside)[1]["comments"] == 8  # what was replaced is kept
    assert verify(path)[1]["comments"] == 3  # the backup is back
    reopened = Database(path)
    await reopened.open()
    await reopened.close()


def test_restore_refuses_a_file_that_is_not_a_sound_backup(tmp_path: Path) -> None:
    (tmp_path / "junk.sqlite3").write_bytes(b"not sqlite" * 100)
    with pytest.raises(StoreError, match="not a readable SQLite database"):
        restore(tmp_path / "junk.sqlite3", tmp_path / "bot.sqlite3", moment=MOMENT, max_schema=7)
    assert not (tmp_path / "bot.sqlite3").exists()


def kept_before_migrating(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pre-migration-*"))


async def test_an_upgrade_backs_the_old_schema_up_first(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    old = Database(path, migrations=bundled_migrations()[:6])
    await old.open()
    await fill(old, 1, 4)
    await old.close()
    assert kept_before_migrating(tmp_path) == []

    new = Database(path)
    await new.open()
    await new.close()
    [kept] = kept_before_migrating(tmp_path)
    assert kept.name.startswith("bot.pre-migration-v6-")
    schema, rows = verify(kept)
    assert schema == 6 and rows["comments"] == 4

    again = Database(path)  # nothing to migrate: no new backup
    await again.open()
    await again.close()
    assert len(kept_before_migrating(tmp_path)) == 1


def test_the_backup_and_restore_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    database = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(database))
    assert main(["backup"]) == 2  # nothing to back up yet, and nothing created
    assert "doesn't exist" in capsys.readouterr().err and not database.exists()

    async def make() -> None:
        db = Database(database)
        await db.open()
        await fill(db, 1, 2)
        await db.close()

    asyncio.run(make())
    assert main(["backup"]) == 0
    out = capsys.readouterr().out
    assert "integrity ok" in out and str(tmp_path / "backups") in out
    [saved] = sorted((tmp_path / "backups").glob("*.sqlite3"))
    assert main(["restore", str(saved)]) == 0
    assert "kept as" in capsys.readouterr().out


async def test_nightly_backups_keep_the_newest(tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.store.backup import nightly

    database = tmp_path / "bot.sqlite3"
    db = Database(database)
    await db.open()
    await fill(db, 1, 2)
    folder = tmp_path / "nightly"
    for night in range(4):
        await asyncio.to_thread(nightly, database, folder, 2, MOMENT + timedelta(days=night))
    await db.close()
    kept = await asyncio.to_thread(lambda: sorted(p.name for p in folder.iterdir()))
    assert kept == ["bot-20010103-000000.sqlite3", "bot-20010104-000000.sqlite3"]
