"""Slash commands in French: discord.py's Translator over the message catalogue.

Command strings are catalogue entries with a context per kind of string ("slash
command_name", "slash parameter_description", …), so the name `series` and the word
"series" in a sentence are translated separately. Discord has a French client locale but
no Arabic one: Arabic readers see the English command names, and the bot's replies in Arabic.
"""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n.catalogue import Language, Messages, messages
from bot.i18n.choice import LanguageChoice

# The Discord client locales we have a catalogue for.
DISCORD_LOCALES: dict[discord.Locale, Language] = {discord.Locale.french: Language.FRENCH}


def context_of(location: app_commands.TranslationContextLocation) -> str:
    """The msgctxt of a command string: `slash command_name`, `slash choice_name`, …"""
    return f"slash {location.name}"


def language_of_locale(locale: discord.Locale | str | None) -> Language | None:
    """The catalogue language of a Discord client locale (`fr` → French), if we have one."""
    if locale is None:
        return None
    try:
        return DISCORD_LOCALES.get(discord.Locale(str(locale)))
    except ValueError:
        return None


class CommandTranslator(app_commands.Translator):
    """Names, descriptions, options and choices, looked up per Discord locale."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = DISCORD_LOCALES.get(locale)
        if language is None:
            return None
        return messages(language).lookup(context_of(context.location), string.message)


def describe(
    language: Language,
    location: app_commands.TranslationContextLocation,
    text: str,
) -> str:
    """A command string as a reader of `language` should see it (English if not translated)."""
    return messages(language).lookup(context_of(location), text) or text


async def reader(interaction: discord.Interaction) -> Messages:
    """The messages a private reply to `interaction` uses: the member's choice, else their
    client's language (French), else the server's. Never fails: English at worst."""
    client_language = language_of_locale(interaction.locale)
    languages: LanguageChoice | None = getattr(interaction.client, "languages", None)
    if languages is None:
        return messages(client_language or Language.ENGLISH)
    # the database closing (shutdown) or unreachable: the default words
    return await languages.for_member(interaction.user.id, interaction.guild_id, client_language)
