"""All SQL lives in this package. The rest of the bot calls typed methods."""

from bot.store.database import Database, Migration, StoreError, bundled_migrations
from bot.store.guild_settings import GuildSettingsStore

__all__ = ["Database", "GuildSettingsStore", "Migration", "StoreError", "bundled_migrations"]
