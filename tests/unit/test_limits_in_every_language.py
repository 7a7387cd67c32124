"""Every rendered message stays within Discord's limits in English, French and Arabic, with
the longest inputs members and organisers can produce (French and Arabic run longer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.comments.model import Comment, DayPage, DayTotals, UserDayCount, UserSummary
from bot.i18n import Language, Messages, messages
from bot.keywords.loader import load_articles
from bot.members.participation import Participant, ReactedComment, Streak, rank, summarise
from bot.rendering.comments import erased_text, forget_prompt, render_day_page, render_my_data
from bot.rendering.keywords import (
    article_pages,
    browse_pages,
    not_found_text,
    render_article,
    suggestions_text,
    unknown_category_text,
)
from bot.rendering.language import render_language, render_server_language
from bot.rendering.limits import EMBED_TOTAL, MESSAGE_CONTENT
from bot.rendering.members import (
    render_congratulations,
    render_leaderboard,
    render_recap,
    render_stats,
    render_streak,
)
from bot.rendering.meta import HelpEntry, render_about, render_help
from bot.rendering.series import render_status
from bot.series.config import effective_config
from bot.series.status import SeriesStatus
from bot.settings import Settings
from cogs.views.keywords import ArticleView, BrowseView
from tests.unit.test_render_series import AT, row

LANGUAGES = [pytest.param(messages(language), id=language.value) for language in Language]
LONG_NAME = "𝓐" * 32 + " @everyone " + "ع" * 60
LONG_SERIES = "ML & DL Morocco Challenges — " + "édition spéciale " * 4
WHEN = datetime(2026, 12, 1, 9, tzinfo=UTC)
ARTICLES = load_articles(Path(__file__).resolve().parents[2] / "data" / "keywords")
ARTICLE_BY_SLUG = {a.slug: a for a in ARTICLES}


def legal_embed(embed: discord.Embed) -> None:
    assert len(embed) <= EMBED_TOTAL
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for field in embed.fields:
        assert 1 <= len(field.name or "") <= 256 and 1 <= len(field.value or "") <= 1024
    assert len(embed.footer.text or "") <= 2048


def legal_text(text: str) -> None:
    assert 1 <= len(text) <= MESSAGE_CONTENT


def legal_view(view: discord.ui.View) -> None:
    for item in view.children:
        if isinstance(item, discord.ui.Button):
            assert item.label and 1 <= len(item.label) <= 80


@pytest.mark.parametrize("tr", LANGUAGES)
def test_members_messages(tr: Messages) -> None:
    people = [
        Participant(n, f"{LONG_NAME} {n}", frozenset(range(1, 13)), 999, n) for n in range(1, 40)
    ]
    ranked = rank(people)
    legal_embed(render_leaderboard(tr, ranked, LONG_SERIES, me=ranked[-1]))
    legal_embed(render_leaderboard(tr, [], LONG_SERIES, me=None))
    totals = [DayTotals(day, 10_000 + day, 5_000) for day in range(1, 13)]
    legal_embed(render_stats(tr, summarise(totals, [], []), LONG_SERIES, chart=True))
    top = [ReactedComment(555, 44, LONG_NAME, 1234, "x" * 3000) for _ in range(3)]
    legal_embed(render_recap(tr, 9, 3, "T" * 300, DayTotals(3, 12_345, 6_789), top))
    legal_embed(render_recap(tr, 9, 3, "T" * 300, DayTotals(3, 0, 0), []))
    for answered in (True, False):
        legal_embed(
            render_streak(
                tr, Streak(11, 12, 12, 12), today_day=12, today_thread=77, answered_today=answered
            )
        )
    legal_text(render_congratulations(tr, LONG_NAME, [("R" * 100, 12), ("S" * 100, 6)], 12))


@pytest.mark.parametrize("tr", LANGUAGES)
def test_comments_messages(tr: Messages) -> None:
    comments = [
        Comment(
            guild_id=1,
            thread_id=2,
            message_id=n,
            day=3,
            author_id=n,
            author_name=LONG_NAME,
            content="x " * 2000,
            created_at=WHEN,
        )
        for n in range(1, 11)
    ]
    page = DayPage(DayTotals(3, 9_999, 999), comments, 0, 100)
    legal_embed(render_day_page(tr, 3, page))
    summary = UserSummary(
        7, tuple(UserDayCount(d, 999, WHEN, WHEN) for d in range(1, 13)), erased_at=WHEN
    )
    for language in (None, *Language):
        legal_embed(render_my_data(tr, summary, LONG_SERIES, language))
    legal_text(forget_prompt(tr))
    legal_text(erased_text(tr, 12_345, WHEN))


@pytest.mark.parametrize("tr", LANGUAGES)
def test_keyword_messages(tr: Messages) -> None:
    days = []
    for article in ARTICLES:
        pages = article_pages(article, tr)
        for page in range(len(pages)):
            legal_embed(render_article(tr, article, page, pages, days))
        view = ArticleView(1, article, lookup=ARTICLE_BY_SLUG.get, days_for=lambda _: days, tr=tr)
        legal_view(view)
        view.stop()
    query = "q" * 500
    legal_text(not_found_text(tr, query))
    legal_text(suggestions_text(tr, query))
    legal_text(unknown_category_text(tr, query, sorted({a.category for a in ARTICLES}) * 20))
    browse = BrowseView(1, None, browse_pages(ARTICLES), tr=tr)
    legal_embed(browse.embed())
    legal_view(browse)
    browse.stop()


@pytest.mark.parametrize("tr", LANGUAGES)
def test_readers_of_french_and_arabic_see_their_summary_first(tr: Messages) -> None:
    article = next(a for a in ARTICLES if a.slug == "deep-learning")
    pages = article_pages(article, tr)
    if tr.language is Language.ENGLISH:
        assert pages[0] == article.body.split("\n\n")[0] or pages[0] in article.body
    else:
        assert pages[0] == article.summary(tr.language.value)
        assert len(pages) > 1 and pages[1] in article.body  # the English text behind Read more


def test_every_article_has_both_summaries() -> None:
    missing = [a.slug for a in ARTICLES if not (a.summary("fr") and a.summary("ar"))]
    assert missing == []


@pytest.mark.parametrize("tr", LANGUAGES)
def test_meta_and_language_messages(tr: Messages) -> None:
    entries = [HelpEntry(f"command{n}", "d" * 100, n % 2 == 0) for n in range(60)]
    legal_embed(render_help(tr, entries, LONG_SERIES))
    legal_embed(render_about(tr, LONG_SERIES))
    for chosen in (None, *Language):
        for changed in (True, False):
            legal_text(render_language(tr, chosen, Language.ARABIC, changed=changed))
    for language in Language:
        legal_text(render_server_language(tr, language, default=False))


@pytest.mark.parametrize("tr", LANGUAGES)
def test_status(tr: Messages) -> None:
    settings = Settings(_env_file=None, guild_id=1, challenge_channel_id=77)  # type: ignore[call-arg]
    rows = [row(day, "posting", error="HTTP 503 " + "e" * 400, attempts=9) for day in range(1, 13)]
    status = SeriesStatus(
        config=effective_config(settings, {}, guild_id=1),
        rows=rows,
        total_days=12,
        next_day=2,
        next_at=AT + timedelta(days=3),
        overdue=list(range(1, 13)),
        now=AT + timedelta(days=3),
        problems=["p" * 300] * 10,
    )
    legal_embed(render_status(tr, status, LONG_SERIES))
