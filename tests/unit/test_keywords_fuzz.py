"""Property-based fuzzing: no query string makes lookup raise or break Discord's limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.keywords.model import Found, NotFound, Suggestions
from bot.keywords.search import KeywordService
from bot.rendering.keywords import echo
from tests.unit.test_keywords_search import (  # no_index_errors: fail on swallowed DB errors
    FIXTURES,
    no_index_errors,  # noqa: F401
    open_service,
)

FTS_PIECES = ['"', '""', "*", "NEAR", "NEAR(", "AND", "OR", "NOT", "-", ":", "^", "(", ")", "{", "}",
              "title:", "body :", "+", "deep", "learning", "réseaux", "التعلم", "\x00", "\x02", "\u200b"]  # fmt: skip

queries = st.one_of(
    st.text(max_size=300),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x3F), max_size=80),  # controls, punct
    st.lists(st.sampled_from(FTS_PIECES), max_size=12).map(" ".join),
    st.lists(st.sampled_from(FTS_PIECES), max_size=12).map("".join),
    st.builds(lambda unit, count: (unit * count)[:6000], st.text(min_size=1, max_size=7),
              st.integers(800, 6000)),
)  # fmt: skip

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[KeywordService]:
    db, service = await open_service(tmp_path / "fuzz.sqlite3", FIXTURES)
    yield service
    await db.close()


@FUZZ
@given(query=queries)
async def test_resolve_never_raises(service: KeywordService, query: str) -> None:
    result = await service.resolve(query)
    assert isinstance(result, Found | Suggestions | NotFound)
    if isinstance(result, Suggestions):
        assert 1 <= len(result.articles) <= 3
        assert len({a.slug for a in result.articles}) == len(result.articles)


@FUZZ
@given(query=queries)
async def test_autocomplete_payload_is_always_valid(service: KeywordService, query: str) -> None:
    choices = await service.autocomplete(query)
    assert len(choices) <= 25
    assert len({c.value for c in choices}) == len(choices)
    for choice in choices:
        assert 1 <= len(choice.name) <= 100 and choice.name.strip()
        assert 1 <= len(choice.value) <= 100 and choice.value in service.articles


@FUZZ
@given(query=queries)
async def test_search_and_echo_are_safe(service: KeywordService, query: str) -> None:
    assert len(await service.search(query)) <= 5
    shown = echo(query)
    assert len(shown) <= 300 and "\n" not in shown
    assert "@everyone" not in shown and "@here" not in shown
