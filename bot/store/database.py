"""What the stores need of a database (`SqlDatabase`), and the embedded SQLite one that is
the default: its pragmas, transactions and migrations. PostgreSQL: bot/store/postgres.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

import aiosqlite
import asyncpg

from bot.store.dialect import SQLITE, Dialect

log = logging.getLogger(__name__)

Params = tuple[object, ...] | dict[str, object]  # a statement's parameters


class Row(Protocol):
    """A result row, by column name or position (aiosqlite.Row and asyncpg.Record are both)."""

    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> Iterable[str]: ...


class Transaction(Protocol):
    """The statements of one transaction (`async with db.transaction() as tx`)."""

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; the number of rows it changed."""
        ...

    async def executemany(
        self, sql: str, rows: Iterable[Sequence[object] | Mapping[str, object]]
    ) -> None: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...


class SqlDatabase(Protocol):
    """What the stores of the bot's state need of a database: SQLite (`Database`, the
    default) or PostgreSQL (`PostgresDatabase`). SQL is written once, in the spelling both
    accept; `dialect` spells the few expressions that differ."""

    dialect: Dialect

    @property
    def is_open(self) -> bool: ...

    def describe(self) -> str:
        """The database for a log line (never a password)."""
        ...

    async def open(self, *, check_writable: bool = True, create: bool = True) -> None: ...

    async def close(self) -> None: ...

    async def user_version(self) -> int: ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]: ...

    async def execute(self, sql: str, params: Params = ()) -> int: ...

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def integrity_check(self) -> list[str]: ...

    def exclusive(self, name: str) -> AbstractAsyncContextManager[None]:
        """Hold `name` against every other process using this database (waits for it)."""
        ...


class SqliteTransaction:
    """A `Transaction` on the SQLite writer connection."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count

    async def executemany(
        self, sql: str, rows: Iterable[Sequence[object] | Mapping[str, object]]
    ) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))


_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreError(Exception):
    """The database can't be used; the message says why and what to do."""


class NoDatabaseError(StoreError):
    """Opened without `create`, and there is no bot database there yet."""


def is_database_failure(exc: BaseException) -> bool:
    """Any failure of the database itself (closed while shutting down, unreachable, locked),
    as opposed to a bug in the caller: what a reply may fall back from."""
    if isinstance(exc, StoreError | sqlite3.Error):
        return True
    if isinstance(exc, ValueError) and "closed" in str(exc).lower():  # aiosqlite, closing
        return True
    return isinstance(exc, asyncpg.PostgresError | asyncpg.InterfaceError | ConnectionError)


def is_transient(exc: BaseException) -> bool:
    """A failure that goes away by itself: SQLite locked or busy (another writer holds the
    lock), or PostgreSQL unreachable for a moment, a lost connection, a serialization
    failure or deadlock (one side of two concurrent transactions is told to retry)."""
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "locked" in text or "busy" in text
    transient = (
        asyncpg.PostgresConnectionError,
        asyncpg.InterfaceError,
        asyncpg.SerializationError,
        asyncpg.DeadlockDetectedError,
        asyncpg.TooManyConnectionsError,
        asyncpg.CannotConnectNowError,
        ConnectionError,
    )
    return isinstance(exc, transient)


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def bundled_migrations(dialect: Dialect = SQLITE) -> list[Migration]:
    """The numbered `.sql` files shipped in `bot/store/migrations` (SQLite, from 1) or its
    `postgresql/` folder (from the baseline that matched SQLite's schema when PostgreSQL
    support came, 10), in order. Both end at the same number: one schema version."""
    folder = resources.files("bot.store.migrations")
    if dialect.name != SQLITE.name:
        folder = folder.joinpath(dialect.name)
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    first = versions[0] if versions and dialect.name != SQLITE.name else 1
    if versions != list(range(first, first + len(found))):
        raise StoreError(f"migrations must be numbered without gaps, found {versions}")
    return found


class Database:
    """Owns one aiosqlite connection in WAL mode.

    Single statements run in autocommit mode; `transaction()` groups several under one
    lock so concurrent coroutines never interleave inside a transaction. Reads go through a
    second, read-only connection: WAL gives each read a committed snapshot, so a read never
    sees another coroutine's unfinished (possibly rolled-back) transaction and never waits
    for the writer.
    """

    dialect = SQLITE

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

    def describe(self) -> str:
        return f"SQLite {self.path}"

    def exclusive(self, name: str) -> AbstractAsyncContextManager[None]:
        """Nothing to hold: one process owns a SQLite file (its writer lock says so)."""
        return contextlib.nullcontext()

    async def open(self, *, check_writable: bool = True, create: bool = True) -> None:
        """Connect, migrate and open the reader. `check_writable=False` for read-only tools;
        `create=False` for tools that must find an existing database, never make one."""
        if isinstance(self.path, Path):
            if not create and not self.path.exists():
                raise NoDatabaseError(
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
    async def transaction(self) -> AsyncIterator[Transaction]:
        """`async with db.transaction() as tx:` — BEGIN IMMEDIATE … COMMIT, or ROLLBACK."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield SqliteTransaction(self.conn)
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

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self.reader.execute(sql, params) as cursor:
            row: Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
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
