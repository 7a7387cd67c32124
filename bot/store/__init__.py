"""All SQL lives in this package. The rest of the bot calls typed methods."""

from __future__ import annotations

from pathlib import Path

from bot.store.database import (
    Database,
    Migration,
    SqlDatabase,
    StoreError,
    Transaction,
    bundled_migrations,
)
from bot.store.guild_settings import GuildSettingsStore


def database_at(location: str | Path) -> SqlDatabase:
    """The bot's state database: PostgreSQL for a `postgresql://` URL, otherwise the SQLite
    file at `location` (a path, or `sqlite:///path`)."""
    text = str(location)
    if text.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresDatabase

        return PostgresDatabase(text)
    return Database(Path(text.removeprefix("sqlite:///")) if text != ":memory:" else text)


__all__ = [
    "Database",
    "GuildSettingsStore",
    "Migration",
    "SqlDatabase",
    "StoreError",
    "Transaction",
    "bundled_migrations",
    "database_at",
]
