"""All SQL lives in this package. The rest of the bot calls typed methods."""

from __future__ import annotations

from pathlib import Path

from bot.settings import is_postgres_url
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
    file at `location` (`Settings.database_location` has resolved DATABASE_URL/PATH)."""
    if isinstance(location, str) and is_postgres_url(location):
        from bot.store.postgres import PostgresDatabase

        return PostgresDatabase(location)
    return Database(location)


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
