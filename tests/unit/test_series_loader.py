"""Loading day pages as organisers write them: formats, repairs, variations and problems."""

from __future__ import annotations

from pathlib import Path

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import pytest

from bot.content import ContentError, repair_text
from bot.series.loader import load_series, scan_series
from bot.series.model import ChallengeDay, Series

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "days"
SEED_CP1252 = FIXTURES / "day-10-seed-cp1252-mojibake.md"
SEED_MAC_ROMAN = FIXTURES / "day-12-seed-mac-roman-mojibake.md"


@pytest.fixture(scope="module")
def series() -> Series:
    return load_series(FIXTURES)


def all_text(day: ChallengeDay) -> str:
    """Every piece of text a day holds, to search for leftovers."""
    parts = [day.title, day.emoji, day.intro, day.description, *day.questions, *day.keywords]
    for section in (*day.sections, *([day.closing] if day.closing else [])):
        parts += [section.heading, section.body]
    for answer in day.answers:
        parts += [answer.author, answer.body, answer.emoji]
    return "\n".join(parts)


# --- the fixture series -----------------------------------------------------------------------


def test_fixture_series_has_twelve_days_ordered_by_number_not_file_name(series: Series) -> None:
    assert series.numbers == list(range(1, 13))
    assert len(series) == 12
    # Day 11's file sorts first by name ("00-…") but takes its place by number.
    assert series.day(11).source.name == "00-long-day-11.md"  # type: ignore[union-attr]
    assert [d.number for d in series] == sorted(d.number for d in series)


def test_standard_page_is_split_into_its_parts(series: Series) -> None:
    day = series.day(1)
    assert day is not None
    assert (day.number, day.title, day.emoji) == (1, "Education", "🎓")
    assert day.name == "Day 1: Education"
    assert day.intro.startswith("Welcome to the first day of our ``ML & DL Morocco Challenges``")
    assert [s.heading for s in day.sections] == ["Why Education Matters", "Education in Morocco"]
    assert all(s.level == 2 for s in day.sections)
    assert day.sections[0].body.startswith("Learning changes lives:")
    assert "🔹 **Teacher Support:**" in day.sections[0].body
    assert day.questions == (
        "How could ML help a teacher in a rural school? Share your ideas in the comments below.",
    )
    assert [(a.author, a.emoji) for a in day.answers] == [("Mr BELMADY", "🧠")]
    assert day.answers[0].body.startswith("Three practical steps:")
    assert day.answers[0].body.endswith("Small steps, big impact.")
    assert day.closing is not None
    assert (day.closing.heading, day.closing.body) == (
        "Learning Never Stops",
        "Keep learning; see you on Day 2!",
    )
    assert day.source == FIXTURES / "day-01-standard.md"


def test_html_comments_never_reach_the_parsed_day(series: Series) -> None:
    for day in series:
        assert "<!--" not in all_text(day)
        assert "-->" not in all_text(day)
    assert "Read more" not in series.day(1).sections[1].body  # type: ignore[union-attr]
    assert "Draft link" not in all_text(series.day(11))  # type: ignore[arg-type]


def test_front_matter_keywords_description_and_extra_keys(series: Series) -> None:
    day = series.day(1)
    assert day is not None
    # Lowercased and deduplicated, in page order.
    assert day.keywords == ("machine learning", "ai in education", "arabic and darija nlp")
    assert day.description == "Day 1 looks at education across Morocco."
    assert day.extra == {"hide": ["toc"], "author": "Organising team"}
    # A comma-separated string works too.
    assert series.day(11).keywords == ("privacy", "federated learning")  # type: ignore[union-attr]
    assert series.day(2).keywords == ()  # type: ignore[union-attr]
    assert series.day(2).description == ""  # type: ignore[union-attr]


# --- mojibake -------------------------------------------------------------------------------


def test_seed_with_cp1252_mojibake_is_repaired(series: Series) -> None:
    raw = SEED_CP1252.read_bytes()
    assert "ðŸ§\u00a0".encode() in raw  # the fixture really is broken
    day = series.day(10)
    assert day is not None
    assert (day.title, day.emoji) == ("Nurturing AI Talent", "🧠")
    assert day.sections[0].heading == "The Importance of AI Talent"
    assert day.sections[0].body.count("🔹 **") == 3
    assert day.answers[0].author == "Mr BELMADY"
    text = all_text(day)
    assert not set(text) & set("ðŸÃâ€")


def test_seed_with_mac_roman_mojibake_is_repaired(series: Series) -> None:
    raw = SEED_MAC_ROMAN.read_bytes()
    assert "üß†".encode() in raw
    day = series.day(12)
    assert day is not None
    assert (day.title, day.emoji) == ("Fostering Collaboration", "🤝")
    assert day.answers[0].emoji == "🧠"
    assert day.sections[0].body.count("🔹 **") == 3
    assert "Morocco's AI Journey" in day.sections[1].heading
    text = all_text(day)
    assert "üß" not in text
    assert "üî" not in text
    assert "\uf8ff" not in text


def test_correct_text_in_a_page_is_left_exactly_as_written(series: Series) -> None:
    day = series.day(1)
    assert day is not None
    assert "education — « l'école », élève, café, and التعليم في المغرب 🇲🇦." in day.intro
    assert "Amazigh (ⵜⴰⵎⴰⵣⵉⵖⵜ)" in day.sections[1].body
    raw = (FIXTURES / "day-01-standard.md").read_text(encoding="utf-8")
    for part in (day.intro, day.sections[0].body, day.answers[0].body):
        assert part in raw


CORRECT_TEXTS = [
    "Café, élève, naïve, Noël, Ça, Œuvre, Straße, Müller, São, Łódź",
    "« Marrakech » — la ville ocre… 3 × 4 = 12, 25 °C, 100 €",
    "الذكاء الاصطناعي في المغرب",
    "ⵜⴰⵎⴰⵣⵉⵖⵜ, Tamazight",
    "🧠🔹🇲🇦👩🏽‍💻☀️🏛️ emoji of every kind",
    "x ≈ 3, √2, π r², α + β",
    "“quoted” and ‘single’ and the Darija 3ayn",
]


@pytest.mark.parametrize("text", CORRECT_TEXTS)
def test_repair_never_changes_correct_text(text: str) -> None:
    assert repair_text(text) == text


# Correct French whose mac_roman bytes happen to be valid UTF-8 (`’é` reads as `Վ`).
@pytest.mark.parametrize(
    "text", ["l’école et l’été", "d’élèves", "qu’à Rabat", "Oui—évidemment", "Attendez…à"]
)
def test_repair_never_changes_french_with_typographic_punctuation(text: str) -> None:
    assert repair_text(text) == text


WORDS = [
    "élève",
    "café",
    "Noël",
    "Straße",
    "العربية",
    "المغرب",
    "🧠",
    "🇲🇦",
    "👩🏽‍💻",
    "☀️",
    "—",
    "’",
]


@pytest.mark.parametrize("word", WORDS)
def test_both_kinds_of_mojibake_are_undone(word: str) -> None:
    data = word.encode("utf-8")
    assert repair_text(data.decode("mac_roman")) == word
    assert repair_text(data.decode("sloppy-windows-1252")) == word
    sentence = f"Today: {word} and {word}."
    assert repair_text(sentence.encode().decode("mac_roman")) == sentence


# --- irregular pages --------------------------------------------------------------------------


def test_day_without_expert_answer(series: Series) -> None:
    day = series.day(2)
    assert day is not None
    assert day.answers == ()
    assert day.questions == ("What would help patients far from a hospital?",)
    assert day.closing is not None
    assert day.closing.heading == "Toward Healthier Communities"


def test_day_with_two_answers_and_two_questions(series: Series) -> None:
    day = series.day(3)
    assert day is not None
    assert [(a.author, a.emoji) for a in day.answers] == [
        ("Mr BELMADY", "🧠"),
        ("Ms EL AMRANI", "🌱"),
    ]
    assert day.answers[0].body == "Use Sentinel-2 imagery and ``NDVI`` indices."
    assert day.answers[1].body == "Start with soil moisture sensors."
    assert day.questions == ("Which crop would you monitor first?", "What data would you need?")


def test_answer_split_into_opportunities_and_challenges_stays_one_answer(series: Series) -> None:
    day = series.day(4)
    assert day is not None
    assert len(day.answers) == 1
    body = day.answers[0].body
    assert body.index("**Opportunities**") < body.index("**Challenges**")
    assert body.endswith("Fairness matters as much as accuracy.")
    assert [s.heading for s in day.sections] == ["Why Financial Inclusion Matters"]
    assert day.closing is not None
    assert day.closing.heading == "Finance That Includes Everyone"


def test_bold_lines_instead_of_headings(series: Series) -> None:
    day = series.day(5)
    assert day is not None
    assert [(s.heading, s.level) for s in day.sections] == [
        ("The Importance of Clean Energy", 2),
        ("Energy in Morocco", 2),
    ]
    assert day.sections[1].body == "Noor Ouarzazate is one of the largest solar plants."
    assert day.questions == ("How can forecasting help the grid?",)
    assert [a.author for a in day.answers] == ["Mr BELMADY"]
    assert "``Time Series Models``" in day.answers[0].body
    assert "Powering" not in day.answers[0].body
    assert day.closing is not None
    assert (day.closing.heading, day.closing.body) == (
        "Powering a Greener Tomorrow",
        "See you on Day 6!",
    )


def test_windows_line_endings_and_byte_order_mark(series: Series) -> None:
    assert b"\r\n" in (FIXTURES / "day-06-crlf.md").read_bytes()
    assert (FIXTURES / "day-07-bom.md").read_bytes().startswith(b"\xef\xbb\xbf")
    crlf, bom = series.day(6), series.day(7)
    assert crlf is not None and bom is not None
    assert (crlf.title, crlf.answers[0].author) == ("Smart Transportation", "Mr BELMADY")
    assert (bom.title, bom.emoji) == ("Empowering Innovation", "💡")
    for day in (crlf, bom):
        assert "\r" not in all_text(day)
        assert "\ufeff" not in all_text(day)


def test_day_number_from_front_matter_when_the_heading_has_none(series: Series) -> None:
    day = series.day(8)
    assert day is not None
    assert (day.title, day.emoji) == ("Transforming Public Services", "🏛️")


def test_title_in_front_matter_overrides_the_heading(series: Series) -> None:
    day = series.day(9)
    assert day is not None
    assert (day.number, day.title, day.emoji) == (9, "Cybersecurity Reinforcement", "🛡️")


def test_sub_headings_keep_their_level(series: Series) -> None:
    day = series.day(11)
    assert day is not None
    assert [(s.heading, s.level) for s in day.sections] == [
        ("Why Data Privacy Matters", 2),
        ("Data Privacy in Morocco", 2),
        ("A Note on Consent", 3),
    ]


# --- problems ---------------------------------------------------------------------------------


def page(number: int, title: str = "Topic", *, question: str = "What do you think?") -> str:
    return (
        "---\ncomments: true\n---\n\n"
        f"# **🧠 Day {number}: {title} 🧠**\n\nWelcome.\n\n## **Why**\n\nBecause.\n\n"
        f"## **Join the Conversation**\n\n{question}\n\n### 🧠 **Mr BELMADY**\n\nAn answer.\n\n"
        "## **The End**\n\nBye.\n"
    )


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_series(directory)
    text = str(caught.value)
    lines = [str(p) for p in caught.value.problems]
    assert text == "\n".join(lines)
    return lines


def test_missing_days_are_each_reported(tmp_path: Path) -> None:
    for number in (1, 2, 5):
        write(tmp_path, f"day-{number}.md", page(number))
    assert problems_of(tmp_path) == [
        f"{tmp_path}: day 3 is missing: days must run from 1 to 5 without gaps "
        "(found days 1, 2, 5)",
        f"{tmp_path}: day 4 is missing: days must run from 1 to 5 without gaps "
        "(found days 1, 2, 5)",
    ]


def test_two_files_for_one_day_name_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", page(1))
    write(tmp_path, "b.md", page(1, "Again"))
    (problem,) = problems_of(tmp_path)
    assert problem == f"{tmp_path / 'b.md'}:5: day 1 is defined twice: in a.md and in b.md"


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "day-1.md", page(1))
    write(tmp_path, "no-h1.md", "---\ncomments: true\n---\n\nJust a paragraph.\n")
    write(
        tmp_path,
        "no-number.md",
        "# **🧠 Title Without Number 🧠**\n\n## Join the Conversation\n\nQ?\n",
    )
    write(tmp_path, "empty.md", "  \n\n")
    write(tmp_path, "front-only.md", "---\ncomments: true\n---\n\n")
    write(tmp_path, "bad-yaml.md", "---\ncomments: true\nkeywords: [a, b\n---\n\n# Day 2: X\n")
    write(
        tmp_path,
        "no-question.md",
        "# Day 2: Two\n\nHi.\n\n## Why\n\nBecause.\n\n### 🧠 **Mr X**\n\nAnswer.\n",
    )
    write(
        tmp_path,
        "empty-question.md",
        "# Day 3: Three\n\n## Join the Conversation\n\n## End\n\nBye.\n",
    )
    write(
        tmp_path,
        "bad-day.md",
        "---\nday: first\n---\n# Day 4: Four\n\n## Join the Conversation\n\nQ?\n",
    )
    write(
        tmp_path,
        "disagree.md",
        "---\nday: 5\n---\n# Day 6: Six\n\n## Join the Conversation\n\nQ?\n",
    )
    write(tmp_path, "two-days.md", "# Day 7: A\n\n## Join the Conversation\n\nQ?\n\n# Day 8: B\n")
    write(tmp_path, "empty-answer.md", page(9).replace("An answer.", ""))
    write(tmp_path, "unclosed.md", page(10).replace("Because.", "<!-- oops\n\nBecause."))
    found = problems_of(tmp_path)
    expected = [
        f"{tmp_path / 'bad-day.md'}:2: day: must be a whole number ≥ 1, got 'first'",
        f"{tmp_path / 'bad-yaml.md'}:",  # the line depends on where YAML notices it
        f"{tmp_path / 'disagree.md'}:4: the front matter says day 5 but the title says Day 6",
        f"{tmp_path / 'empty-answer.md'}:17: the expert answer by Mr BELMADY is empty",
        f"{tmp_path / 'empty-question.md'}:3: 'Join the Conversation' has no question under it",
        f"{tmp_path / 'empty.md'}:1: the file is empty",
        f"{tmp_path / 'front-only.md'}:4: the page is empty after its front matter",
        f"{tmp_path / 'no-h1.md'}:5: no title: the page needs an H1 like",
        f"{tmp_path / 'no-number.md'}:1: no day number: start the title with 'Day N:'",
        f"{tmp_path / 'no-question.md'}:9: no 'Join the Conversation' section",
        f"{tmp_path / 'two-days.md'}:7: a second '# ' title: one page must hold exactly one day",
        f"{tmp_path / 'unclosed.md'}:11: an HTML comment opened with <!-- is never closed",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in found), "\n".join([start, *found])
    assert "front matter doesn't parse" in next(p for p in found if "bad-yaml" in p)
    # Pages with problems still count for numbering when their number is known: day 8 (the
    # second title of two-days.md) is reported missing, days 2, 3, 4 are not.
    missing = [line for line in found if "is missing" in line]
    assert [line.split(": day ")[1][:2] for line in missing] == ["6 ", "8 "]
    assert len(found) >= len(expected)


def test_folder_that_does_not_exist_or_has_no_pages(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nope") == [
        f"{tmp_path / 'nope'}: the series folder doesn't exist"
    ]
    (tmp_path / "notes.txt").write_text("not a page", encoding="utf-8")
    write(tmp_path, "index.md", "# Home page of the site\n")
    assert problems_of(tmp_path) == [f"{tmp_path}: no .md day pages in the series folder"]


def test_scan_series_returns_good_days_alongside_problems(tmp_path: Path) -> None:
    write(tmp_path, "day-1.md", page(1))
    write(tmp_path, "day-2.md", "# Day 2: Broken\n")
    days, problems = scan_series(tmp_path)
    assert [d.number for d in days] == [1]
    assert len(problems) == 1
    assert "Join the Conversation" in problems[0].message


def test_shipped_content_loads_as_twelve_days() -> None:
    shipped = load_series(Path(__file__).resolve().parents[2] / "data" / "challenges")
    assert shipped.numbers == list(range(1, 13))
    for day in shipped:
        assert day.title and day.emoji and day.intro and day.questions
        assert "<!--" not in all_text(day)


def test_less_common_variations(tmp_path: Path) -> None:
    write(
        tmp_path,
        "day-1.md",
        "---\ntitle: 'Day 1: Education'\ntags: [Education, AI]\nkeywords: ai, Data\n---\n\n"
        "Intro without an H1.\n\n## Code\n\n```markdown\n# not a heading\n```\n\n"
        "**Join the Conversation**\n\nYour view?\n\n**🧠 Dr. AMINA**\n\nA bold-line expert.\n",
    )
    (day,) = load_series(tmp_path)
    assert (day.number, day.title, day.emoji) == (1, "Education", "")
    assert day.intro == "Intro without an H1."
    assert [s.heading for s in day.sections] == ["Code"]
    assert "# not a heading" in day.sections[0].body
    assert day.questions == ("Your view?",)
    assert [(a.author, a.emoji, a.body) for a in day.answers] == [
        ("Dr. AMINA", "🧠", "A bold-line expert.")
    ]
    assert day.keywords == ("ai", "data", "education")
    assert day.closing is None


def test_front_matter_values_of_the_wrong_kind(tmp_path: Path) -> None:
    text = page(1).replace("comments: true", "comments: true\nkeywords: {a: 1}\ntitle: 42")
    write(tmp_path, "day-1.md", text)
    found = problems_of(tmp_path)
    assert f"{tmp_path / 'day-1.md'}:3: keywords: must be a list of words" in found
    assert f"{tmp_path / 'day-1.md'}:4: title: must be a non-empty text" in found


def test_an_empty_title_and_a_description_that_is_not_text(tmp_path: Path) -> None:
    write(tmp_path, "day-1.md", "# Day 1:\n\n## Join the Conversation\n\nQ?\n")
    write(
        tmp_path, "day-2.md", page(2).replace("comments: true", "comments: true\ndescription: [1]")
    )
    assert problems_of(tmp_path) == [
        f"{tmp_path / 'day-1.md'}:1: the title is empty: write it after 'Day N:'",
        f"{tmp_path / 'day-2.md'}:3: description: must be a text",
    ]


def test_everything_after_the_closing_heading_belongs_to_the_closing(tmp_path: Path) -> None:
    extra = "\n## After the end\n\nMore.\n\n### 🧠 **Dr LATE**\n\nLate answer.\n"
    write(tmp_path, "day-1.md", page(1) + extra)
    (day,) = load_series(tmp_path)
    assert day.closing is not None
    assert (day.closing.heading, day.closing.level) == ("The End", 2)
    assert day.closing.body == (
        "Bye.\n\n## After the end\n\nMore.\n\n### 🧠 **Dr LATE**\n\nLate answer."
    )
    assert [a.author for a in day.answers] == ["Mr BELMADY"]
