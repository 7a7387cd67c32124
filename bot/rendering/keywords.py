"""Keyword articles as Discord embeds and buttons: /keyword, /keywords and /search.

An article opens on a summary with its category, other names and the challenge days tagged
with it: for French and Arabic readers the article's own summary in their language (front
matter `summary_fr`, `summary_ar`), else its first paragraphs (≤ SUMMARY_CHARS); "Read more"
pages through the full (English) text, each page ≤ 4096 characters, and related articles are
buttons. Every echo of what a member
typed is one line, escaped Markdown, and can't mention anyone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import discord

from bot.i18n import ENGLISH, Language, Messages
from bot.keywords.model import HIGHLIGHT_END, HIGHLIGHT_START, Article, SearchHit
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_NAME,
    EMBED_FIELD_VALUE,
    EMBED_FOOTER,
    EMBED_TITLE,
    MESSAGE_CONTENT,
    defuse_mentions,
    one_line,
    truncate,
)
from bot.rendering.markdown import split_markdown
from bot.rendering.meta import BRAND_COLOUR
from bot.series.model import ChallengeDay

SUMMARY_CHARS = 1000  # the first page: a summary that reads in a few seconds
PAGE_CHARS = EMBED_DESCRIPTION - 96  # full-text pages, with room to spare
ECHO_CHARS = 100  # how much of a member's query is repeated back
BROWSE_PAGE = 15  # articles per /keywords page


ArticleLookup = Callable[[str], Article | None]
DaysFor = Callable[[Article], Sequence[ChallengeDay]]


def echo(text: str, limit: int = ECHO_CHARS) -> str:
    """A member's text shown back: one line, shortened, no Markdown, no mentions."""
    printable = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    shown = truncate(one_line(printable), limit)
    return defuse_mentions(discord.utils.escape_markdown(discord.utils.escape_mentions(shown)))


def summary_of(body: str, limit: int = SUMMARY_CHARS) -> str:
    """The first paragraph(s) of `body` that fit in `limit` characters (at least one, cut)."""
    paragraphs = [p.strip() for p in body.strip().split("\n\n") if p.strip()]
    taken: list[str] = []
    for paragraph in paragraphs:
        candidate = "\n\n".join([*taken, paragraph])
        if len(candidate) > limit:
            break
        taken.append(paragraph)
    if not taken:
        return truncate(paragraphs[0] if paragraphs else "", limit)
    return "\n\n".join(taken)


def article_pages(article: Article, tr: Messages = ENGLISH) -> list[str]:
    """Page 0 is the summary (in the reader's language when the article has one); pages 1…
    the full text when it says more than the summary."""
    own = article.summary(tr.language.value) if tr.language is not Language.ENGLISH else None
    if own is not None:
        return [own, *split_markdown(article.body, PAGE_CHARS)]
    summary = summary_of(article.body)
    if summary.strip() == article.body.strip():
        return [summary]
    return [summary, *split_markdown(article.body, PAGE_CHARS)]


def local_names(article: Article, language: Language) -> tuple[str, ...]:
    """The article's other names, those in the reader's language first."""
    own = {Language.FRENCH: article.french, Language.ARABIC: article.arabic}.get(language, ())
    return (*own, *(a for a in article.aliases if a not in own))


def render_article(
    tr: Messages,
    article: Article,
    page: int,
    pages: Sequence[str],
    days: Sequence[ChallengeDay] = (),
) -> discord.Embed:
    page = max(0, min(page, len(pages) - 1))
    names = local_names(article, tr.language)
    own = {Language.FRENCH: article.french, Language.ARABIC: article.arabic}.get(tr.language)
    title = f"{article.title} · {own[0]}" if own else article.title
    embed = discord.Embed(
        title=truncate(title, EMBED_TITLE),
        description=truncate(pages[page], EMBED_DESCRIPTION),
        colour=BRAND_COLOUR,
        url=article.url or None,
    )
    if page == 0:
        embed.add_field(name=tr._("Category"), value=truncate(article.category, EMBED_FIELD_VALUE))
        if names:
            embed.add_field(
                name=tr._("Also known as"),
                value=truncate(tr.join(names), EMBED_FIELD_VALUE),
                inline=False,
            )
        if days:
            lines = "\n".join(
                tr._("Day {day}: {title}", day=day.number, title=one_line(day.title))
                for day in days
            )
            embed.add_field(
                name=tr._("In the challenge"),
                value=truncate(lines, EMBED_FIELD_VALUE),
                inline=False,
            )
    command = f"/keyword {article.slug}"
    if len(pages) > 1 and page == 0:
        footer = tr._("summary · {command}", command=command)
    elif len(pages) > 1:
        footer = tr._(
            "full article, part {part} of {parts} · {command}",
            part=page,
            parts=len(pages) - 1,
            command=command,
        )
        if tr.language is not Language.ENGLISH:
            footer = tr._(
                "full article (in English), part {part} of {parts} · {command}",
                part=page,
                parts=len(pages) - 1,
                command=command,
            )
    else:
        footer = command
    embed.set_footer(text=truncate(footer, EMBED_FOOTER))
    return embed


def not_found_text(tr: Messages, query: str) -> str:
    return tr._(
        "I couldn't find an article for “{query}”. Try `/keywords` to browse by "
        "category, or `/search` to look inside the articles.",
        query=echo(query),
    )


def suggestions_text(tr: Messages, query: str) -> str:
    return tr._("No article is called “{query}”. Did you mean one of these?", query=echo(query))


def render_search(tr: Messages, query: str, hits: Sequence[SearchHit]) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(tr._("Search: {query}", query=echo(query)), EMBED_TITLE),
        colour=BRAND_COLOUR,
    )
    for hit in hits:
        embed.add_field(
            name=truncate(hit.article.title, EMBED_FIELD_NAME),
            value=truncate(highlight(hit.snippet) or "…", EMBED_FIELD_VALUE - 60)
            + f"\n`/keyword {hit.article.slug}`",
            inline=False,
        )
    embed.set_footer(text=tr._("Top matches inside the articles (in English)"))
    return embed


def no_search_hits_text(tr: Messages, query: str) -> str:
    return tr._(
        "Nothing in the articles matches “{query}”. Try fewer or different words.",
        query=echo(query),
    )


def highlight(snippet: str) -> str:
    """A marked snippet as Discord text: Markdown escaped, matches in **bold**, one line."""
    escaped = discord.utils.escape_markdown(discord.utils.escape_mentions(one_line(snippet)))
    text = escaped.replace(HIGHLIGHT_START, "**").replace(HIGHLIGHT_END, "**")
    return defuse_mentions(text)


def browse_pages(
    articles: Sequence[Article], *, per_page: int = BROWSE_PAGE
) -> list[list[Article]]:
    return [list(articles[i : i + per_page]) for i in range(0, len(articles), per_page)] or [[]]


def render_browse(
    tr: Messages, category: str | None, chunk: Sequence[Article], page: int, pages: int
) -> discord.Embed:
    if category:
        title = tr._("Keywords — {category}", category=one_line(category))
    else:
        title = tr._("All keywords")
    lines: list[str] = []
    current = None
    for article in chunk:
        if not category and article.category != current:
            current = article.category
            lines.append(f"__{discord.utils.escape_markdown(current)}__")
        aliases = local_names(article, tr.language)[:2]
        names = f" · {truncate(tr.join(aliases), 80)}" if aliases else ""
        lines.append(f"**{article.title}** `{article.slug}`{names}")
    embed = discord.Embed(
        title=truncate(title, EMBED_TITLE),
        description=truncate("\n".join(lines) or tr._("No articles here."), EMBED_DESCRIPTION),
        colour=BRAND_COLOUR,
    )
    embed.set_footer(
        text=tr._("Page {page} of {pages} · open one with /keyword", page=page + 1, pages=pages)
    )
    return embed


def unknown_category_text(tr: Messages, category: str, categories: Sequence[str]) -> str:
    text = tr._(
        "There's no category “{category}”. Categories: {known}.",
        category=echo(category),
        known=tr.join(categories),
    )
    return truncate(text, MESSAGE_CONTENT)


# --- Views ------------------------------------------------------------------------------------
