"""Who reads which language.

A member's private replies: their own choice (`/language`) → their Discord client's
language when we have it (French) → the server's language. Public posts (days, recaps,
a welcome in a channel): the server's language — `/challenge language`, else BOT_LANGUAGE.
The `for_…` methods never fail on the database: unreadable (closing, unreachable), the words
are the default ones, and the reply or post still goes out.
"""

from __future__ import annotations

import logging

from bot.i18n.catalogue import Language, Messages, messages
from bot.store.database import is_database_failure
from bot.store.languages import LanguageStore

log = logging.getLogger(__name__)


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
        """The words of the server's public posts."""
        try:
            return messages(await self.server_language(guild_id))
        except Exception as exc:
            return self._fallback(exc, None, guild_id)

    async def for_member(
        self, user_id: int, guild_id: int | None, client: Language | None = None
    ) -> Messages:
        """The words of a private reply to the member."""
        try:
            return messages(await self.member_language(user_id, guild_id, client))
        except Exception as exc:
            return self._fallback(exc, client, guild_id)

    def _fallback(self, exc: Exception, client: Language | None, guild_id: int | None) -> Messages:
        if not is_database_failure(exc):
            raise exc  # a bug, not the database
        log.warning(
            "Could not read the language for server %s (%s): using the default", guild_id, exc
        )
        return messages(client or self.default)

    async def chosen(self, user_id: int) -> Language | None:
        """The member's own choice (what /mydata shows), None when they made none."""
        return Language.parse(await self.store.member(user_id))

    async def choose(self, user_id: int, language: Language | None) -> None:
        await self.store.choose(user_id, None if language is None else language.value)

    async def set_server(self, guild_id: int, language: Language | None) -> None:
        await self.store.set_server(guild_id, None if language is None else language.value)
