"""/keyword, /keywords and /search over the keyword articles."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.content import ContentError
from bot.i18n import Messages
from bot.i18n.commands import reader
from bot.keywords.model import Article, Choice, Found, Suggestions
from bot.keywords.search import KeywordService, related_days
from bot.keywords.sync import sync_articles
from bot.rendering.keywords import (
    browse_pages,
    no_search_hits_text,
    not_found_text,
    render_search,
    suggestions_text,
    unknown_category_text,
)
from bot.series.loader import load_series
from bot.store.keywords import KeywordStore
from cogs.checks import member_cooldown
from cogs.views.keywords import ArticleView, BrowseView, SuggestionView

if TYPE_CHECKING:
    from bot.bot import ChallengeBot
    from bot.series.model import ChallengeDay

log = logging.getLogger(__name__)


def load_days(directory: Path) -> tuple[ChallengeDay, ...]:
    """The challenge days, to show which ones an article is tagged in; () if unreadable."""
    try:
        return tuple(load_series(Path(directory)))
    except (ContentError, OSError) as exc:
        log.warning("Challenge days not loaded for /keyword (%s): %s", directory, exc)
        return ()


def to_choices(choices: Sequence[Choice]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=c.name, value=c.value) for c in choices]


class Keywords(commands.Cog):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.store = KeywordStore(bot.catalogue)
        self.service = KeywordService([], self.store)
        self.days: tuple[ChallengeDay, ...] = ()

    async def cog_load(self) -> None:
        settings = self.bot.settings
        synced = await sync_articles(self.store, Path(settings.keywords_dir))
        self.service = await KeywordService.load(self.store)
        # The bot already parsed the default series' days: reuse them when it did.
        self.days = self.series_days() or await asyncio.to_thread(
            load_days, Path(settings.series_dir)
        )
        if synced.problems:
            log.warning(
                "Keyword lookup ready: %d articles; %d content problem(s) logged above "
                "(run `challenge-bot check`)",
                len(self.service),
                len(synced.problems),
            )
        else:
            log.info("Keyword lookup ready: %d articles", len(self.service))

    def series_days(self) -> tuple[ChallengeDay, ...]:
        """The days of the default series as the bot loaded them; () when none loaded."""
        service = self.bot.series
        series = service.series if service is not None else None
        return tuple(series) if series is not None else ()

    def days_for(self, article: Article) -> list[ChallengeDay]:
        return related_days(article, self.days)

    def article_view(self, owner_id: int, article: Article, tr: Messages) -> ArticleView:
        return ArticleView(
            owner_id, article, lookup=self.service.get, days_for=self.days_for, tr=tr
        )

    @app_commands.command(
        name="keyword", description="Look up an AI keyword (English, French or Arabic)"
    )
    @app_commands.describe(term="A keyword such as deep learning or apprentissage profond")
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def keyword(self, interaction: discord.Interaction, term: str) -> None:
        result = await self.service.resolve(term)
        owner = interaction.user.id
        tr = await reader(interaction)  # the asker's language: their summary, their labels
        if isinstance(result, Found):
            view = self.article_view(owner, result.article, tr)
            await interaction.response.send_message(embed=view.embed(), view=view)
            view.interaction = interaction
        elif isinstance(result, Suggestions):
            choices = SuggestionView(
                owner, result.articles, lookup=self.service.get, days_for=self.days_for, tr=tr
            )
            await interaction.response.send_message(
                suggestions_text(tr, term), view=choices, ephemeral=True
            )
            choices.interaction = interaction
        else:
            await interaction.response.send_message(not_found_text(tr, term), ephemeral=True)

    @keyword.autocomplete("term")
    async def keyword_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return to_choices(await self.service.autocomplete(current))

    @app_commands.command(name="keywords", description="Browse the keyword articles by category")
    @app_commands.describe(category="Only this category (leave empty for all)")
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def keywords(self, interaction: discord.Interaction, category: str | None = None) -> None:
        articles = self.service.in_category(category)
        tr = await reader(interaction)
        if not articles:
            text = unknown_category_text(tr, category or "", self.service.categories)
            await interaction.response.send_message(text, ephemeral=True)
            return
        name = articles[0].category if category and category.strip() else None
        view = BrowseView(interaction.user.id, name, browse_pages(articles), tr=tr)
        await interaction.response.send_message(embed=view.embed(), view=view)
        view.interaction = interaction

    @keywords.autocomplete("category")
    async def category_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return to_choices(self.service.complete_category(current))

    @app_commands.command(name="search", description="Search inside the keyword articles")
    @app_commands.describe(text="Words to look for in the articles")
    @app_commands.checks.dynamic_cooldown(member_cooldown)
    async def search(self, interaction: discord.Interaction, text: str) -> None:
        hits = await self.service.search(text, limit=5)
        tr = await reader(interaction)
        if not hits:
            await interaction.response.send_message(no_search_hits_text(tr, text), ephemeral=True)
            return
        await interaction.response.send_message(embed=render_search(tr, text, hits))


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(Keywords(bot))
