"""Keyword embeds and buttons stay inside Discord's limits and never ping."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import discord
import pytest

from bot.i18n import ENGLISH
from bot.keywords.loader import load_articles
from bot.keywords.model import Article, SearchHit
from bot.rendering.keywords import (
    article_pages,
    browse_pages,
    echo,
    highlight,
    not_found_text,
    render_article,
    render_search,
    suggestions_text,
    summary_of,
)
from cogs.views.keywords import ArticleView, BrowseView, SuggestionView
from tests.days import bare_day

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = {a.slug: a for a in load_articles(ROOT / "tests" / "fixtures" / "keywords")}
SHIPPED = load_articles(ROOT / "data" / "keywords")
DAYS = [bare_day(1, "Education"), bare_day(10, "AI Talent")]


def lookup(slug: str) -> Article | None:
    return FIXTURES.get(slug)


def check_view(view: discord.ui.View) -> None:
    ids = [item.custom_id for item in view.children if isinstance(item, discord.ui.Button)]
    assert len(ids) == len(set(ids))
    rows: dict[int, int] = {}
    for item in view.children:
        assert isinstance(item, discord.ui.Button)
        assert item.custom_id and len(item.custom_id) <= 100
        assert item.label and 1 <= len(item.label) <= 80
        rows[item.row or 0] = rows.get(item.row or 0, 0) + 1
    assert all(count <= 5 for count in rows.values()) and len(rows) <= 5


def check_embed(embed: discord.Embed) -> None:
    assert len(embed) <= 6000
    assert embed.title and len(embed.title) <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert len(field.name) <= 256 and 1 <= len(field.value) <= 1024


def test_summary_is_the_first_paragraphs() -> None:
    body = "First paragraph.\n\nSecond one.\n\n" + "x " * 800
    assert summary_of(body) == "First paragraph.\n\nSecond one."
    long_first = "word " * 400
    assert len(summary_of(long_first)) <= 1000


def test_long_article_pages() -> None:
    vision = FIXTURES["computer-vision"]
    pages = article_pages(vision)
    assert len(pages) >= 3  # summary + at least two full-text pages
    assert all(len(page) <= 4096 for page in pages)
    assert "".join(pages[1:]).replace("\n", "") == vision.body.replace("\n", "")
    assert article_pages(FIXTURES["machine-learning"]) == [FIXTURES["machine-learning"].body]


async def test_article_view_pages_and_related() -> None:
    view = ArticleView(42, FIXTURES["computer-vision"], lookup=lookup, days_for=lambda a: DAYS)
    check_view(view)
    labels = [b.label for b in view.children]  # type: ignore[attr-defined]
    assert labels[:2] == ["Previous", "Read more"]
    assert labels[2:] == ["Convolutional Neural Networks", "Deep Learning"]
    assert view.children[0].disabled  # type: ignore[attr-defined]
    first = view.embed()
    check_embed(first)
    assert [f.name for f in first.fields] == ["Category", "Also known as", "In the challenge"]
    assert "Day 10: AI Talent" in first.fields[2].value
    assert first.url == "https://example.org/computer-vision"
    view.show(view.article, len(view.pages) - 1)
    assert view.children[1].disabled and view.children[1].label == "Next"  # type: ignore[attr-defined]
    check_embed(view.embed())
    assert not view.embed().fields
    view.show(FIXTURES["machine-learning"])
    assert [b.label for b in view.children] == ["Deep Learning"]  # type: ignore[attr-defined]


async def test_every_shipped_article_renders_within_limits() -> None:
    by_slug = {a.slug: a for a in SHIPPED}
    for article in SHIPPED:
        view = ArticleView(1, article, lookup=by_slug.get, days_for=lambda a: DAYS)
        check_view(view)
        for page in range(len(view.pages)):
            view.show(article, page)
            check_embed(view.embed())


async def test_suggestions_and_browse_views() -> None:
    picks = [FIXTURES["neural-networks"], FIXTURES["deep-learning"]]
    view = SuggestionView(7, picks, lookup=lookup, days_for=lambda a: [])
    check_view(view)
    assert [b.label for b in view.children] == [  # type: ignore[attr-defined]
        "Did you mean Neural Networks?",
        "Did you mean Deep Learning?",
    ]
    long = Article("x", "T" * 100, "C", "body")
    check_view(SuggestionView(7, [long], lookup=lookup, days_for=lambda a: []))
    pages = browse_pages(SHIPPED)
    browse = BrowseView(7, None, pages)
    check_view(browse)
    assert browse.previous.disabled and not browse.next.disabled
    for index in range(len(pages)):
        browse.page = index
        check_embed(browse.embed())


async def test_only_the_owner_may_click() -> None:
    view = ArticleView(42, FIXTURES["deep-learning"], lookup=lookup, days_for=lambda a: [])
    sent: list[tuple[str, bool]] = []

    async def send_message(text: str, *, ephemeral: bool = False) -> None:
        sent.append((text, ephemeral))

    stranger = SimpleNamespace(
        user=SimpleNamespace(id=1), response=SimpleNamespace(send_message=send_message)
    )
    assert not await view.interaction_check(stranger)  # type: ignore[arg-type]
    assert sent and sent[0][1] and "yourself" in sent[0][0]
    owner = SimpleNamespace(user=SimpleNamespace(id=42))
    assert await view.interaction_check(owner)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query",
    ["@everyone hi", "<@123456789012345678> **bold** `code`", "a\nb\x00c", "x" * 6000, "@here"],
)
def test_echoes_are_inert(query: str) -> None:
    for text in (not_found_text(ENGLISH, query), suggestions_text(ENGLISH, query), echo(query)):
        assert len(text) <= 2000 and "\n" not in text and "\x00" not in text
        assert (
            "@everyone" not in text and "@here" not in text and "<@123456789012345678>" not in text
        )
    assert "\\*\\*bold\\*\\*" in echo("<@123456789012345678> **bold**")


def test_search_embed_highlights_and_escapes() -> None:
    hit = SearchHit(FIXTURES["deep-learning"], "…uses \x02backprop\x03 and *stars* @everyone…")
    assert highlight(hit.snippet) == "…uses **backprop** and \\*stars\\* @\u200beveryone…"
    embed = render_search(ENGLISH, "backprop @here", [hit] * 5)
    check_embed(embed)
    assert "@here" not in (embed.title or "")
    assert embed.fields[0].value.endswith("`/keyword deep-learning`")


def test_render_article_clamps_page() -> None:
    embed = render_article(ENGLISH, FIXTURES["deep-learning"], 99, ["only page"])
    assert embed.description == "only page"
