"""Who reads which language.

A member's private replies: their own choice (`/language`) → their Discord client's
language when we have it (French) → the server's language. Public posts (days, recaps,
a welcome in a channel): the server's language — `/challenge language`, else BOT_LANGUAGE.
"""

from __future__ import annotations

from bot.i18n.catalogue import Language, Messages, messages
from bot.store.languages import LanguageStore


class LanguageChoice:
    def __init__(self, store: LanguageStore, default: Language) -> None:
        self.store = store
        self.default = default

    async def server_language(self, guild_id: int | None) -> Language:
        if guild_id is None:
            return self.default
        return Language.parse(await self.store.server(guild_id)) or self.default

    async def member_language(
        self, user_id: int, guild_id: int | None, client: Language | None = None
    ) -> Language:
        """`client`: the language of the member's Discord client, if the bot speaks it."""
        chosen = Language.parse(await self.store.member(user_id))
        return chosen or client or await self.server_language(guild_id)

    async def for_server(self, guild_id: int | None) -> Messages:
        return messages(await self.server_language(guild_id))

    async def for_member(
        self, user_id: int, guild_id: int | None, client: Language | None = None
    ) -> Messages:
        return messages(await self.member_language(user_id, guild_id, client))

    async def chosen(self, user_id: int) -> Language | None:
        """The member's own choice (what /mydata shows), None when they made none."""
        return Language.parse(await self.store.member(user_id))

    async def choose(self, user_id: int, language: Language | None) -> None:
        await self.store.choose(user_id, None if language is None else language.value)

    async def set_server(self, guild_id: int, language: Language | None) -> None:
        await self.store.set_server(guild_id, None if language is None else language.value)
