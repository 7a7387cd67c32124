"""What a recorded comment is, and the write operations applied to the comment record."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.rendering.limits import discord_link


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class ChallengeThread:
    """A day's discussion thread (or forum post), as declared in `series_days`."""

    guild_id: int
    day: int
    thread_id: int
    posted_at: datetime | None = None
    series: str = ""  # the run (edition or rehearsal) the day belongs to: its record key


@dataclass(frozen=True, slots=True)
class Comment:
    """One member reply in a challenge thread."""

    guild_id: int
    day: int
    thread_id: int
    message_id: int
    author_id: int
    author_name: str
    content: str
    created_at: datetime
    attachments: tuple[Attachment, ...] = ()
    reply_to: int | None = None
    edited_at: datetime | None = None
    deleted: bool = False
    reactions: int = 0
    series: str = ""  # the run's record key (from the thread)

    @property
    def jump_url(self) -> str:
        return discord_link(self.guild_id, self.thread_id, self.message_id)


@dataclass(frozen=True, slots=True)
class DayTotals:
    """Comments and distinct participants recorded for one day."""

    day: int
    comments: int
    participants: int


@dataclass(frozen=True, slots=True)
class DayPage:
    """One page of a day's comments, newest first, as `/comments day` shows it."""

    stats: DayTotals
    comments: list[Comment]
    page: int  # 0-based, within range
    pages: int


@dataclass(frozen=True, slots=True)
class UserDayCount:
    day: int
    comments: int
    first_at: datetime
    last_at: datetime
    series: str = ""


@dataclass(frozen=True, slots=True)
class UserSummary:
    """What `/mydata` shows: counts per day, the first and last comment times."""

    user_id: int
    per_day: tuple[UserDayCount, ...]
    erased_at: datetime | None = None

    @property
    def comments(self) -> int:
        return sum(d.comments for d in self.per_day)

    @property
    def first_at(self) -> datetime | None:
        return min((d.first_at for d in self.per_day), default=None)

    @property
    def last_at(self) -> datetime | None:
        return max((d.last_at for d in self.per_day), default=None)


@dataclass(frozen=True, slots=True)
class StoredState:
    """The parts of a stored comment that reconciliation compares with Discord."""

    message_id: int
    content: str
    edited_at: str | None
    reactions: int
    deleted: bool = False


# Write operations: queued in order and applied in one transaction per batch.


@dataclass(frozen=True, slots=True)
class Record:
    """A new comment: inserted once (ON CONFLICT DO NOTHING), skipped for erased users."""

    comment: Comment


@dataclass(frozen=True, slots=True)
class Edit:
    """An edited message: the full new state; inserted if it was never recorded."""

    comment: Comment


@dataclass(frozen=True, slots=True)
class Refresh:
    """Reconciliation: text/attachments/reactions as Discord has them now."""

    message_id: int
    content: str
    attachments: tuple[Attachment, ...]
    edited_at: datetime | None
    reactions: int


@dataclass(frozen=True, slots=True)
class Delete:
    """Deleted messages: flagged, their text and attachments dropped."""

    message_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class React:
    """A reaction added (+1) or removed (−1)."""

    message_id: int
    delta: int


@dataclass(frozen=True, slots=True)
class SetReactions:
    """The total reaction count (after a clear, or as fetched from Discord)."""

    message_id: int
    count: int


CommentOp = Record | Edit | Refresh | Delete | React | SetReactions


@dataclass(slots=True)
class BackfillReport:
    """Summary of one backfill/reconcile run."""

    threads: int = 0
    new: int = 0
    updated: int = 0
    deleted: int = 0
    seconds: float = 0.0
    failed_threads: list[int] = field(default_factory=list)

    def line(self) -> str:
        text = (
            f"{self.threads} thread(s), {self.new} new, {self.updated} updated, "
            f"{self.deleted} deleted in {self.seconds:.2f}s"
        )
        if self.failed_threads:
            text += f"; could not read {len(self.failed_threads)} thread(s)"
        return text


def snowflake_time(snowflake: int) -> datetime:
    """When Discord made this id."""
    return datetime.fromtimestamp(((snowflake >> 22) + 1420070400000) / 1000, tz=UTC)
