"""Backups that are safe while the bot runs: SQLite's online backup API, then a check.

The database is in WAL mode, so copying the file while the bot writes can give a broken copy;
`sqlite3.Connection.backup` copies a consistent snapshot page by page instead. Every copy is
verified (integrity check, and the same row counts as the snapshot it was taken from).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.store.database import StoreError


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    size: int
    schema: int
    rows: dict[str, int]

    def summary(self) -> str:
        total = sum(self.rows.values())
        return (
            f"{self.path} ({self.size / 1024:.0f} KiB, schema {self.schema}, "
            f"{len(self.rows)} tables, {total} rows)"
        )


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d-%H%M%S")


def _tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    ).fetchall()
    names = [str(row[0]) for row in rows]
    # FTS5 shadow tables belong to their virtual table: count the real ones only.
    virtual = {
        str(row[0])
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"
        )
    }
    return [n for n in names if not any(n.startswith(f"{v}_") for v in virtual)]


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        t: int(conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in _tables(conn)
    }


def verify(path: Path) -> tuple[int, dict[str, int]]:
    """(schema version, row counts) of a database file; StoreError if it isn't sound."""
    if not path.is_file():
        raise StoreError(f"{path} doesn't exist")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            result = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
            if result != ["ok"]:
                raise StoreError(f"{path} failed SQLite's integrity check: {'; '.join(result[:3])}")
            schema = int(conn.execute("PRAGMA user_version").fetchone()[0])
            return schema, counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a readable SQLite database ({exc})") from exc


def backup(source: Path, target: Path) -> BackupReport:
    """Copy `source` to `target` while it may be in use; verify the copy; never create
    `source`."""
    if not source.is_file():
        raise StoreError(f"DATABASE_PATH {source} doesn't exist: nothing to back up")
    if target.exists():
        raise StoreError(f"{target} exists already: choose another file")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(str(target))
        try:
            # One read transaction: the counts are those of the snapshot being copied.
            src.execute("BEGIN")
            expected = counts(src)
            src.backup(dst)
            src.execute("COMMIT")
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dst.close()
            src.close()
    except sqlite3.DatabaseError as exc:
        target.unlink(missing_ok=True)
        raise StoreError(f"could not back up {source}: {exc}") from exc
    schema, found = verify(target)
    if found != expected:
        raise StoreError(f"the copy {target} doesn't match {source}: {found} != {expected}")
    return BackupReport(target, target.stat().st_size, schema, found)


def in_use(path: Path) -> bool:
    """Whether another process holds the database (the bot running): it keeps a read
    transaction's shared lock on the WAL index, so an exclusive lock can't be had."""
    if not path.exists():
        return False
    conn = sqlite3.connect(str(path), timeout=0.5)
    try:
        conn.execute("PRAGMA locking_mode = EXCLUSIVE")
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def restore(backup_file: Path, database: Path, *, moment: datetime, max_schema: int) -> Path | None:
    """Put `backup_file` in place of `database`; the replaced file is kept aside (returned)."""
    schema, _ = verify(backup_file)
    if schema > max_schema:
        raise StoreError(
            f"{backup_file} has schema {schema}, newer than this bot knows ({max_schema})"
        )
    if in_use(database):
        raise StoreError(f"{database} is in use (is the bot running?): stop it first")
    aside = None
    if database.exists():
        aside = database.with_name(f"{database.name}.before-restore-{stamp(moment)}")
        shutil.move(database, aside)
        for suffix in ("-wal", "-shm"):
            extra = database.with_name(database.name + suffix)
            if extra.exists():
                shutil.move(extra, aside.with_name(aside.name + suffix))
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(backup_file, database)
    return aside


def nightly(database: Path, folder: Path, keep: int, moment: datetime) -> BackupReport:
    """One automatic backup into `folder`, keeping the newest `keep` of them."""
    report = backup(database, folder / f"{database.stem}-{stamp(moment)}.sqlite3")
    made = sorted(folder.glob(f"{database.stem}-*.sqlite3"))
    for old in made[:-keep]:
        old.unlink(missing_ok=True)
    return report
