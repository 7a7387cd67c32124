"""MkDocs → Discord Markdown, and splitting long text into messages at good boundaries."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.rendering.markdown import mkdocs_to_discord, split_markdown, strip_html_comments

# --- conversion -----------------------------------------------------------------------------


def test_html_comments_are_removed_entirely() -> None:
    text = "Before.\n\n<!-- 🚀 **[Link](https://x.org)** 🚀 -->\n\nAfter <!-- inline --> end.\n"
    assert mkdocs_to_discord(text) == "Before.\n\nAfter  end."
    assert strip_html_comments("a<!--\nmulti\nline\n-->b") == "ab"
    assert strip_html_comments("a <!-- never closed\n\nrest") == "a "


def test_headings_become_discord_headings_without_bold() -> None:
    text = "# **🧠 Day 1: X 🧠**\n\n## **Why**\n\n### 🧠 **Mr BELMADY**\n\n#### Deep\n"
    assert mkdocs_to_discord(text).split("\n\n") == [
        "# 🧠 Day 1: X 🧠",
        "## Why",
        "### 🧠 Mr BELMADY",
        "### Deep",  # Discord has three heading levels
    ]


def test_double_backticks_become_single_when_safe() -> None:
    assert mkdocs_to_discord("Our ``ML & DL`` series") == "Our `ML & DL` series"
    assert mkdocs_to_discord("- ``A Label``: text") == "- `A Label`: text"
    # Code that contains a backtick keeps MkDocs' double backticks.
    assert mkdocs_to_discord("``a ` b``") == "``a ` b``"
    assert mkdocs_to_discord("``` `x` ```") == "``` `x` ```"


def test_links_are_kept_and_site_relative_links_keep_their_text() -> None:
    text = "See [the report](https://example.org/r?a=1) and [day 2](../day-02.md)."
    assert mkdocs_to_discord(text) == "See [the report](https://example.org/r?a=1) and day 2."


def test_rules_removed_mentions_defused_fences_untouched() -> None:
    text = "a\n\n---\n\nb @everyone\n\n```python\n# not a heading\n``x``\n```\n"
    assert (
        mkdocs_to_discord(text)
        == "a\n\nb @\u200beveryone\n\n```python\n# not a heading\n``x``\n```"
    )


# --- splitting: examples --------------------------------------------------------------------


def test_short_and_blank_text() -> None:
    assert split_markdown("  hello  \n") == ["hello"]
    assert split_markdown(" \n\n ") == []
    with pytest.raises(ValueError):
        split_markdown("x", limit=3)


def test_prefers_a_section_boundary_then_paragraphs() -> None:
    para = "word " * 50  # 250 characters
    text = f"## One\n\n{para}\n\n{para}\n\n## Two\n\n{para}\n\n{para}"
    chunks = split_markdown(text, limit=700)
    assert [c.split("\n", 1)[0] for c in chunks] == ["## One", "## Two"]


def test_never_ends_a_chunk_with_a_heading() -> None:
    para = "x" * 80
    text = f"{para}\n\n{para}\n\n## Heading\n\n{para}"
    for chunk in split_markdown(text, limit=180):
        assert not chunk.rstrip().split("\n")[-1].startswith("#")


def test_over_long_paragraph_is_cut_after_a_sentence_then_between_words() -> None:
    sentence = "This sentence has exactly some words in it. "
    chunks = split_markdown(sentence * 40, limit=500)
    assert all(chunk.endswith(".") for chunk in chunks)
    words = split_markdown("lorem " * 300, limit=100)
    assert all(len(c) <= 100 and not c.startswith(" ") for c in words)
    assert " ".join(words).split() == ["lorem"] * 300


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    chunks = split_markdown("a" * 450, limit=200)
    assert [len(c) for c in chunks] == [200, 200, 50]


def test_emoji_sequences_are_not_cut_apart() -> None:
    family = "👩🏽\u200d💻"
    chunks = split_markdown(family * 100, limit=50)
    assert "".join(chunks) == family * 100
    for chunk in chunks:
        assert not chunk.startswith(("\u200d", "🏽", "💻"))


def test_long_fenced_block_is_closed_and_reopened() -> None:
    code = "\n".join(f"print({i})" for i in range(300))
    text = f"Intro.\n\n```python\n{code}\n```\n\nAfter."
    chunks = split_markdown(text, limit=500)
    assert all(len(c) <= 500 for c in chunks)
    inside = [c for c in chunks if "print(" in c]
    assert len(inside) > 2
    for chunk in inside:
        assert chunk.count("```") % 2 == 0
        assert chunk[chunk.index("```") :].startswith("```python")
    body = "".join(c for c in chunks)
    assert all(f"print({i})" in body for i in range(300))


def test_list_items_stay_whole() -> None:
    items = "\n".join(
        f"{i}. **Point {i}**:\n    - `Label {i}`: {'detail ' * 12}" for i in range(1, 30)
    )
    for chunk in split_markdown(items, limit=600):
        assert chunk.split("\n")[0][0].isdigit()  # each chunk starts with an item
        assert chunk.split("\n")[-1].startswith("    - ")  # and ends with a whole item


def test_a_fenced_block_that_fits_is_never_cut() -> None:
    code = "\n".join(f"line {i}" for i in range(15))
    fenced = f"```\n{code}\n```"
    text = f"Intro line with several words.\n{fenced}\nAfter the block."
    assert split_markdown(text, limit=130) == [
        "Intro line with several words.",
        fenced,
        "After the block.",
    ]


def test_an_unclosed_long_fence_runs_to_the_end_and_is_reopened_at_each_cut() -> None:
    text = "Intro.\n\n```sh\n" + "\n".join(f"echo {i}" for i in range(40))
    chunks = split_markdown(text, limit=100)
    assert all(len(chunk) <= 100 for chunk in chunks)
    assert chunks[0].startswith("Intro.\n\n```sh\necho 0\n")
    assert all(chunk.startswith("```sh\n") for chunk in chunks[1:])
    assert all(chunk.endswith("\n```") for chunk in chunks[:-1])
    # The text never closes the block, so neither does its last chunk.
    assert chunks[-1] == "```sh\n" + "\n".join(f"echo {i}" for i in range(33, 40))


# --- splitting: properties ------------------------------------------------------------------


@dataclass
class Doc:
    """Generated Markdown with the spans a cut must not enter."""

    text: str = ""
    protected: list[tuple[int, int]] = field(default_factory=list)  # code spans, list items

    def add(self, piece: str, *, protect: bool = False) -> None:
        if protect:
            self.protected.append((len(self.text), len(self.text) + len(piece)))
        self.text += piece


LETTERS = "abcdeéfgh" + "المغرب" + "🧠"
CODE_CHARS = "abc xyz_-"


@st.composite
def documents(draw: st.DrawFn) -> Doc:
    """Paragraphs, numbered lists (some with nested items), headings and over-long words.

    Built from one seeded `Random` so that 20 000-character documents stay quick to make
    (hypothesis explores seeds and lengths; the failing seed is reported).
    """
    rng = random.Random(draw(st.integers(min_value=0, max_value=2**32)))
    doc = Doc()
    target = draw(st.integers(min_value=50, max_value=20_000))
    while len(doc.text) < target:
        kind = rng.choice(["paragraph", "paragraph", "list", "heading", "long"])
        if doc.text:
            doc.add("\n\n")
        if kind == "heading":
            doc.add(f"## {_word(rng)} {_word(rng)}")
        elif kind == "long":
            doc.add(f"{_word(rng)} {'L' * rng.randint(100, 2600)} {_word(rng)}.")
        elif kind == "list":
            for index in range(rng.randint(1, 12)):
                doc.add("\n" if index else "")
                item = f"{index + 1}. "
                _inline(rng, doc, start=len(doc.text) + len(item), into=item, tokens=40)
        else:
            _inline(rng, doc, start=len(doc.text), into="", tokens=400)
    return doc


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 12)))


def _inline(rng: random.Random, doc: Doc, *, start: int, into: str, tokens: int) -> None:
    """Add a line of words, sentence ends and code spans (`into` = a list marker, if any)."""
    text = into
    for index in range(rng.randint(1, tokens)):
        if index:
            text += rng.choice([" ", " ", " ", ". ", "! "])
        if rng.randint(0, 9) == 0:
            code = (
                "`"
                + (
                    "".join(rng.choice(CODE_CHARS) for _ in range(rng.randint(1, 40))).strip()
                    or "c"
                )
                + "`"
            )
            doc.protected.append(
                (start - len(into) + len(text), start - len(into) + len(text) + len(code))
            )
            text += code
        else:
            text += _word(rng)
    if into and rng.random() < 0.5:
        text += "\n    - " + " ".join(_word(rng) for _ in range(5))
    if into:
        doc.add(text, protect=True)
    else:
        doc.add(text)


def _locate(text: str, chunks: list[str]) -> list[tuple[int, int]]:
    """Where each chunk sits in the text; fails unless they follow each other with only
    whitespace between them."""
    spans, position = [], 0
    for chunk in chunks:
        start = text.index(chunk, position)
        assert text[position:start].strip() == "", "text was lost between two chunks"
        spans.append((start, start + len(chunk)))
        position = start + len(chunk)
    assert text[position:].strip() == ""
    return spans


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), limit=st.sampled_from([200, 500, 1000, 2000]))
def test_chunks_fit_rejoin_and_respect_code_spans_and_list_items(doc: Doc, limit: int) -> None:
    chunks = split_markdown(doc.text, limit=limit)
    assert chunks, "non-blank text gives at least one chunk"
    assert all(0 < len(chunk) <= limit for chunk in chunks)
    spans = _locate(doc.text, chunks)
    cuts = [end for _, end in spans[:-1]] + [start for start, _ in spans[1:]]
    for start, end in doc.protected:
        assert doc.text[start] in "`123456789" and doc.text[end - 1] != "\n"  # generator sanity
        if end - start > limit:
            continue  # an element over the limit may be cut
        for cut in cuts:
            assert not start < cut < end, (doc.text[start:end], cut - start)


@settings(max_examples=40, deadline=None)
@given(text=st.text(min_size=1, max_size=6000))
def test_any_text_splits_within_the_limit_without_losing_anything(text: str) -> None:
    chunks = split_markdown(text, limit=300)
    assert all(0 < len(chunk) <= 300 for chunk in chunks)
    if "```" not in text and "~~~" not in text:
        _locate(text, chunks)
    assert (
        "".join("".join(chunks).split()) == "".join(text.split()) or "```" in text or "~~~" in text
    )
