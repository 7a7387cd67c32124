"""The labelled query set (tests/data/keyword_queries.tsv): what members type, in English,
French, Arabic and Darija, with typos and abbreviations. At least 95 % must open the
intended article; the figure and every miss are printed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.keywords.evaluate import evaluate, read_queries
from bot.keywords.loader import load_articles
from bot.keywords.search import KeywordService
from bot.keywords.sync import sync_articles
from bot.store import Database
from bot.store.keywords import KeywordStore

REPO = Path(__file__).resolve().parents[2]
QUERIES = read_queries(REPO / "tests" / "data" / "keyword_queries.tsv")
REQUIRED = 0.95


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[KeywordService]:
    db = Database(tmp_path / "keywords.sqlite3")
    await db.open()
    store = KeywordStore(db)
    await sync_articles(store, REPO / "data" / "keywords")
    yield await KeywordService.load(store)
    await db.close()


def test_the_set_is_large_and_mixed() -> None:
    kinds = {query.kind for query in QUERIES}
    assert len(QUERIES) >= 150
    assert {"en", "fr", "ar", "typo", "abbr"} <= kinds


def test_every_label_is_a_shipped_article() -> None:
    slugs = {article.slug for article in load_articles(REPO / "data" / "keywords")}
    assert [q for q in QUERIES if q.slug not in slugs] == []


async def test_members_queries_open_the_intended_article(
    service: KeywordService, capsys: pytest.CaptureFixture[str]
) -> None:
    result = await evaluate(service, QUERIES)
    with capsys.disabled():
        print(f"\nkeyword query set: {result.summary()}")
        for miss in result.misses:
            print(f"  miss {miss}")
    assert result.rate >= REQUIRED, "\n".join([result.summary(), *result.misses])
