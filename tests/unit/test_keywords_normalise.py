"""The one normaliser: every written form of a shipped title or alias — case, accents,
Arabic letter variants, diacritics, tatweel, the definite article, French elisions,
plurals, punctuation — folds to the same key and opens its article."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.keywords.loader import load_catalogue
from bot.keywords.model import Found
from bot.keywords.normalise import fold, name_key, squash, text_key, words
from bot.keywords.search import KeywordService
from tests.unit.test_keywords_search import open_service

REPO = Path(__file__).resolve().parents[2]
SHIPPED = REPO / "data" / "keywords"
ARTICLES = load_catalogue(SHIPPED).articles  # test_shipped_content holds them to no problem
NAMES = sorted({(name, a.slug) for a in ARTICLES for name in a.names})
ARABIC_LETTER = range(0x0621, 0x064B)
HARAKAT = "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652"
ALEF_FORMS = "اأإآ"
VOWELS = "aeiouyhéèêàâîôû"
ARTICLES = ("ال", "ٱل", "لل", "وال", "بال", "فال", "كال")


def is_arabic(word: str) -> bool:
    return any(ord(ch) in ARABIC_LETTER for ch in word)


@st.composite
def spelt(draw: st.DrawFn, name: str) -> str:
    """`name` as someone might type it: each word changed by zero or more harmless edits."""
    out = []
    for word in name.split():
        if is_arabic(word):
            if word[0] in ALEF_FORMS and draw(st.booleans()):
                word = draw(st.sampled_from(ALEF_FORMS)) + word[1:]
            if word.endswith(("ة", "ه")) and draw(st.booleans()):
                word = word[:-1] + draw(st.sampled_from("ةه"))
            if word.endswith(("ى", "ي")) and draw(st.booleans()):
                word = word[:-1] + draw(st.sampled_from("ىي"))
            plain = fold(word)
            if not plain.startswith(ARTICLES) and len(plain) >= 2 and draw(st.booleans()):
                word = draw(st.sampled_from(("ال", "ٱل"))) + word  # the article added
            if draw(st.booleans()):  # diacritics and tatweel sprinkled between letters
                marks = st.sampled_from(["", "", "\u0640", *HARAKAT])
                word = "".join(ch + draw(marks) for ch in word)
        elif word.isalpha():
            if draw(st.booleans()):
                word = word.upper() if draw(st.booleans()) else word.lower()
            if draw(st.booleans()):  # accents dropped, as on a keyboard without them
                word = "".join(c for c in unicodedata.normalize("NFKD", word) if c.isascii())
            plain = fold(word)
            if (
                plain.isascii()
                and len(plain) >= 3
                and plain[-1] not in "sxui"
                and draw(st.booleans())
            ):
                word += "s"  # plural
            if plain[0] in VOWELS and draw(st.booleans()):
                word = draw(st.sampled_from(("l'", "L’", "d'"))) + word  # elision
        out.append(word)
    separator = draw(st.sampled_from([" ", "  ", " - ", "_", ", "]))
    return (
        draw(st.sampled_from(["", " ", "« ", "!"]))
        + separator.join(out)
        + draw(st.sampled_from(["", "?", " !", "؟", "."]))
    )


named = st.sampled_from(NAMES).flatmap(lambda pair: st.tuples(spelt(pair[0]), st.just(pair)))
PROPERTY = settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_examples() -> None:
    assert name_key("Les Réseaux de Neurones!") == "les reseau de neurone"
    assert name_key("L'apprentissage automatique") == "apprentissage automatique"
    assert name_key("détection d'objets") == name_key("detection des objets").replace("des ", "")
    assert name_key("LLMs") == name_key("LLM") == "llm"
    assert name_key("الشّبكات العصبيّة") == name_key("شبكات عصبيه") == "شبكات عصبيه"
    assert name_key("إنترنت الأشياء") == name_key("انترنت اشياء")
    assert name_key("للذكاء") == name_key("ذكاء")
    assert name_key("مـعـالـجـة") == name_key("معالجة")
    assert name_key("المغرب الرقمي ٢٠٣٠") == "مغرب رقمي 2030"
    assert name_key("ia dans l education") == name_key("IA dans l'éducation")
    assert name_key("class") == "class" and name_key("analysis") == "analysis"  # not plurals
    assert squash(name_key("Deep learning")) == "deeplearning"
    assert text_key("Réseaux, de neurones") == "reseaux de neurones"  # bodies: no stemming
    assert words("L'IA générative") == ["l", "ia", "generative"]


@PROPERTY
@given(case=named)
def test_every_form_of_a_name_folds_to_its_key(case: tuple[str, tuple[str, str]]) -> None:
    typed, (name, _slug) = case
    assert name_key(typed) == name_key(name), (typed, name)


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[KeywordService]:
    db, service = await open_service(tmp_path / "normalise.sqlite3", SHIPPED)
    yield service
    await db.close()


@PROPERTY
@given(case=named)
async def test_every_form_of_a_name_opens_its_article(
    service: KeywordService, case: tuple[str, tuple[str, str]]
) -> None:
    typed, (name, slug) = case
    result = await service.resolve(typed)
    assert isinstance(result, Found) and result.article.slug == slug, (typed, name, result)
