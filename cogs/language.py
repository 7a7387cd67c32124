"""/language: the language the bot speaks to you."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import Language, messages
from bot.i18n.commands import language_of_locale
from bot.rendering.language import render_language
from cogs.checks import member_cooldown

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

AUTOMATIC = "auto"
# The languages' own names: the same in every locale, so a reader finds theirs.
LANGUAGE_CHOICES = [
    app_commands.Choice(name=language.label, value=language.value) for language in Language
]


class LanguageCog(commands.Cog, name="Language"):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot

    @app_commands.command(name="language", description="Choose the language the bot uses with you")
    @app_commands.describe(
        language="English, Français or العربية; Automatic follows your Discord and the server"
    )
    @app_commands.choices(
        language=[*LANGUAGE_CHOICES, app_commands.Choice(name="Automatic", value=AUTOMATIC)]
    )
    @app_commands.guild_only()
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def language(
        self, interaction: discord.Interaction, language: app_commands.Choice[str] | None = None
    ) -> None:
        languages = self.bot.languages
        user_id = interaction.user.id
        client = language_of_locale(interaction.locale)
        changed = language is not None
        if language is not None:
            await languages.choose(user_id, Language.parse(language.value))
        chosen = await languages.chosen(user_id)
        used = await languages.member_language(user_id, interaction.guild_id, client)
        server = await languages.server_language(interaction.guild_id)
        text = render_language(messages(used), chosen, server, changed=changed)
        await interaction.response.send_message(text, ephemeral=True)


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(LanguageCog(bot))
