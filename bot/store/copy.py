"""Copy the bot's state from one database into another (`challenge-bot migrate-to URL`):
every table of the state, in one transaction on the target, then counted on both sides.
The bot must be stopped meanwhile: the source is read in pages."""

from __future__ import annotations

from dataclasses import dataclass

from bot.store.database import SqlDatabase, StoreError

# Parents before children; the keyword catalogue is content, rebuilt from KEYWORDS_DIR.
STATE_TABLES = (
    "guild_settings",
    "series_runs",
    "series_days",
    "comments",
    "comment_threads",
    "erased_users",
    "granted_roles",
    "member_languages",
    "welcomes",
)
BATCH = 5_000  # rows per read from the source


@dataclass(frozen=True, slots=True)
class TableCopy:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


async def _count(db: SqlDatabase, table: str) -> int:
    row = await db.fetchone(f"SELECT count(*) FROM {table}")
    return int(row[0]) if row is not None else 0


async def _columns(db: SqlDatabase, table: str) -> list[str]:
    row = await db.fetchone(f"SELECT * FROM {table} LIMIT 1")
    if row is None:
        return []
    return list(row.keys())


async def copy_state(source: SqlDatabase, target: SqlDatabase) -> list[TableCopy]:
    """Copy every state table; refuses a target that already holds any state."""
    schemas = await source.user_version(), await target.user_version()
    if schemas[0] != schemas[1]:
        raise StoreError(
            f"schema {schemas[0]} in {source.describe()} but {schemas[1]} in "
            f"{target.describe()}: run the same bot version"
        )
    for table in STATE_TABLES:
        if await _count(target, table):
            raise StoreError(
                f"{target.describe()} already holds rows in {table}: copy into an empty database"
            )
    async with target.transaction() as tx:
        for table in STATE_TABLES:
            columns = await _columns(source, table)
            if not columns:
                continue
            names = ", ".join(columns)
            marks = ", ".join("?" for _ in columns)
            order = ", ".join(str(n) for n in range(1, len(columns) + 1))  # a total order
            offset = 0
            while True:
                rows = await source.fetchall(
                    f"SELECT {names} FROM {table} ORDER BY {order} LIMIT ? OFFSET ?",
                    (BATCH, offset),
                )
                if not rows:
                    break
                await tx.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({marks})",
                    [tuple(row[name] for name in columns) for row in rows],
                )
                offset += len(rows)
    return [
        TableCopy(table, await _count(source, table), await _count(target, table))
        for table in STATE_TABLES
    ]
