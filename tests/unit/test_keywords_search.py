"""KeywordService: resolution, autocomplete, search and browsing over a real SQLite store."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.keywords.loader import load_articles
from bot.keywords.model import Found, NotFound, Suggestions
from bot.keywords.search import KeywordService, related_days
from bot.keywords.sync import sync_articles
from bot.store import Database
from bot.store.keywords import KeywordStore
from tests.days import bare_day

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "keywords"
SHIPPED = ROOT / "data" / "keywords"


async def open_service(db_path: Path, directory: Path) -> tuple[Database, KeywordService]:
    db = Database(db_path)
    await db.open()
    store = KeywordStore(db)
    result = await sync_articles(store, directory)
    assert result.article_count > 0, result.problems
    return db, await KeywordService.load(store)


@pytest.fixture(autouse=True)
def no_index_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The service turns a database error into "no hits" plus a warning, so "never raises" is
    true by construction: a lookup that only survived that way fails the test here."""
    caplog.set_level(logging.WARNING, logger="bot.keywords.search")
    yield
    failed = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "bot.keywords.search" and r.levelno >= logging.WARNING
    ]
    assert not failed, f"keyword lookups hit database errors: {failed[:3]}"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[KeywordService]:
    db, service = await open_service(tmp_path / "kw.sqlite3", FIXTURES)
    yield service
    await db.close()


@pytest.fixture
async def shipped(tmp_path: Path) -> AsyncIterator[KeywordService]:
    db, service = await open_service(tmp_path / "shipped.sqlite3", SHIPPED)
    yield service
    await db.close()


def slug_of(result: object) -> str:
    assert isinstance(result, Found), result
    return result.article.slug


@pytest.mark.parametrize(
    ("query", "slug", "via"),
    [
        ("Deep Learning", "deep-learning", "title"),
        ("  deep   LEARNING ", "deep-learning", "title"),
        ("deep-learning", "deep-learning", "slug"),  # the value autocomplete sends
        ("Deep_Learning!", "deep-learning", "title"),
        ("DL", "deep-learning", "alias"),
        ("apprentissage profond", "deep-learning", "alias"),
        ("Apprentissage Profond", "deep-learning", "alias"),
        ("التعلم العميق", "deep-learning", "alias"),
        ("reseaux de neurones", "neural-networks", "alias"),  # accent-less
        ("RÉSEAUX DE NEURONES", "neural-networks", "alias"),
        ("ia dans l education", "ai-in-education", "alias"),
        ("deeplearning", "deep-learning", "title"),  # no separators
        ("apprentissageprofond", "deep-learning", "alias"),
        ("convnet", "convolutional-neural-networks", "alias"),
    ],
)
async def test_exact_names(service: KeywordService, query: str, slug: str, via: str) -> None:
    result = await service.resolve(query)
    assert slug_of(result) == slug
    assert isinstance(result, Found) and result.via == via


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("learning deep", "deep-learning"),
        ("networks neural", "neural-networks"),
        ("neural networks convolutional", "convolutional-neural-networks"),
        ("education in AI", "ai-in-education"),
    ],
)
async def test_word_order(service: KeywordService, query: str, slug: str) -> None:
    result = await service.resolve(query)
    assert slug_of(result) == slug
    assert isinstance(result, Found) and result.via == "fulltext"


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("deep lerning", "deep-learning"),
        ("Deep Leanring", "deep-learning"),
        ("machin learning", "machine-learning"),
        ("nueral networks", "neural-networks"),
        ("deeplerning", "deep-learning"),
        ("convolutionalneuralnetwroks", "convolutional-neural-networks"),
        ("computer visoin", "computer-vision"),
    ],
)
async def test_typos(service: KeywordService, query: str, slug: str) -> None:
    result = await service.resolve(query)
    assert slug_of(result) == slug
    assert isinstance(result, Found) and result.via == "fuzzy"


async def test_partial_name_suggests_all_close_articles(service: KeywordService) -> None:
    result = await service.resolve("neural")
    assert isinstance(result, Suggestions)
    assert 1 <= len(result.articles) <= 3
    assert result.articles[0].slug == "neural-networks"


async def test_body_words_give_suggestions(service: KeywordService) -> None:
    result = await service.resolve("phosphate")
    assert isinstance(result, Suggestions)
    assert [a.slug for a in result.articles] == ["arabic-darija-nlp"]


@pytest.mark.parametrize("query", ["", "   ", "???", "zzzzqqqq", "xylophone orchestra", '"', "*"])
async def test_not_found(service: KeywordService, query: str) -> None:
    assert isinstance(await service.resolve(query), NotFound)


async def test_ranking_is_stable(service: KeywordService) -> None:
    first = await service.resolve("neural")
    for _ in range(5):
        assert await service.resolve("neural") == first
    choices = await service.autocomplete("ne")
    assert await service.autocomplete("ne") == choices


def resolved(result: Found | Suggestions | NotFound) -> list[str]:
    if isinstance(result, Found):
        return [result.article.slug]
    if isinstance(result, Suggestions):
        return [a.slug for a in result.articles]
    return []


@pytest.mark.parametrize(
    ("query", "resolves", "completes", "finds"),
    [
        ('"deep learning"', "deep-learning", "deep-learning", "deep-learning"),
        ('deep" OR "x', "deep-learning", None, None),
        ("deep*", "deep-learning", "deep-learning", "deep-learning"),
        ("NEAR(deep learning)", "deep-learning", "deep-learning", None),
        ("-deep", "deep-learning", "deep-learning", "deep-learning"),
        ("title:deep", None, None, None),
        ("a AND b", None, None, None),
        ("NEAR(", None, None, None),
        ("*", None, None, None),
        ("-", None, None, None),
    ],
)
async def test_fts_syntax_is_just_text(
    service: KeywordService,
    query: str,
    resolves: str | None,
    completes: str | None,
    finds: str | None,
) -> None:
    # FTS operators are searched as words (no syntax error, see `no_index_errors`)
    result = await service.resolve(query)
    assert resolves in resolved(result) if resolves else isinstance(result, NotFound), result
    if query == '"deep learning"':
        assert isinstance(result, Found)  # quotes around an exact title still find it
    choices = [c.value for c in await service.autocomplete(query)]
    if completes:
        assert completes in choices, choices
    hits = [hit.article.slug for hit in await service.search(query)]
    assert (finds in hits) if finds else hits == [], hits


async def test_query_is_capped(service: KeywordService) -> None:
    long = "deep learning " + "x" * 6000
    result = await service.resolve(long)
    assert not isinstance(result, Found) or result.article.slug == "deep-learning"
    assert len(await service.autocomplete(long)) <= 25


async def test_autocomplete_empty_lists_titles_alphabetically(service: KeywordService) -> None:
    choices = await service.autocomplete("")
    names = [c.name for c in choices]
    assert names == sorted(names, key=str.casefold)
    assert names[0] == "AI in Education"
    assert all(c.value in service.articles for c in choices)


async def test_autocomplete_prefix_first_one_choice_per_article(service: KeywordService) -> None:
    choices = await service.autocomplete("neu")
    assert choices[0].value == "neural-networks"
    values = [c.value for c in choices]
    assert len(values) == len(set(values))
    assert "convolutional-neural-networks" in values  # a word inside the title


async def test_autocomplete_matches_aliases_and_shows_them(service: KeywordService) -> None:
    choices = await service.autocomplete("apprentissage p")
    assert choices[0].value == "deep-learning"
    assert "apprentissage profond" in choices[0].name
    accentless = await service.autocomplete("reseaux de")
    assert {"neural-networks", "convolutional-neural-networks"} <= {c.value for c in accentless}


async def test_autocomplete_no_separator_and_typo(service: KeywordService) -> None:
    assert (await service.autocomplete("deeplea"))[0].value == "deep-learning"
    assert "computer-vision" in {c.value for c in await service.autocomplete("computr vis")}


async def test_autocomplete_payload_limits(service: KeywordService) -> None:
    for query in ("", "a", "learning", "ع", "x" * 300):
        choices = await service.autocomplete(query)
        assert len(choices) <= 25
        for choice in choices:
            assert 1 <= len(choice.name) <= 100
            assert 1 <= len(choice.value) <= 100


async def test_search_marks_matches(service: KeywordService) -> None:
    hits = await service.search("backpropagation gradients")
    assert [h.article.slug for h in hits] == ["deep-learning"]
    assert "\x02backpropagation\x03" in hits[0].snippet
    assert len(await service.search("the")) <= 5
    assert await service.search("") == []


async def test_search_corrects_typos(service: KeywordService) -> None:
    hits = await service.search("backpropagaton")
    assert hits and hits[0].article.slug == "deep-learning"


async def test_categories(service: KeywordService) -> None:
    assert service.categories[0] == "Applications"
    assert [a.slug for a in service.in_category("foundations")] == [
        "deep-learning",
        "machine-learning",
        "neural-networks",
    ]
    assert len(service.in_category(None)) == len(service)
    assert service.in_category("nope") == []
    choices = service.complete_category("found")
    assert [c.value for c in choices] == ["Foundations"]
    assert choices[0].name == "Foundations (3)"


def test_related_days_match_title_slug_or_alias() -> None:
    article = next(a for a in load_articles(FIXTURES) if a.slug == "arabic-darija-nlp")
    days = [
        bare_day(3, "Agriculture", ("machine learning",)),
        bare_day(1, "Education", ("arabic and darija nlp",)),
        bare_day(7, "Innovation", ("Darija NLP",)),
        bare_day(9, "Other"),
    ]
    assert [d.number for d in related_days(article, days)] == [1, 7]


# --- shipped content ---------------------------------------------------------------------------


async def test_every_shipped_article_found_by_title_and_each_alias(shipped: KeywordService) -> None:
    assert len(shipped) >= 60
    for article in shipped.articles.values():
        for name in (article.title, *article.aliases, article.slug):
            result = await shipped.resolve(name)
            assert isinstance(result, Found), (name, result)
            assert result.article.slug == article.slug, (name, result.article.slug)


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("deep learning", "deep-learning"),
        ("apprentissage profond", "deep-learning"),
        ("deep lerning", "deep-learning"),
        ("deeplearning", "deep-learning"),
        ("apprentissageprofond", "deep-learning"),
        ("learning deep", "deep-learning"),
        ("reseaux de neurones artificiels", "neural-networks"),
        ("reseaux de neurones", "neural-networks"),
        ("Réseaux  de   Neurones", "neural-networks"),
        ("natural langauge processing", "natural-language-processing"),
        ("RAG", "retrieval-augmented-generation"),
    ],
)
async def test_shipped_queries(shipped: KeywordService, query: str, slug: str) -> None:
    assert slug_of(await shipped.resolve(query)) == slug


async def test_shipped_days_link_to_articles(shipped: KeywordService) -> None:
    from bot.series.loader import load_series

    days = list(load_series(ROOT / "data" / "challenges"))
    tagged = {tag for day in days for tag in day.keywords}
    matched = [a.slug for a in shipped.articles.values() if related_days(a, days)]
    assert "ai-in-education" in matched
    assert len(matched) >= len(tagged) // 2


async def test_autocomplete_stops_at_25_choices(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    titles = [f"Computer Vision {n:02}" for n in range(1, 31)] + [
        f"Vision {n:02}" for n in range(1, 11)
    ]
    for title in titles:
        slug = title.lower().replace(" ", "-")
        front = f"---\ntitle: {title}\nslug: {slug}\ncategory: Tests\n---\n"
        (folder / f"{slug}.md").write_text(f"{front}About {title}.\n", encoding="utf-8")
    db, service = await open_service(tmp_path / "kw.sqlite3", folder)
    try:
        # Thirty titles start with "computer": the first 25 by name fill the list.
        by_prefix = await service.autocomplete("computer")
        assert [c.value for c in by_prefix] == [f"computer-vision-{n:02}" for n in range(1, 26)]
        # Ten titles start with "vision"; titles with the word "vision" fill the rest.
        mixed = [c.value for c in await service.autocomplete("vision")]
        assert len(mixed) == 25
        assert mixed[:10] == [f"vision-{n:02}" for n in range(1, 11)]
        assert all(slug.startswith("computer-vision-") for slug in mixed[10:])
    finally:
        await db.close()
