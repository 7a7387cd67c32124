"""What a challenge day is, once parsed from its page."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Section:
    """A heading (without Markdown markers) and its Markdown body."""

    heading: str
    body: str
    level: int = 2  # 1–3, as '#', '##', '###'


@dataclass(frozen=True, slots=True)
class ExpertAnswer:
    """One expert's answer: `### 🧠 **Mr NAME**` and what follows it."""

    author: str  # e.g. "Mr BELMADY"
    body: str  # Markdown
    emoji: str = "🧠"


@dataclass(frozen=True, slots=True)
class ChallengeDay:
    """One day of the series, parsed from one Markdown page."""

    number: int
    title: str  # "Nurturing AI Talent"
    emoji: str  # "🧠" ("" when the H1 has none)
    intro: str  # welcome paragraph(s) before the first section
    sections: tuple[Section, ...]  # in page order, excluding the discussion and answers
    questions: tuple[str, ...]  # the "Join the Conversation" prompt(s)
    answers: tuple[ExpertAnswer, ...]  # zero, one or more expert answers
    closing: Section | None  # the closing heading and line, if any
    description: str = ""
    keywords: tuple[str, ...] = ()
    source: Path | None = None
    extra: dict[str, object] = field(default_factory=dict)  # unknown front-matter keys

    @property
    def name(self) -> str:
        """`Day N: Title` — also the thread name (≤ 100 characters once rendered)."""
        return f"Day {self.number}: {self.title}"


@dataclass(frozen=True, slots=True)
class Series:
    """All days, ordered by day number (never by file name)."""

    days: tuple[ChallengeDay, ...]

    def __len__(self) -> int:
        return len(self.days)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.days)

    def day(self, number: int) -> ChallengeDay | None:
        return next((d for d in self.days if d.number == number), None)

    @property
    def numbers(self) -> list[int]:
        return [d.number for d in self.days]

    def is_last(self, number: int) -> bool:
        """Whether `number` is the final day (its post closes the series)."""
        return bool(self.days) and number == max(self.numbers)
