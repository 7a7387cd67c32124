"""The one SQLite connection the bot owns, its pragmas, transactions and migrations."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

Params = tuple[object, ...] | dict[str, object]  # a statement's parameters

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreError(Exception):
    """The database can't be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations() -> list[Migration]:
    """The numbered `.sql` files shipped in `bot/store/migrations`, in order."""
    found = []
    for entry in resources.files("bot.store.migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class Database:
    """Owns one aiosqlite connection in WAL mode.

    Single statements run in autocommit mode; `transaction()` groups several under one
    lock so concurrent coroutines never interleave inside a transaction. Reads go through a
    second, read-only connection: WAL gives each read a committed snapshot, so a read never
    sees another coroutine's unfinished (possibly rolled-back) transaction and never waits
    for the writer.
    """

    def __init__(self, path: Path | str, *, migrations: list[Migration] | None = None) -> None:
        self.path = Path(path) if str(path) != ":memory:" else path
        self._migrations = migrations
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise StoreError("the database is not open")
        return self._conn

    @property
    def reader(self) -> aiosqlite.Connection:
        """The read-only connection (the writer itself for an in-memory database)."""
        if self._reader is not None:
            return self._reader
        return self.conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    async def open(self, *, check_writable: bool = True, create: bool = True) -> None:
        """Connect, migrate and open the reader. `check_writable=False` for read-only tools;
        `create=False` for tools that must find an existing database, never make one."""
        if isinstance(self.path, Path):
            if not create and not self.path.exists():
                raise StoreError(
                    f"DATABASE_PATH {self.path} doesn't exist: nothing to read. Is it the bot's "
                    "database? (Relative paths are taken from the project folder.)"
                )
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = await aiosqlite.connect(str(self.path), isolation_level=None)
            self._conn.row_factory = aiosqlite.Row
            await self._conn.execute("PRAGMA busy_timeout = 5000")
            await self._conn.execute("PRAGMA journal_mode = WAL")
            await self._conn.execute("PRAGMA synchronous = NORMAL")
            await self._conn.execute("PRAGMA foreign_keys = ON")
            await self.migrate()
            if check_writable:
                # Reads work under another connection's exclusive lock (WAL): make sure we can
                # also write, so a held lock is reported now rather than at the first write.
                await self._conn.execute("BEGIN IMMEDIATE")
                await self._conn.execute("ROLLBACK")
            if isinstance(self.path, Path):
                uri = f"{self.path.resolve().as_uri()}?mode=ro"
                self._reader = await aiosqlite.connect(uri, uri=True, isolation_level=None)
                self._reader.row_factory = aiosqlite.Row
                await self._reader.execute("PRAGMA busy_timeout = 5000")
                await self._reader.execute("PRAGMA foreign_keys = ON")
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise StoreError(_explain(self.path, exc)) from exc
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await reader.close()
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await conn.close()

    async def user_version(self) -> int:
        async with self.conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply pending migrations in one transaction; return the resulting version."""
        migrations = self._migrations if self._migrations is not None else bundled_migrations()
        current = await self.user_version()
        latest = migrations[-1].version if migrations else 0
        if current > latest:
            raise StoreError(
                f"{self.path} was written by a newer version of the bot (schema {current}, "
                f"this version knows {latest}); upgrade the bot instead of using an old one"
            )
        pending = [m for m in migrations if m.version > current]
        if not pending:
            return current
        if current > 0 and isinstance(self.path, Path):
            await asyncio.to_thread(self._backup_before_migrating, current)
        script = "\n".join(f"-- {m.name}\n{m.sql}" for m in pending)
        async with self._lock:
            try:
                await self.conn.executescript(
                    f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {latest};\nCOMMIT;"
                )
            except sqlite3.Error:
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise
        log.info("Database %s migrated from schema %d to %d", self.path, current, latest)
        return latest

    def _backup_before_migrating(self, current: int) -> None:
        """An upgrade changes the schema: keep the database as it was, to roll back to."""
        from bot.clock import SYSTEM_CLOCK
        from bot.store.backup import backup, stamp

        assert isinstance(self.path, Path)
        target = self.path.with_name(
            f"{self.path.stem}.pre-migration-v{current}-{stamp(SYSTEM_CLOCK.now())}.sqlite3"
        )
        backup(self.path, target)
        log.info("Before migrating from schema %d, backed up the database to %s", current, target)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """`async with db.transaction() as conn:` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            else:
                await self.conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement (autocommit) and return the affected row count."""
        async with self._lock:
            cursor = await self.conn.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        return count

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        async with self.reader.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        """Committed rows, in one hop to the reader's thread."""
        return list(await self.reader.execute_fetchall(sql, params))

    async def integrity_check(self) -> list[str]:
        rows = await self.fetchall("PRAGMA quick_check")
        return [str(row[0]) for row in rows if str(row[0]) != "ok"]


def _explain(path: Path | str, exc: sqlite3.DatabaseError) -> str:
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        return (
            f"DATABASE_PATH {path} is not a readable SQLite database ({text}). "
            "It was left untouched: restore a backup or point DATABASE_PATH at a new file."
        )
    if "locked" in text or "busy" in text:
        return (
            f"DATABASE_PATH {path} is locked by another process ({text}). "
            "Is another copy of the bot running?"
        )
    return f"DATABASE_PATH {path} can't be used: {text}"
