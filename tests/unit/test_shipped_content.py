"""The content shipped in data/ (issue 7's acceptance): twelve sound days that render inside
Discord's limits, 60+ keyword articles with unique names that resolve, and day keywords that
lead to articles."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import ENGLISH
from bot.keywords.loader import load_articles
from bot.keywords.model import Found
from bot.keywords.normalise import name_key, words
from bot.keywords.search import KeywordService, related_days
from bot.keywords.sync import sync_articles
from bot.rendering.days import (
    RenderedMessage,
    render_answers,
    render_day,
    render_day_bundle,
    render_day_summary,
    render_thread_opening,
    thread_name,
)
from bot.series.loader import load_series
from bot.series.model import ChallengeDay
from bot.series.posting import REHEARSAL_NOTE
from bot.series.service import LATE_NOTE
from bot.settings import Settings
from bot.store import Database
from bot.store.keywords import KeywordStore
from devtools.emulator.validation import DiscordError, check_message

REPO = Path(__file__).resolve().parents[2]
DAYS = tuple(load_series(REPO / "data" / "challenges"))
ARTICLES = load_articles(REPO / "data" / "keywords")
MAX_MESSAGES_PER_POST = 5
# The longest marker and role ping a real post carries, and a far-away next post time.
WORST_MARKER = f"{REHEARSAL_NOTE} · {LATE_NOTE} · ref 0123456789abcdef"
PING_ROLE = 2**63 - 1
NEXT_POST = datetime(2099, 12, 31, 23, 59, tzinfo=UTC)


def payload(message: RenderedMessage) -> dict[str, Any]:
    body: dict[str, Any] = {"content": message.content}
    if message.embed is not None:
        body["embeds"] = [message.embed.to_dict()]
    return body


def assert_sendable(messages: list[RenderedMessage], what: str) -> None:
    for index, message in enumerate(messages):
        assert 0 < len(message.content) <= 2000, f"{what} #{index}: {len(message.content)} chars"
        try:
            check_message(payload(message))  # the emulator's copy of Discord's validation
        except DiscordError as exc:
            raise AssertionError(f"{what} #{index}: Discord would refuse it: {exc}") from None


# --- days -------------------------------------------------------------------------------------


def test_twelve_days_numbered_one_to_twelve() -> None:
    assert [day.number for day in DAYS] == list(range(1, 13))
    assert len({day.title for day in DAYS}) == 12


@pytest.mark.parametrize("day", DAYS, ids=lambda d: f"day{d.number}")
def test_every_day_renders_within_discords_limits(day: ChallengeDay) -> None:
    name = Settings.model_fields["series_name"].default
    is_last = day.number == 12
    post = render_day(
        ENGLISH,
        day,
        next_post_at=None if is_last else NEXT_POST,
        series_name=name,
        is_last=is_last,
        ping_role_id=PING_ROLE,
        marker=WORST_MARKER,
    )
    assert 1 <= len(post) <= MAX_MESSAGES_PER_POST
    assert_sendable(post, f"day {day.number} post")
    assert 1 <= len(thread_name(ENGLISH, day)) <= 100
    opening = render_thread_opening(ENGLISH, day)
    assert 1 <= len(opening) <= MAX_MESSAGES_PER_POST and day.questions
    assert_sendable(opening, f"day {day.number} thread opening")
    answers = render_answers(day)
    assert len(answers) <= MAX_MESSAGES_PER_POST
    assert_sendable(answers, f"day {day.number} expert answers")
    bundle = render_day_bundle(
        ENGLISH,
        day,
        next_post_at=None if is_last else NEXT_POST,
        series_name=name,
        is_last=is_last,
        ping_role_id=PING_ROLE,
        marker=WORST_MARKER,
    )
    assert (list(bundle.parts), list(bundle.opening), list(bundle.answers)) == (
        post,
        opening,
        answers,
    )
    summary = RenderedMessage(
        "", render_day_summary(ENGLISH, day, "https://discord.com/channels/1/2/3")
    )
    check_message({"embeds": [summary.embed.to_dict()]})  # type: ignore[union-attr]


# --- articles ---------------------------------------------------------------------------------


def test_at_least_ninety_articles_with_unique_slugs_and_names() -> None:
    assert len(ARTICLES) >= 90
    slugs = Counter(article.slug for article in ARTICLES)
    assert [s for s, n in slugs.items() if n > 1] == []
    owners: dict[str, str] = {}
    for article in ARTICLES:
        for name in {name_key(n) for n in (*article.names, article.slug)}:
            assert name, f"{article.slug}: a name without letters or digits"
            owner = owners.setdefault(name, article.slug)
            assert owner == article.slug, f"{name!r} names both {owner} and {article.slug}"


def test_every_article_has_french_and_arabic_names() -> None:
    arabic = re.compile("[\u0600-\u06ff]")
    wrong = []
    for article in ARTICLES:
        if not article.french:
            wrong.append(f"{article.slug}: no aliases_fr")
        if not article.arabic:
            wrong.append(f"{article.slug}: no aliases_ar")
        wrong += [f"{article.slug}: {n!r} in aliases_ar is not Arabic" for n in article.arabic
                  if not arabic.search(n)]  # fmt: skip
        wrong += [f"{article.slug}: {n!r} in aliases_fr is Arabic" for n in article.french
                  if arabic.search(n)]  # fmt: skip
    assert wrong == []


def test_articles_name_real_days_and_every_day_has_articles() -> None:
    numbers = {day.number for day in DAYS}
    assert [a.slug for a in ARTICLES if not set(a.days) <= numbers] == []
    for day in DAYS:
        assert len([a for a in ARTICLES if day in related_days(a, DAYS)]) >= 3, day.number


def shingles(text: str) -> set[str]:
    found = words(text)
    runs = (" ".join(found[i : i + 7]) for i in range(len(found) - 6))
    return {hashlib.sha256(run.encode()).hexdigest()[:16] for run in runs}


def test_no_prose_is_copied_from_the_seed_pages() -> None:
    """No 7-word run of data/ appears in the seed documents (kept as hashes in tests/data)."""
    lines = (REPO / "tests" / "data" / "seed_shingles.txt").read_text("utf-8").splitlines()
    seeds = {line for line in lines if line and not line.startswith("#")}
    assert len(seeds) > 1000
    copied = []
    for path in sorted((REPO / "data").rglob("*.md")):
        if shared := shingles(path.read_text("utf-8")) & seeds:
            copied.append(f"{path.relative_to(REPO)}: {len(shared)} seven-word run(s)")
    assert copied == []


def test_related_links_resolve() -> None:
    slugs = {article.slug for article in ARTICLES}
    for article in ARTICLES:
        assert set(article.related) <= slugs - {article.slug}, article.slug
        assert article.body.strip() and article.category.strip()


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[KeywordService]:
    db = Database(tmp_path / "keywords.sqlite3")
    await db.open()
    store = KeywordStore(db)
    result = await sync_articles(store, REPO / "data" / "keywords")
    assert result.article_count == len(ARTICLES), result
    yield await KeywordService.load(store)
    await db.close()


async def test_every_article_is_found_by_its_title_and_each_alias(
    service: KeywordService,
) -> None:
    wrong = []
    for article in ARTICLES:
        for name in (*article.names, article.slug):
            result = await service.resolve(name)
            if not isinstance(result, Found) or result.article.slug != article.slug:
                wrong.append(f"{name!r} (of {article.slug}) → {result}")
    assert wrong == []


async def test_each_days_keywords_lead_to_articles(service: KeywordService) -> None:
    wrong = []
    for day in DAYS:
        if not day.keywords:
            wrong.append(f"day {day.number} has no keywords")
        if not any(day in related_days(article, DAYS) for article in ARTICLES):
            wrong.append(f"day {day.number}: no article is tagged by its keywords")
        for keyword in day.keywords:
            result = await service.resolve(keyword)
            if not isinstance(result, Found):
                wrong.append(f"day {day.number}: keyword {keyword!r} → {result}")
    assert wrong == []
