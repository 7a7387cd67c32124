"""Which language each member chose, and each server's (a guild setting)."""

from __future__ import annotations

from bot.store.database import SqlDatabase
from bot.store.guild_settings import GuildSettingsStore

SERVER_KEY = "language"  # the guild_settings key /challenge language writes


class LanguageStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.servers = GuildSettingsStore(db)

    async def member(self, user_id: int) -> str | None:
        row = await self.db.fetchone(
            "SELECT language FROM member_languages WHERE user_id = ?", (user_id,)
        )
        return None if row is None else str(row["language"])

    async def choose(self, user_id: int, language: str | None) -> None:
        """Remember `language` for the member; None forgets the choice."""
        if language is None:
            await self.db.execute("DELETE FROM member_languages WHERE user_id = ?", (user_id,))
            return
        await self.db.execute(
            "INSERT INTO member_languages (user_id, language) VALUES (?, ?) "
            "ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, "
            f"chosen_at = {self.db.dialect.now}",
            (user_id, language),
        )

    async def server(self, guild_id: int) -> str | None:
        return await self.servers.get(guild_id, SERVER_KEY)

    async def set_server(self, guild_id: int, language: str | None) -> None:
        if language is None:
            await self.servers.delete(guild_id, SERVER_KEY)
        else:
            await self.servers.set(guild_id, SERVER_KEY, language)
