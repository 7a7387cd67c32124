"""A day as Discord messages: the post, its thread, answers, the whole bundle and summaries."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.i18n import ENGLISH, Language, Messages, messages
from bot.rendering.days import (
    DayBundle,
    RenderedMessage,
    marker_line,
    render_answers,
    render_day,
    render_day_bundle,
    render_day_summary,
    render_thread_opening,
    thread_name,
)
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    EMBED_TOTAL,
    MESSAGE_CONTENT,
    THREAD_NAME,
    discord_timestamp,
)
from bot.series.loader import load_series
from bot.series.model import ChallengeDay, Series

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "days"
SHIPPED = REPO / "data" / "challenges"
NEXT = datetime(2026, 12, 11, 8, 0, tzinfo=UTC)
NEXT_TS = int(NEXT.timestamp())
SERIES_NAME = "ML & DL Morocco Challenges"


@pytest.fixture(scope="module")
def fixtures() -> Series:
    return load_series(FIXTURES)


@pytest.fixture(scope="module")
def shipped() -> Series:
    return load_series(SHIPPED)


def post(day: ChallengeDay, **overrides: object) -> list[RenderedMessage]:
    options: dict[str, object] = {
        "next_post_at": NEXT,
        "series_name": SERIES_NAME,
        "is_last": False,
    }
    options.update(overrides)
    return render_day(ENGLISH, day, **options)  # type: ignore[arg-type]


def text_of(messages: list[RenderedMessage]) -> str:
    return "\n\n".join(m.content for m in messages)


def assert_legal(messages: list[RenderedMessage] | tuple[RenderedMessage, ...]) -> None:
    assert messages
    for message in messages:
        assert 0 < len(message.content) <= MESSAGE_CONTENT
        assert message.content == message.content.strip()
        # Never a heading left alone at the end of a message.
        assert not message.content.split("\n")[-1].startswith("#")


def assert_embed_legal(embed: discord.Embed) -> None:
    assert embed.title and len(embed.title) <= EMBED_TITLE
    assert embed.description and len(embed.description) <= EMBED_DESCRIPTION
    assert len(embed.fields) <= 25
    for embed_field in embed.fields:
        assert 0 < len(embed_field.name) <= 256
        assert 0 < len(embed_field.value) <= EMBED_FIELD_VALUE
    assert len(embed) <= EMBED_TOTAL


# --- every day, fixtures and shipped content ------------------------------------------------


def every_rendering(series: Series, tr: Messages = ENGLISH) -> None:
    last = max(series.numbers)
    for day in series:
        is_last = day.number == last
        for options in ({}, {"ping_role_id": 1234567890123456789, "marker": "ref 3f9a1c"}):
            assert_legal(post(day, is_last=is_last, **options))
            bundle = render_day_bundle(
                tr, day, next_post_at=NEXT, series_name=SERIES_NAME, is_last=is_last, **options
            )
            assert_legal([*bundle.parts, *bundle.opening, *bundle.answers])
        assert_legal(render_thread_opening(tr, day))
        answers = render_answers(day)
        if day.answers:
            assert_legal(answers)
        assert 1 <= len(thread_name(tr, day)) <= THREAD_NAME
        assert_embed_legal(render_day_summary(tr, day, "https://discord.com/channels/1/2"))
        assert_embed_legal(render_day_summary(tr, day, None))


@pytest.mark.parametrize("language", list(Language))
def test_every_fixture_day_renders_within_discord_limits(
    fixtures: Series, language: Language
) -> None:
    every_rendering(fixtures, messages(language))


@pytest.mark.parametrize("language", list(Language))
def test_every_shipped_day_renders_within_discord_limits(
    shipped: Series, language: Language
) -> None:
    assert shipped.numbers == list(range(1, 13))
    every_rendering(shipped, messages(language))


def test_shipped_days_are_posted_in_few_messages(shipped: Series) -> None:
    for day in shipped:
        assert len(post(day)) <= 2
        assert len(render_thread_opening(ENGLISH, day)) == 1


# --- the post ---------------------------------------------------------------------------------


def test_post_looks_like_the_page(fixtures: Series) -> None:
    day = fixtures.day(10)
    assert day is not None
    messages = post(day)
    text = text_of(messages)
    assert messages[0].content.startswith(
        "# 🧠 Day 10: Nurturing AI Talent\n\nWelcome to the tenth day of our "
        "`ML & DL Morocco Challenges` series."
    )
    assert "\n## The Importance of AI Talent\n" in text
    assert "\n## Fostering AI Talent in Morocco\n" in text
    assert "🔹 **Innovation Hub:** AI talent" in text
    assert "\n## A Future of Limitless Possibilities Awaits\n" in text
    assert "``" not in text
    assert "**#" not in text and "## **" not in text
    assert messages[0].embed is None


def test_html_comments_are_not_posted(fixtures: Series) -> None:
    for day in fixtures:
        text = text_of(post(day))
        assert "<!--" not in text and "-->" not in text
    assert "Explore How Morocco" not in text_of(post(fixtures.day(10)))  # type: ignore[arg-type]


def test_links_are_kept(fixtures: Series) -> None:
    text = text_of(post(fixtures.day(1)))  # type: ignore[arg-type]
    assert "[the UNESCO report](https://www.unesco.org/en/digital-education)" in text


def test_question_and_answers_go_to_the_thread_not_the_post(fixtures: Series) -> None:
    day = fixtures.day(10)
    assert day is not None
    text = text_of(post(day))
    assert "How do you envision the growth of AI talent" not in text
    assert "Mr BELMADY" not in text
    assert "Scholarship Programs" not in text
    assert "thread" in text  # … but the post says where the discussion is


def test_post_ends_with_the_next_challenge_time(fixtures: Series) -> None:
    messages = post(fixtures.day(3))  # type: ignore[arg-type]
    last_line = messages[-1].content.split("\n")[-1]
    assert last_line == f"⏭️ **Next challenge:** <t:{NEXT_TS}:F> (<t:{NEXT_TS}:R>)"
    assert discord_timestamp(NEXT.replace(tzinfo=None)) == f"<t:{NEXT_TS}:F>"  # naive = UTC
    unknown = post(fixtures.day(3), next_post_at=None)  # type: ignore[arg-type]
    assert unknown[-1].content.endswith("coming soon.")


def test_last_day_says_the_series_is_complete(fixtures: Series) -> None:
    messages = post(fixtures.day(12), is_last=True)  # type: ignore[arg-type]
    text = text_of(messages)
    assert "<t:" not in text
    assert messages[-1].content.split("\n")[-1] == (
        f"🏁 **That was the final day: the {SERIES_NAME} series is complete.** "
        "Thank you for taking part!"
    )


def test_long_day_is_split_at_sections_and_paragraphs(fixtures: Series) -> None:
    day = fixtures.day(11)
    assert day is not None
    messages = post(day)
    assert len(messages) >= 2
    assert_legal(messages)
    text = text_of(messages)
    for heading in ("## Why Data Privacy Matters", "## Data Privacy in Morocco"):
        assert f"\n{heading}\n" in f"\n{text}"
    assert "### A Note on Consent" in text
    # Nothing lost: every word of the sections is there, in order.
    words = " ".join(s.body for s in day.sections).replace("``", "`").split()
    posted = text.split()
    position = 0
    for word in words:
        position = posted.index(word, position) + 1


def test_marker_and_role_ping_go_on_the_first_message_only(fixtures: Series) -> None:
    day = fixtures.day(11)
    assert day is not None
    messages = post(day, ping_role_id=42, marker="ref 3f9a1c")
    first = messages[0].content
    assert first.startswith("<@&42>\n# 🔒 Day 11: Prioritizing Data Privacy")
    assert first.endswith("\n-# ref 3f9a1c")
    assert all("ref 3f9a1c" not in m.content and "<@&42>" not in m.content for m in messages[1:])
    assert_legal(messages)
    assert marker_line("-# ref x") == "-# ref x"
    with pytest.raises(ValueError):
        marker_line("two\nlines")
    with pytest.raises(ValueError):
        marker_line("x" * 200)


def test_mentions_in_content_cannot_ping(fixtures: Series) -> None:
    day = replace(fixtures.day(2), intro="Hello @everyone and @here!")  # type: ignore[type-var]
    text = text_of(post(day))
    assert "@everyone" not in text and "@here" not in text


# --- thread -------------------------------------------------------------------------------


def test_thread_opening_has_the_question_and_an_invitation(fixtures: Series) -> None:
    (opening,) = render_thread_opening(ENGLISH, fixtures.day(10))  # type: ignore[arg-type]
    assert opening.content.startswith("## 💬 Join the Conversation\n\nHow do you envision")
    assert "Reply in this thread" in opening.content
    (two,) = render_thread_opening(ENGLISH, fixtures.day(3))  # type: ignore[arg-type]
    assert "Which crop would you monitor first?\n\nWhat data would you need?" in two.content


def test_answers_start_with_the_expert_heading(fixtures: Series) -> None:
    answer, *rest = render_answers(fixtures.day(10))  # type: ignore[arg-type]
    assert len(rest) == 1  # the seed's answer is longer than one message
    assert rest[0].content.startswith("7. **Research and Innovation Centers**")
    assert answer.content.startswith("### 🧠 Mr BELMADY\n\nFostering AI talent")
    assert "- `Introduce ML and DL in Education`:" in answer.content
    two = render_answers(fixtures.day(3))  # type: ignore[arg-type]
    assert [m.content.split("\n")[0] for m in two] == ["### 🧠 Mr BELMADY", "### 🌱 Ms EL AMRANI"]
    assert render_answers(fixtures.day(2)) == []  # type: ignore[arg-type]
    split = render_answers(fixtures.day(4))  # type: ignore[arg-type]
    assert "**Opportunities**" in split[0].content and "**Challenges**" in split[0].content


def test_long_answer_is_split_between_list_items(fixtures: Series) -> None:
    messages = render_answers(fixtures.day(11))  # type: ignore[arg-type]
    assert len(messages) >= 2
    assert_legal(messages)
    assert messages[0].content.startswith("### 🧠 Mr BELMADY")
    for message in messages[1:]:
        assert re.match(r"^\d+\. \*\*Practice \d+\*\*:", message.content)


def test_thread_name_is_day_and_title_within_100_characters(fixtures: Series) -> None:
    assert thread_name(ENGLISH, fixtures.day(10)) == "Day 10: Nurturing AI Talent"  # type: ignore[arg-type]
    long = replace(fixtures.day(5), title="Sustainable " * 20)  # type: ignore[type-var]
    name = thread_name(ENGLISH, long)
    assert len(name) <= THREAD_NAME
    assert name.startswith("Day 5: Sustainable") and name.endswith("…")
    assert "Sustainab…" not in name  # cut between words


# --- bundle and summary -------------------------------------------------------------------


def test_the_bundle_is_the_post_the_thread_and_the_answers_in_order(fixtures: Series) -> None:
    day = fixtures.day(11)
    assert day is not None
    bundle = render_day_bundle(
        ENGLISH, day, next_post_at=NEXT, series_name=SERIES_NAME, is_last=False, marker="ref 1"
    )
    assert isinstance(bundle, DayBundle)
    assert bundle.thread_name == "Day 11: Prioritizing Data Privacy"
    assert list(bundle.parts) == post(day, marker="ref 1")
    assert len(bundle.parts) > 1 and bundle.parts[0].content.endswith("-# ref 1")
    assert list(bundle.opening) == render_thread_opening(ENGLISH, day)
    assert list(bundle.answers) == render_answers(day)


def test_day_summary_links_to_the_thread(fixtures: Series) -> None:
    day = fixtures.day(9)
    assert day is not None
    link = "https://discord.com/channels/1/222"
    embed = render_day_summary(ENGLISH, day, link)
    assert embed.title == "🛡️ Day 9: Cybersecurity Reinforcement"
    assert embed.url == link
    assert embed.description.startswith("Day 9 covers intrusion detection.")  # type: ignore[union-attr]
    assert f"]({link})" in embed.description  # type: ignore[operator]
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Question"] == "How would you detect phishing in Darija?"
    assert fields["Expert answers"] == "Mr BELMADY"


def test_day_summary_without_a_thread_says_not_posted_yet(fixtures: Series) -> None:
    day = fixtures.day(2)
    assert day is not None
    embed = render_day_summary(ENGLISH, day, None)
    assert embed.url is None
    assert embed.description.startswith("Welcome to day two.")  # type: ignore[union-attr]
    assert "Not posted yet." in embed.description  # type: ignore[operator]
    assert {f.name: f.value for f in embed.fields}["Expert answers"] == "None for this day"


def test_summary_of_a_huge_day_stays_within_embed_limits(fixtures: Series) -> None:
    day = replace(
        fixtures.day(1),  # type: ignore[type-var]
        title="T" * 400,
        description="word " * 2000,
        questions=("question " * 500,),
        keywords=tuple(f"keyword {i}" for i in range(300)),
    )
    assert_embed_legal(render_day_summary(ENGLISH, day, "https://discord.com/channels/1/2"))
    assert_legal(render_thread_opening(ENGLISH, day))
    assert_legal(post(day, next_post_at=NEXT + timedelta(days=1)))
