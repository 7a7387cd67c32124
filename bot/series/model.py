"""The day model every feature shares: a challenge day as parsed from its page
(`ChallengeDay`, in a `Series`) and as stored for one run in one server (`DayRow`), with the
states a stored day goes through and the questions asked of a run's days (`current_day`,
`next_post`). Pure: no Discord, no SQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# A stored day's states (`series_days.state`).
SCHEDULED, POSTING, POSTED, SKIPPED, MISSED = "scheduled", "posting", "posted", "skipped", "missed"
DONE_STATES = frozenset({POSTED, SKIPPED, MISSED})
WAITING_STATES = frozenset({SCHEDULED, POSTING})  # still to be posted


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

    def __iter__(self) -> Iterator[ChallengeDay]:
        return iter(self.days)

    def day(self, number: int) -> ChallengeDay | None:
        return next((d for d in self.days if d.number == number), None)

    @property
    def numbers(self) -> list[int]:
        return [d.number for d in self.days]

    def is_last(self, number: int) -> bool:
        """Whether `number` is the final day (its post closes the series)."""
        return bool(self.days) and number == max(self.numbers)


@dataclass(frozen=True, slots=True)
class DayRow:
    """One day of one run of a series in one server, as stored: its timetable slot and how
    far its post, answers and recap have got (the store reads and writes it)."""

    guild_id: int
    series: str
    day: int
    title: str
    planned_at: datetime
    state: str
    nonce: str | None = None
    channel_id: int | None = None
    message_id: int | None = None
    parts_sent: int = 0
    last_message_id: int | None = None
    thread_id: int | None = None
    opening_message_id: int | None = None
    posted_at: datetime | None = None
    late: bool = False
    answer_state: str = "pending"
    answer_nonce: str | None = None
    answer_parts_sent: int = 0
    answer_message_id: int | None = None
    answer_posted_at: datetime | None = None
    recap_posted_at: datetime | None = None
    error: str | None = None
    attempts: int = 0
    retry_at: datetime | None = None  # next try of a failed post or answer
    recap_message_id: int | None = None  # 0: sent by an older release, id not kept
    recap_attempts: int = 0
    recap_retry_at: datetime | None = None

    @property
    def posted(self) -> bool:
        return self.state == POSTED

    @property
    def waiting(self) -> bool:
        """Still to be posted (scheduled, or claimed and not finished)."""
        return self.state in WAITING_STATES

    @property
    def recap_sent(self) -> bool:
        return self.recap_message_id is not None


def in_order(rows: Iterable[DayRow]) -> list[DayRow]:
    return sorted(rows, key=lambda row: row.day)


def current_day(rows: Iterable[DayRow]) -> DayRow | None:
    """The highest-numbered posted day: today's challenge."""
    posted = [row for row in rows if row.posted]
    return max(posted, key=lambda row: row.day) if posted else None


def next_post(rows: Iterable[DayRow]) -> DayRow | None:
    """The next day still to post (lowest number first), or None when nothing is left.

    Its real time is `max(planned_at, now)`: an overdue day goes out as soon as it can.
    """
    return next((row for row in in_order(rows) if row.waiting), None)


def next_after(rows: Iterable[DayRow], number: int) -> DayRow | None:
    """The first day after `number` that is still to be posted (for "next post at …")."""
    return next((row for row in in_order(rows) if row.day > number and row.waiting), None)
