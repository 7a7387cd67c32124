"""The keyword lookups' buttons: an article's pages and related articles, "Did you mean"
picks, and the /keywords browser. Drawing is bot.rendering.keywords'; these only react."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import discord

from bot.i18n import ENGLISH, Messages
from bot.keywords.model import Article
from bot.rendering.keywords import (
    ArticleLookup,
    DaysFor,
    article_pages,
    render_article,
    render_browse,
)
from bot.rendering.limits import BUTTON_LABEL, BUTTONS_PER_ROW, CUSTOM_ID, one_line, truncate
from cogs.views.base import OwnerView, Pager

VIEW_TIMEOUT = 300.0  # read when a view is made (tests shorten it)
RELATED_BUTTONS = 10  # two rows of five


def button_label(text: str) -> str:
    return truncate(one_line(text), BUTTON_LABEL) or "?"


def custom_id(*parts: str) -> str:
    value = ":".join(("kw", *parts))
    if len(value) > CUSTOM_ID:
        raise ValueError(f"custom_id too long: {value!r}")
    return value


class _ArticleButtons(OwnerView):
    """A view whose buttons open articles: how to find one, and its challenge days."""

    def __init__(
        self,
        owner_id: int,
        *,
        lookup: ArticleLookup,
        days_for: DaysFor,
        tr: Messages = ENGLISH,
        timeout: float | None = None,
    ) -> None:
        super().__init__(owner_id, timeout=VIEW_TIMEOUT if timeout is None else timeout)
        self.lookup = lookup
        self.days_for = days_for
        self.tr = tr


class ArticleView(_ArticleButtons):
    """Read more / Previous over an article's pages, and its related articles as buttons."""

    def __init__(
        self,
        owner_id: int,
        article: Article,
        *,
        lookup: ArticleLookup,
        days_for: DaysFor,
        tr: Messages = ENGLISH,
        timeout: float | None = None,
    ) -> None:
        super().__init__(owner_id, lookup=lookup, days_for=days_for, tr=tr, timeout=timeout)
        self.show(article)

    def show(self, article: Article, page: int = 0) -> None:
        self.article = article
        self.pages = article_pages(article, self.tr)
        self.page = max(0, min(page, len(self.pages) - 1))
        self._build()

    def embed(self) -> discord.Embed:
        days = self.days_for(self.article) if self.page == 0 else ()
        return render_article(self.tr, self.article, self.page, self.pages, days)

    def _build(self) -> None:
        self.clear_items()
        if len(self.pages) > 1:
            previous: discord.ui.Button[ArticleView] = discord.ui.Button(
                label=self.tr.p_("button", "Previous"),
                custom_id=custom_id("page", "prev"),
                style=discord.ButtonStyle.secondary,
                disabled=self.page == 0,
                row=0,
            )
            following: discord.ui.Button[ArticleView] = discord.ui.Button(
                label=self.tr._("Read more") if self.page == 0 else self.tr.p_("button", "Next"),
                custom_id=custom_id("page", "next"),
                style=discord.ButtonStyle.primary,
                disabled=self.page >= len(self.pages) - 1,
                row=0,
            )
            previous.callback = self._previous  # type: ignore[method-assign]  # see base.BUTTON_CALLBACKS
            following.callback = self._next  # type: ignore[method-assign]  # see base.BUTTON_CALLBACKS
            self.add_item(previous)
            self.add_item(following)
        related = [a for a in map(self.lookup, self.article.related) if a is not None]
        for index, target in enumerate(related[:RELATED_BUTTONS]):
            button: discord.ui.Button[ArticleView] = discord.ui.Button(
                label=button_label(target.title),
                custom_id=custom_id("rel", target.slug),
                style=discord.ButtonStyle.secondary,
                row=1 + index // BUTTONS_PER_ROW,
            )
            button.callback = self._opener(target.slug)  # type: ignore[assignment]  # see base.BUTTON_CALLBACKS
            self.add_item(button)

    async def _previous(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, self.page - 1)

    async def _next(self, interaction: discord.Interaction) -> None:
        await self._turn(interaction, self.page + 1)

    async def _turn(self, interaction: discord.Interaction, page: int) -> None:
        self.show(self.article, page)
        await interaction.response.edit_message(embed=self.embed(), view=self)

    def _opener(self, slug: str) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def open_related(interaction: discord.Interaction) -> None:
            target = self.lookup(slug)
            if target is None:  # articles were reloaded without it
                await article_gone(self.tr, interaction)
                return
            self.show(target)
            await interaction.response.edit_message(content=None, embed=self.embed(), view=self)

        return open_related


async def article_gone(tr: Messages, interaction: discord.Interaction) -> None:
    """A button points at an article that was removed since (the articles were reloaded)."""
    await interaction.response.send_message(
        tr._("That article isn't available any more."), ephemeral=True
    )


class SuggestionView(_ArticleButtons):
    """Up to three "Did you mean …?" buttons on a private reply; a click turns it into
    that article."""

    def __init__(
        self,
        owner_id: int,
        articles: Sequence[Article],
        *,
        lookup: ArticleLookup,
        days_for: DaysFor,
        tr: Messages = ENGLISH,
        timeout: float | None = None,
    ) -> None:
        super().__init__(owner_id, lookup=lookup, days_for=days_for, tr=tr, timeout=timeout)
        for article in articles[:3]:
            button: discord.ui.Button[SuggestionView] = discord.ui.Button(
                label=button_label(tr._("Did you mean {title}?", title=article.title)),
                custom_id=custom_id("pick", article.slug),
                style=discord.ButtonStyle.primary,
            )
            button.callback = self._picker(article.slug)  # type: ignore[assignment]  # see base.BUTTON_CALLBACKS
            self.add_item(button)

    def _picker(self, slug: str) -> Callable[[discord.Interaction], Coroutine[Any, Any, None]]:
        async def pick(interaction: discord.Interaction) -> None:
            article = self.lookup(slug)
            if article is None:
                await article_gone(self.tr, interaction)
                return
            view = ArticleView(
                self.owner_id, article, lookup=self.lookup, days_for=self.days_for, tr=self.tr
            )
            self.handover(view)
            await interaction.response.edit_message(content=None, embed=view.embed(), view=view)

        return pick


class BrowseView(Pager):
    """Previous/Next through /keywords pages."""

    def __init__(
        self,
        owner_id: int,
        category: str | None,
        pages: list[list[Article]],
        *,
        tr: Messages = ENGLISH,
        timeout: float | None = None,
    ) -> None:
        self.category = category
        self.chunks = pages
        self.tr = tr
        super().__init__(
            owner_id,
            len(pages),
            self.draw,
            timeout=VIEW_TIMEOUT if timeout is None else timeout,
            custom_ids=("kw:browse:prev", "kw:browse:next"),
            tr=tr,
        )

    def draw(self, page: int) -> discord.Embed:
        return render_browse(self.tr, self.category, self.chunks[page], page, len(self.chunks))

    def embed(self) -> discord.Embed:
        """The page shown now."""
        return self.draw(self.page)
