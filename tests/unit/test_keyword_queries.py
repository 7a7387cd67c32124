"""The labelled query sets (tests/data/keyword_queries*.tsv): what members type, in English,
French, Arabic and Darija, with typos and abbreviations — one written with the aliases in
view, one by an author who saw only the titles. In each, at least 95 % must open the
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
SETS = sorted((REPO / "tests" / "data").glob("keyword_queries*.tsv"))
QUERIES = [query for path in SETS for query in read_queries(path)]
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
    assert len(SETS) >= 2 and len(QUERIES) >= 150
    assert {"en", "fr", "ar", "typo", "abbr"} <= kinds


def test_every_label_is_a_shipped_article() -> None:
    slugs = {article.slug for article in load_articles(REPO / "data" / "keywords")}
    assert [q for q in QUERIES if q.slug not in slugs] == []


@pytest.mark.parametrize("path", SETS, ids=[path.stem for path in SETS])
async def test_members_queries_open_the_intended_article(
    service: KeywordService, capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    result = await evaluate(service, read_queries(path))
    with capsys.disabled():
        print(f"\n{path.name}: {result.summary()}")
        for miss in result.misses:
            print(f"  miss {miss}")
    assert result.rate >= REQUIRED, "\n".join([result.summary(), *result.misses])
