"""Participation maths: leaderboard ranking, streaks, completion, recap picks. Pure.

Inputs are plain dataclasses read from the store (comments already filtered: no deleted
comments, no erased members), so every rule here is testable without Discord or SQLite.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.comments.model import DayTotals
from bot.series.model import DayRow

SERIES_DAYS = 12  # the series' length when the schedule isn't stored yet


@dataclass(frozen=True, slots=True)
class Participant:
    """One member's recorded participation in a server."""

    user_id: int
    name: str  # the latest display name recorded
    days: frozenset[int]
    comments: int
    first_message_id: int  # snowflake of their first comment: earliest participation

    @property
    def day_count(self) -> int:
        return len(self.days)


@dataclass(frozen=True, slots=True)
class Ranked:
    rank: int
    participant: Participant


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    best: int
    done: int  # distinct days commented
    total: int  # days in the series


@dataclass(frozen=True, slots=True)
class ReactedComment:
    """A candidate for the recap's "most reacted" list."""

    message_id: int
    thread_id: int
    author_name: str
    reactions: int
    content: str = ""


@dataclass(frozen=True, slots=True)
class ParticipationSummary:
    """What /stats shows."""

    per_day: tuple[DayTotals, ...]  # one entry per day of the series, zeros included
    members: int  # distinct members who commented at least once
    comments: int
    days_posted: int
    total_days: int
    completers: int  # members who commented on every day of the series


def series_length(days: Sequence[DayRow]) -> int:
    return max((d.day for d in days), default=0) or SERIES_DAYS


def rank(participants: Iterable[Participant]) -> list[Ranked]:
    """Order by distinct days, then comments (both descending).

    Equal (days, comments) share a rank, standard competition style ("1224"), and are listed by
    earliest participation (the first comment's snowflake), then user id.
    """
    ordered = sorted(
        participants, key=lambda p: (-p.day_count, -p.comments, p.first_message_id, p.user_id)
    )
    ranked: list[Ranked] = []
    for index, participant in enumerate(ordered):
        previous = ranked[-1] if ranked else None
        same = previous is not None and _score(previous.participant) == _score(participant)
        ranked.append(Ranked(previous.rank if same and previous else index + 1, participant))
    return ranked


def _score(participant: Participant) -> tuple[int, int]:
    return participant.day_count, participant.comments


def find_rank(ranked: Sequence[Ranked], user_id: int) -> Ranked | None:
    return next((r for r in ranked if r.participant.user_id == user_id), None)


def streak(commented: Iterable[int], days: Sequence[DayRow]) -> Streak:
    """Streaks over the days that were actually posted, in order.

    Skipped or missed days were never open, so they don't break a streak; a posted day without
    a comment does. The latest posted day is still open: not having answered it yet doesn't end
    the current streak (it just isn't counted until you do).
    """
    mine = set(commented)
    posted = sorted(d.day for d in days if d.posted)
    best = run = 0
    for number in posted:
        run = run + 1 if number in mine else 0
        best = max(best, run)
    current = 0
    for index, number in enumerate(reversed(posted)):
        if number in mine:
            current += 1
        elif index == 0:
            continue  # today's day, not answered yet
        else:
            break
    total = series_length(days)
    done = len({d for d in mine if 1 <= d <= total})
    return Streak(current=current, best=best, done=done, total=total)


def qualifies(days: Iterable[int], needed: int, total: int) -> bool:
    """True when a member commented on at least `needed` distinct days of 1..`total`."""
    return needed >= 1 and len({d for d in days if 1 <= d <= total}) >= needed


def earned_roles(
    days: Iterable[int],
    *,
    total: int,
    completion_role_id: int | None,
    tier_role_id: int | None,
    tier_days: int,
) -> list[tuple[int, int]]:
    """(role id, days needed) of every configured completion role these days earn."""
    wanted = set(days)
    earned = []
    if tier_role_id and qualifies(wanted, min(tier_days, total), total):
        earned.append((tier_role_id, min(tier_days, total)))
    if completion_role_id and qualifies(wanted, total, total):
        earned.append((completion_role_id, total))
    return earned


def summarise(
    totals: Iterable[DayTotals], participants: Sequence[Participant], days: Sequence[DayRow]
) -> ParticipationSummary:
    total = series_length(days)
    by_day = {t.day: t for t in totals}
    numbers = sorted(set(range(1, total + 1)) | {d for d in by_day if d >= 1})
    per_day = tuple(by_day.get(n, DayTotals(n, 0, 0)) for n in numbers)
    return ParticipationSummary(
        per_day=per_day,
        members=len(participants),
        comments=sum(t.comments for t in per_day),
        days_posted=sum(1 for d in days if d.posted),
        total_days=total,
        completers=sum(1 for p in participants if qualifies(p.days, total, total)),
    )


def most_reacted(comments: Iterable[ReactedComment], limit: int = 3) -> list[ReactedComment]:
    """The `limit` comments with the most reactions (at least one), earliest first on ties."""
    reacted = [c for c in comments if c.reactions > 0]
    reacted.sort(key=lambda c: (-c.reactions, c.message_id))
    return reacted[:limit]
