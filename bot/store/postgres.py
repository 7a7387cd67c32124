"""The bot's state in PostgreSQL (`DATABASE_URL=postgresql://…`), for several processes.

The same stores, the same SQL (placeholders rewritten by `dialect.postgres_statement`), the
same numbered migrations (`migrations/postgresql/`), applied under an advisory lock so
processes starting together migrate once. Exactly-once holds across processes because every
claim is one conditional UPDATE (`… WHERE state = 'scheduled'`): PostgreSQL lets one of two
concurrent claims change the row and the other sees zero rows changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.store.database import (
    Migration,
    NoDatabaseError,
    Params,
    Row,
    StoreError,
    Transaction,
    bundled_migrations,
)
from bot.store.dialect import POSTGRESQL, postgres_statement

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Connection = PoolConnectionProxy[asyncpg.Record]  # a pooled connection

log = logging.getLogger(__name__)


MIGRATION_LOCK = 0x6D6C646C  # pg_advisory_xact_lock key: one migrating process at a time
_TABLES_OF_OURS = frozenset({"schema_version", "guild_settings", "series_days", "comments"})


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else f"***@{host}"
    return urlunsplit(parts._replace(netloc=netloc))


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for a name (the same in every process)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), signed=True)


def _count(status: str) -> int:
    """Rows changed, from a command tag such as `UPDATE 3` or `INSERT 0 1`."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


async def _version(conn: Connection) -> int:
    """The schema version (0: no bot schema yet)."""
    if not await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL"):
        return 0
    return int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))


class PostgresTransaction:
    """A `Transaction` on one pooled connection, inside `conn.transaction()`."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        statement, args = postgres_statement(sql, params)
        return _count(await self._conn.execute(statement, *args))

    async def executemany(
        self, sql: str, rows: Iterable[Sequence[object] | Mapping[str, object]]
    ) -> None:
        statement, _ = postgres_statement(sql)
        await self._conn.executemany(statement, [postgres_statement(sql, row)[1] for row in rows])

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        statement, args = postgres_statement(sql, params)
        row: Row | None = await self._conn.fetchrow(statement, *args)
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        statement, args = postgres_statement(sql, params)
        return list(await self._conn.fetch(statement, *args))


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database (the bot's state)."""

    dialect = POSTGRESQL

    def __init__(
        self,
        url: str,
        *,
        migrations: list[Migration] | None = None,
        pool_size: int = 10,
    ) -> None:
        self.url = url
        self._migrations = migrations
        if pool_size < 2:
            raise ValueError("pool_size must be at least 2 (a lock holder needs a second one)")
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        # Each held `exclusive` lock keeps a pooled connection and the work under it needs
        # another: at most pool_size - 1 locks at once, so that work always finds one.
        self._lock_slots = asyncio.Semaphore(pool_size - 1)

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreError("the database is not open")
        return self._pool

    @property
    def is_open(self) -> bool:
        return self._pool is not None

    def describe(self) -> str:
        return f"PostgreSQL {redact(self.url)}"

    async def open(self, *, check_writable: bool = True, create: bool = True) -> None:
        """Connect and migrate. `create=False` (read-only tools): the schema must exist."""
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self._pool_size, command_timeout=60
            )
        except (OSError, asyncpg.PostgresError, ValueError) as exc:
            raise StoreError(
                f"DATABASE_URL {redact(self.url)}: can't connect ({type(exc).__name__}: {exc}). "
                "Is the server running, and are the host, port, user and database right?"
            ) from exc
        try:
            if not create and await self.user_version() == 0:
                raise NoDatabaseError(
                    f"DATABASE_URL {redact(self.url)} holds no bot database yet: nothing to read"
                )
            await self.migrate()
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def user_version(self) -> int:
        async with self.pool.acquire() as conn:
            return await _version(conn)

    async def migrate(self) -> int:
        """Apply pending migrations in one transaction, one process at a time."""
        migrations = (
            self._migrations if self._migrations is not None else bundled_migrations(POSTGRESQL)
        )
        latest = migrations[-1].version if migrations else 0
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            current = await self._current(conn)
            if current > latest:
                raise StoreError(
                    f"{self.describe()} was written by a newer version of the bot (schema "
                    f"{current}, this version knows {latest}); upgrade the bot instead"
                )
            pending = [m for m in migrations if m.version > current]
            for migration in pending:
                await conn.execute(migration.sql)
            if pending:
                await conn.execute("DELETE FROM schema_version")
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", latest)
        if pending:
            log.info("Database %s migrated from schema %d to %d", self.describe(), current, latest)
        return latest

    async def _current(self, conn: Connection) -> int:
        """The schema version; refuses a database that holds someone else's tables."""
        rows = await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        tables = {str(row["table_name"]) for row in rows}
        if "schema_version" not in tables:
            if tables - _TABLES_OF_OURS:
                raise StoreError(
                    f"{self.describe()} already holds other tables ({', '.join(sorted(tables))}) "
                    "and none of the bot's: point DATABASE_URL at an empty database of its own"
                )
            await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        return await _version(conn)

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[None]:
        """A session-level advisory lock on `name`, held on its own connection: a process
        that dies frees it with its session, so a crash never leaves a server locked. Holders
        beyond pool_size - 1 wait their turn here (else many servers due at the same moment
        took every connection, each waiting for one more: nothing was ever posted)."""
        key = lock_key(name)
        async with self._lock_slots, self.pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", key)
            try:
                yield
            finally:
                try:
                    await conn.execute("SELECT pg_advisory_unlock($1)", key)
                except BaseException:  # cancelled or lost: close it, or the lock stays pooled
                    conn.terminate()
                    raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """`async with db.transaction() as tx:` — COMMIT on success, ROLLBACK on error."""
        async with self.pool.acquire() as conn, conn.transaction():
            yield PostgresTransaction(conn)

    async def execute(self, sql: str, params: Params = ()) -> int:
        statement, args = postgres_statement(sql, params)
        return _count(await self.pool.execute(statement, *args))

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        statement, args = postgres_statement(sql, params)
        row: Row | None = await self.pool.fetchrow(statement, *args)
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        statement, args = postgres_statement(sql, params)
        return list(await self.pool.fetch(statement, *args))

    async def integrity_check(self) -> list[str]:
        """PostgreSQL checks its own pages; this checks the bot can read its tables."""
        problems = []
        for table in ("series_days", "comments", "guild_settings"):
            try:
                await self.pool.fetchval(f"SELECT count(*) FROM {table}")
            except asyncpg.PostgresError as exc:
                problems.append(f"{table}: {exc}")
        return problems
