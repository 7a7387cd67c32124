"""Per-server overrides of settings, written by admin commands."""

from __future__ import annotations

from bot.store.database import SqlDatabase


class GuildSettingsStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    async def get(self, guild_id: int, key: str) -> str | None:
        row = await self.db.fetchone(
            "SELECT value FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
        )
        return None if row is None else str(row["value"])

    async def all(self, guild_id: int) -> dict[str, str]:
        rows = await self.db.fetchall(
            "SELECT key, value FROM guild_settings WHERE guild_id = ? ORDER BY key", (guild_id,)
        )
        return {str(row["key"]): str(row["value"]) for row in rows}

    async def set(self, guild_id: int, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT (guild_id, key) DO UPDATE SET value = excluded.value, "
            f"updated_at = {self.db.dialect.now}",
            (guild_id, key, value),
        )

    async def delete(self, guild_id: int, key: str) -> None:
        await self.db.execute(
            "DELETE FROM guild_settings WHERE guild_id = ? AND key = ?", (guild_id, key)
        )
