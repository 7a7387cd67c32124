"""KeywordStore and sync_articles against a real SQLite file."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.keywords.loader import load_articles
from bot.keywords.normalise import tokens
from bot.keywords.sync import sync_articles
from bot.store import Database
from bot.store.keywords import KeywordStore, fts_all_of, fts_string

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "keywords"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """The keyword catalogue is always SQLite (FTS5), whatever holds the bot's state."""
    database = Database(tmp_path / "bot.sqlite3")
    await database.open()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def store(db: Database) -> KeywordStore:
    return KeywordStore(db)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    target = tmp_path / "keywords"
    shutil.copytree(FIXTURES, target)
    return target


def test_fts_quoting() -> None:
    assert fts_string('say "hi"') == '"say ""hi"""'
    assert fts_all_of(["a", "", "b"]) == '"a" AND "b"'
    assert fts_all_of(["deep", "lea"], prefix_last=True) == '"deep" AND "lea" *'
    assert fts_all_of([]) == ""


async def test_round_trip(store: KeywordStore) -> None:
    articles = load_articles(FIXTURES)
    await store.replace_all(articles, "abc")
    assert await store.all_articles() == articles
    source = await store.source()
    assert source is not None
    assert (source.fingerprint, source.article_count) == ("abc", len(articles))


async def test_fts_lookups_fold_case_and_accents(store: KeywordStore) -> None:
    await store.replace_all(load_articles(FIXTURES), "abc")
    assert set(await store.match_names(tokens("réseaux de neurones"), limit=5)) == {
        "neural-networks",
        "convolutional-neural-networks",
    }
    assert await store.match_names(["convo"], limit=5, prefix_last=True) == [
        "convolutional-neural-networks"
    ]
    assert await store.match_names(["backpropagation"], limit=5) == []  # body only
    assert await store.match_text(["backpropagation"], limit=5) == ["deep-learning"]
    [(slug, snippet)] = await store.snippets(["backpropagation"], limit=5)
    assert slug == "deep-learning" and "\x02backpropagation\x03" in snippet
    for nasty in ['"', '""', "*", "NEAR", "AND", "-", ":", "title:x", "^", "(", "{title}"]:
        await store.match_names([nasty], limit=5, prefix_last=True)
        await store.match_text([nasty, "deep"], limit=5)


async def test_sync_imports_only_when_content_changes(store: KeywordStore, content: Path) -> None:
    first = await sync_articles(store, content)
    assert first.imported and first.article_count == 7
    again = await sync_articles(store, content)
    assert not again.imported and again.article_count == 7
    extra = content / "extra.md"
    extra.write_text(
        "---\ntitle: Extra\nslug: extra\ncategory: C\n---\nA new article.\n", encoding="utf-8"
    )
    changed = await sync_articles(store, content)
    assert changed.imported and changed.article_count == 8
    assert "extra" in [a.slug for a in await store.all_articles()]


async def test_sync_skips_a_broken_article_and_imports_the_rest(
    store: KeywordStore, content: Path
) -> None:
    await sync_articles(store, content)
    (content / "broken.md").write_text("---\ntitle: Broken\n---\n", encoding="utf-8")
    result = await sync_articles(store, content)
    assert result.imported and result.article_count == 7
    assert any("broken.md:1: missing slug" in p for p in result.problems)
    assert len(await store.all_articles()) == 7
    # Not marked as up to date: the next start reads the folder again and warns again.
    again = await sync_articles(store, content)
    assert again.imported and again.problems == result.problems


def break_every_page(folder: Path) -> None:
    for page in folder.glob("*.md"):
        page.write_text("---\ntitle: Broken\n---\n", encoding="utf-8")


async def test_sync_keeps_old_articles_when_nothing_loads(
    store: KeywordStore, content: Path
) -> None:
    await sync_articles(store, content)
    break_every_page(content)
    result = await sync_articles(store, content)
    assert not result.imported and result.article_count == 7
    assert any("missing slug" in p for p in result.problems)
    assert len(await store.all_articles()) == 7


async def test_sync_into_empty_store_with_broken_content(
    store: KeywordStore, tmp_path: Path
) -> None:
    result = await sync_articles(store, tmp_path / "missing")
    assert not result.imported and result.article_count == 0 and result.problems
