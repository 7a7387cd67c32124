"""Load the day pages exactly as organisers write them (MkDocs Markdown) into `ChallengeDay`s.

A page is YAML front matter, an H1 `# **🧠 Day 10: Title 🧠**`, a welcome paragraph, sections,
"Join the Conversation" (the question for the thread), expert answers (`### 🧠 **Mr NAME**`) and
a closing heading. Real pages vary, and all of these are accepted: bold lines instead of `##`
headings, answers split into `**Opportunities**` / `**Challenges**`, two answers or none, extra
front-matter keys, CRLF, a BOM, mojibake (repaired by `bot.content.read_source`).

`load_series` reports every problem of every file at once, each naming its file and line.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.content import ContentError, ContentProblem, SourceText, read_source
from bot.markdown import CLOSED_COMMENT, EMOJI_JOINERS, FENCE, HEADING, LIST_ITEM, is_skin_tone
from bot.series.model import ChallengeDay, ExpertAnswer, Section, Series

# Front-matter keys the loader understands; any other key lands in `ChallengeDay.extra`.
KNOWN_KEYS = frozenset({"comments", "title", "day", "description", "keywords", "tags"})
# Files in the series folder that are never days (an MkDocs home page, notes for organisers).
IGNORED_NAMES = frozenset({"index.md", "readme.md"})

_BOLD_LINE = re.compile(r"^ {0,3}(\*\*|__)(?P<text>\S(?:.*?\S)?)\1[ \t]*:?[ \t]*$")
_DAY_PREFIX = re.compile(r"^(?:day|jour)\s*(\d{1,3})\b\s*[:.\-–—]?\s*", re.I)
_CONVERSATION = re.compile(r"\bjoin\s+the\s+(?:conversation|discussion)\b", re.I)
_HONORIFIC = re.compile(
    r"^(?:mr|mrs|ms|miss|mx|dr|pr|prof|professor|mme|mlle|m\.)(?:\.|\s)\s*\S", re.I
)
_BOLD_MARKS = re.compile(r"\*\*|__")
_BOLD_HEADING_MAX = 100  # a longer all-bold line is an emphasised sentence, not a heading


@dataclass(frozen=True, slots=True)
class _Heading:
    index: int  # line index in the body
    level: int  # 1–6 for '#' headings; 2 for a bold line
    text: str  # without '#', bold markers or a trailing colon
    bold_line: bool


def load_series(directory: Path) -> Series:
    """All days of the series in `directory`, ordered by day number.

    Raises `ContentError` listing every problem across all files.
    """
    days, problems = scan_series(directory)
    if problems:
        raise ContentError(problems)
    return Series(tuple(days))


def load_usable_series(directory: Path) -> tuple[Series | None, list[ContentProblem]]:
    """What the bot can post despite problems: every day whose page parsed (a number used
    by two pages is held), and every problem found. A broken page costs that day only."""
    days, problems = scan_series(directory)
    counts = Counter(day.number for day in days)
    kept = tuple(day for day in days if counts[day.number] == 1)
    return (Series(kept) if kept else None), problems


def scan_series(directory: Path) -> tuple[list[ChallengeDay], list[ContentProblem]]:
    """Parse every page in `directory`; return the days that parsed and all problems found."""
    directory = Path(directory)
    if not directory.exists():
        return [], [ContentProblem(directory, None, "the series folder doesn't exist")]
    if not directory.is_dir():
        return [], [ContentProblem(directory, None, "SERIES_DIR must be a folder of .md pages")]
    paths = sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and path.suffix.lower() == ".md"
        and path.name.lower() not in IGNORED_NAMES
        and not path.name.startswith((".", "_"))
    )
    if not paths:
        return [], [ContentProblem(directory, None, "no .md day pages in the series folder")]

    days: list[ChallengeDay] = []
    problems: list[ContentProblem] = []
    numbered: list[tuple[int, Path]] = []  # every page whose day number is known, even if broken
    for path in paths:
        source, found = read_source(path)
        if source is not None:
            day, found, number = _parse(source)
            if number is not None:
                numbered.append((number, path))
            if day is not None:
                days.append(day)
        problems.extend(found)
    problems.extend(_check_numbering(directory, numbered))
    days.sort(key=lambda d: d.number)
    return days, problems


def load_day(path: Path) -> tuple[ChallengeDay | None, list[ContentProblem]]:
    """Read and parse one page. Never raises for bad content."""
    source, problems = read_source(path)
    if source is None:
        return None, problems
    return parse_day(source)


def _check_numbering(directory: Path, numbered: list[tuple[int, Path]]) -> list[ContentProblem]:
    """Each day once, and days 1..N without gaps."""
    problems = []
    first_file: dict[int, Path] = {}
    for number, path in sorted(numbered, key=lambda item: str(item[1])):
        if number in first_file:
            problems.append(
                ContentProblem(
                    path,
                    _day_line(path),
                    f"day {number} is defined twice: in {first_file[number].name} and in "
                    f"{path.name}",
                )
            )
        else:
            first_file[number] = path
    if first_file:
        last = max(first_file)
        found = ", ".join(str(n) for n in sorted(first_file))
        for number in range(1, last + 1):
            if number not in first_file:
                problems.append(
                    ContentProblem(
                        directory,
                        None,
                        f"day {number} is missing: days must run from 1 to {last} without "
                        f"gaps (found days {found})",
                    )
                )
    return problems


def _day_line(path: Path) -> int | None:
    """The line that gives a page its day: `day:` in the front matter, else the H1."""
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return None
    for pattern in (r"^day\s*:", r"^ {0,3}#\s"):
        for number, line in enumerate(lines, start=1):
            if re.match(pattern, line):
                return number
    return None


def parse_day(source: SourceText) -> tuple[ChallengeDay | None, list[ContentProblem]]:
    """Turn one page's text into a `ChallengeDay`, or return the problems that prevent it."""
    day, problems, _ = _parse(source)
    return day, problems


def _parse(source: SourceText) -> tuple[ChallengeDay | None, list[ContentProblem], int | None]:
    """The day (if the page is sound), its problems, and its day number (if one was found)."""
    problems: list[ContentProblem] = []

    def problem(line_index: int | None, message: str) -> None:
        line = source.body_line + line_index if line_index is not None else None
        problems.append(ContentProblem(source.path, line, message))

    text, unclosed = _remove_comments(source.body)
    if unclosed is not None:
        problem(unclosed, "an HTML comment opened with <!-- is never closed")
    lines = [line.rstrip() for line in text.split("\n")]
    if not any(line.strip() for line in lines):
        problem(0, "the page is empty after its front matter")
        return None, problems, _as_day_number(source.meta.get("day"))

    headings = _find_headings(lines)
    h1 = _single_h1(headings, problem)
    first_text = next(index for index, line in enumerate(lines) if line.strip())
    title = _title(source, h1, first_text, problems, problem)
    parts = _split_parts(lines, headings, h1, problem)
    keywords = _keywords(source, problems)
    description = _description(source, problems)
    if problems or title.number is None:
        return None, problems, title.number
    day = ChallengeDay(
        number=title.number,
        title=title.text,
        emoji=title.emoji,
        intro=parts.intro,
        sections=tuple(parts.sections),
        questions=tuple(parts.questions),
        answers=tuple(parts.answers),
        closing=parts.closing,
        description=description,
        keywords=keywords,
        source=source.path,
        extra={key: value for key, value in source.meta.items() if key not in KNOWN_KEYS},
    )
    return day, [], title.number


# --- title and day number -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Title:
    emoji: str
    text: str
    number: int | None


def _single_h1(headings: list[_Heading], problem: _Report) -> _Heading | None:
    """The page's H1; every further one is reported."""
    h1s = [h for h in headings if h.level == 1 and not h.bold_line]
    for extra_h1 in h1s[1:]:
        problem(extra_h1.index, "a second '# ' title: one page must hold exactly one day")
    return h1s[0] if h1s else None


def _title(
    source: SourceText,
    h1: _Heading | None,
    first_text: int,
    problems: list[ContentProblem],
    problem: _Report,
) -> _Title:
    """Title, emoji and number: front matter wins over the H1."""
    emoji, title, title_number = _split_title(h1.text) if h1 else ("", "", None)
    meta = source.meta
    if "title" in meta:
        if isinstance(meta["title"], str) and meta["title"].strip():
            fm_emoji, title, fm_title_number = _split_title(meta["title"])
            emoji = emoji or fm_emoji
            title_number = title_number if title_number is not None else fm_title_number
        else:
            problems.append(_meta_problem(source, "title", "title: must be a non-empty text"))
    fm_number = _front_matter_day(source, problems)
    if h1 is None and not title:
        problem(first_text, "no title: the page needs an H1 like '# **🧠 Day 1: Title 🧠**'")
    elif not title:
        problem(h1.index if h1 else None, "the title is empty: write it after 'Day N:'")
    where = h1.index if h1 else first_text
    number = _day_number(fm_number, title_number, "day" in meta, where, problem)
    return _Title(emoji, title, number)


def _front_matter_day(source: SourceText, problems: list[ContentProblem]) -> int | None:
    """`day:` from the front matter, if given and valid (an invalid one is reported)."""
    if "day" not in source.meta:
        return None
    number = _as_day_number(source.meta["day"])
    if number is None:
        message = f"day: must be a whole number ≥ 1, got {source.meta['day']!r}"
        problems.append(_meta_problem(source, "day", message))
    return number


def _day_number(
    fm_number: int | None, title_number: int | None, has_day_key: bool, where: int, problem: _Report
) -> int | None:
    """The front matter's number, else the title's; a disagreement or none is reported."""
    if fm_number is not None and title_number is not None and fm_number != title_number:
        problem(
            where, f"the front matter says day {fm_number} but the title says Day {title_number}"
        )
    number = fm_number if fm_number is not None else title_number
    if number is None and not has_day_key:
        problem(
            where,
            "no day number: start the title with 'Day N:' or add 'day: N' to the front matter",
        )
    return number


def _description(source: SourceText, problems: list[ContentProblem]) -> str:
    """The front matter's description on one line ("" if absent; reported if not a text)."""
    description = source.meta.get("description", "")
    if not isinstance(description, str):
        problems.append(_meta_problem(source, "description", "description: must be a text"))
        return ""
    return " ".join(description.split())


# --- page structure -------------------------------------------------------------------------


_Report = Callable[[int | None, str], None]  # (line index in the body, message)


@dataclass
class _Parts:
    intro: str
    sections: list[Section]
    questions: list[str]
    answers: list[ExpertAnswer]
    closing: Section | None

    def add(self, role: str, heading: _Heading, text: str, problem: _Report) -> None:
        """Take in the text under `heading`, as the part its role says."""
        if role == "section":
            self.sections.append(Section(heading.text, text, min(heading.level, 3)))
        elif role == "conversation":
            self.questions = _blocks(text)
            if not self.questions:
                problem(heading.index, "'Join the Conversation' has no question under it")
        elif role == "answer":
            emoji, author = _split_leading_emoji(heading.text)
            author = author.strip()
            if not text:
                problem(heading.index, f"the expert answer by {author} is empty")
            self.answers.append(ExpertAnswer(author=author, body=text, emoji=emoji or "🧠"))
        else:
            self.closing = Section(heading.text, text, 2)


def _split_parts(
    lines: list[str], headings: list[_Heading], h1: _Heading | None, problem: _Report
) -> _Parts:
    """Assign each heading a role and collect the text between them."""
    start = h1.index + 1 if h1 else 0
    headings = [h for h in headings if h.index >= start and not (h.level == 1 and not h.bold_line)]
    markers = _roles(headings, _closing_bold_line(lines, headings))
    bounds = [heading.index for heading, _ in markers] + [len(lines)]
    parts = _Parts(_tidy(lines[start : bounds[0]]), [], [], [], None)
    for (heading, role), end in zip(markers, bounds[1:], strict=True):
        parts.add(role, heading, _tidy(lines[heading.index + 1 : end]), problem)
    if not any(role == "conversation" for _, role in markers):
        # Point at where the section belongs: before the answers or the closing heading.
        after = [h.index for h, role in markers if role in ("answer", "closing")]
        problem(
            after[0] if after else max(i for i, line in enumerate(lines) if line.strip()),
            "no 'Join the Conversation' section: the day's thread needs a question for members",
        )
    return parts


def _roles(headings: list[_Heading], closing_bold: _Heading | None) -> list[tuple[_Heading, str]]:
    """(heading, role) for the headings that structure the page; others stay in the text.

    Sections come first, then "Join the Conversation", the expert answers and the closing
    heading; everything after the closing heading is part of it.
    """
    markers: list[tuple[_Heading, str]] = []
    phase = "sections"
    for heading in headings:
        if phase == "closing":
            break
        if _CONVERSATION.search(heading.text) and phase == "sections":
            markers.append((heading, "conversation"))
            phase = "conversation"
        elif _is_expert_heading(heading, after_conversation=phase != "sections"):
            markers.append((heading, "answer"))
            phase = phase if phase == "sections" else "answers"
        elif phase == "sections":
            markers.append((heading, "section"))
        elif (not heading.bold_line and heading.level <= 2) or heading is closing_bold:
            markers.append((heading, "closing"))
            phase = "closing"
    return markers


def _find_headings(lines: list[str]) -> list[_Heading]:
    headings = []
    fence: str | None = None
    for index, line in enumerate(lines):
        fence_match = FENCE.match(line)
        if fence is not None:
            if (
                fence_match
                and fence_match.group(1)[0] == fence[0]
                and len(fence_match.group(1)) >= len(fence)
            ):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            continue
        atx = HEADING.match(line)
        if atx:
            text = _clean_heading(atx.group(2) or "")
            if text:
                headings.append(_Heading(index, len(atx.group(1)), text, bold_line=False))
            continue
        if _is_bold_heading(lines, index):
            headings.append(_Heading(index, 2, _clean_heading(line), bold_line=True))
    return headings


def _is_bold_heading(lines: list[str], index: int) -> bool:
    """A line that is all bold, alone between blank lines, short and not a sentence."""
    match = _BOLD_LINE.match(lines[index])
    if not match:
        return False
    text = match.group("text")
    if "**" in text or "__" in text or len(text) > _BOLD_HEADING_MAX:
        return False
    if text.rstrip().endswith((".", "!", "?", ",", ";")):
        return False
    before_blank = index == 0 or not lines[index - 1].strip()
    after_blank = index + 1 >= len(lines) or not lines[index + 1].strip()
    return before_blank and after_blank


def _closing_bold_line(lines: list[str], headings: list[_Heading]) -> _Heading | None:
    """In pages with bold lines for headings, the last one closes the page if only prose follows.

    (Bold lines inside an answer — `**Opportunities**` — are followed by lists, so they stay
    part of the answer.)
    """
    conversation = next((h.index for h in headings if _CONVERSATION.search(h.text)), None)
    if conversation is None or not headings[-1].bold_line:
        return None
    last = headings[-1]
    uses_bold_sections = any(
        h.bold_line and not _is_expert_heading(h, after_conversation=False)
        for h in headings
        if h.index < conversation
    )
    only_prose_follows = not any(LIST_ITEM.match(line) for line in lines[last.index + 1 :])
    if uses_bold_sections and last.index > conversation and only_prose_follows:
        return last
    return None


def _is_expert_heading(heading: _Heading, *, after_conversation: bool) -> bool:
    emoji, rest = _split_leading_emoji(heading.text)
    if _HONORIFIC.match(rest):
        return heading.bold_line or heading.level >= 3
    return after_conversation and not heading.bold_line and heading.level >= 3 and bool(emoji)


def _clean_heading(text: str) -> str:
    text = _BOLD_MARKS.sub("", text).strip()
    return text.rstrip(":").strip()


def _split_title(text: str) -> tuple[str, str, int | None]:
    """`🧠 Day 10: Nurturing AI Talent 🧠` → ('🧠', 'Nurturing AI Talent', 10)."""
    emoji, rest = _split_leading_emoji(_clean_heading(text))
    rest, _ = _split_trailing_emoji(rest)
    number = None
    match = _DAY_PREFIX.match(rest)
    if match:
        number = int(match.group(1))
        rest = rest[match.end() :]
    rest, trailing = _split_trailing_emoji(rest.strip())
    return emoji or trailing, rest.strip(), number


# --- small text helpers ---------------------------------------------------------------------


def _is_emoji_char(char: str) -> bool:
    code = ord(char)
    return (
        unicodedata.category(char) == "So"
        or char in EMOJI_JOINERS
        or is_skin_tone(char)
        or 0xE0020 <= code <= 0xE007F  # tag sequences (flags of regions)
    )


def _split_leading_emoji(text: str) -> tuple[str, str]:
    text = text.strip()
    end = 0
    while end < len(text) and _is_emoji_char(text[end]):
        end += 1
    return text[:end], text[end:].strip()


def _split_trailing_emoji(text: str) -> tuple[str, str]:
    text = text.strip()
    start = len(text)
    while start > 0 and _is_emoji_char(text[start - 1]):
        start -= 1
    return text[:start].strip(), text[start:]


def _remove_comments(text: str) -> tuple[str, int | None]:
    """Drop HTML comments, keeping line numbers; also return the line of an unclosed `<!--`."""
    text = CLOSED_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    opened = text.find("<!--")
    if opened == -1:
        return text, None
    return text[:opened], text.count("\n", 0, opened)


def _tidy(lines: Iterable[str]) -> str:
    """Join lines, trim blank lines at both ends and collapse runs of blank lines."""
    text = "\n".join(lines).strip("\n")
    return re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", text)


def _blocks(text: str) -> list[str]:
    return [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]


def _as_day_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()) or None
    return None


def _keywords(source: SourceText, problems: list[ContentProblem]) -> tuple[str, ...]:
    """`keywords:` (and MkDocs `tags:`) as lowercase, deduplicated, in page order."""
    found: list[str] = []
    for key in ("keywords", "tags"):
        value = source.meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            items: list[object] = list(value.split(","))
        elif isinstance(value, list):
            items = value
        else:
            problems.append(_meta_problem(source, key, f"{key}: must be a list of words"))
            continue
        for item in items:
            if isinstance(item, dict | list):
                problems.append(_meta_problem(source, key, f"{key}: each entry must be a word"))
                continue
            word = " ".join(str(item).split()).lower()
            if word and word not in found:
                found.append(word)
    return tuple(found)


def _meta_problem(source: SourceText, key: str, message: str) -> ContentProblem:
    return ContentProblem(source.path, _front_matter_line(source, key), message)


def _front_matter_line(source: SourceText, key: str) -> int:
    """The line where `key:` appears in the front matter (2 if it can't be found)."""
    try:
        text = source.path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return 2
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for number, line in enumerate(text.splitlines()[: source.body_line], start=1):
        if pattern.match(line):
            return number
    return 2
