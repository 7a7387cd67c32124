"""Leaderboard ranking, streaks, completion thresholds and recap picks (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.members.participation import (
    DayTotals,
    Participant,
    ReactedComment,
    earned_roles,
    find_rank,
    most_reacted,
    qualifies,
    rank,
    streak,
    summarise,
)
from bot.series.model import DayRow

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def person(user_id: int, days: set[int], comments: int, first: int) -> Participant:
    return Participant(user_id, f"user{user_id}", frozenset(days), comments, first)


def schedule(states: dict[int, str], total: int = 12) -> list[DayRow]:
    return [
        DayRow(1, "s", n, f"Day {n}", T0 + timedelta(days=n - 1), states.get(n, "scheduled"))
        for n in range(1, total + 1)
    ]


def test_rank_orders_by_days_then_comments() -> None:
    ranked = rank([person(1, {1}, 9, 10), person(2, {1, 2}, 2, 20), person(3, {1, 2}, 5, 30)])
    assert [(r.rank, r.participant.user_id) for r in ranked] == [(1, 3), (2, 2), (3, 1)]


def test_ties_share_a_rank_1224_and_list_earliest_first() -> None:
    ranked = rank(
        [
            person(1, {1, 2, 3}, 5, first=300),
            person(2, {1, 2, 3}, 5, first=100),  # same score, joined in earlier
            person(3, {1, 2, 3}, 7, first=500),
            person(4, {1}, 1, first=50),
        ]
    )
    assert [(r.rank, r.participant.user_id) for r in ranked] == [(1, 3), (2, 2), (2, 1), (4, 4)]
    assert find_rank(ranked, 1).rank == 2  # type: ignore[union-attr]
    assert find_rank(ranked, 99) is None


def test_rank_of_nobody_is_empty() -> None:
    assert rank([]) == []


def test_streak_counts_consecutive_posted_days() -> None:
    days = schedule({n: "posted" for n in range(1, 7)})
    result = streak({1, 2, 4, 5, 6}, days)
    assert (result.current, result.best, result.done, result.total) == (3, 3, 5, 12)


def test_a_gap_breaks_the_streak() -> None:
    days = schedule({n: "posted" for n in range(1, 7)})
    result = streak({1, 2, 3, 5}, days)  # day 4 and day 6 without a reply
    assert (result.best, result.current) == (3, 1)  # day 6 is today: still open


def test_skipped_and_missed_days_do_not_break_a_streak() -> None:
    states = {1: "posted", 2: "skipped", 3: "posted", 4: "missed", 5: "posted"}
    result = streak({1, 3, 5}, schedule(states))
    assert (result.current, result.best, result.done) == (3, 3, 3)


def test_todays_unanswered_day_keeps_the_current_streak_alive() -> None:
    days = schedule({1: "posted", 2: "posted", 3: "posted"})
    assert streak({1, 2}, days).current == 2
    assert streak({1}, days).current == 0  # day 2 was missed by the member


def test_streak_before_the_series_and_without_schedule() -> None:
    assert streak(set(), schedule({})).current == 0
    result = streak({1, 2}, [])
    assert (result.current, result.best, result.done, result.total) == (0, 0, 2, 12)


def test_completion_thresholds() -> None:
    assert qualifies(range(1, 13), 12, 12)
    assert not qualifies(range(1, 12), 12, 12)
    assert qualifies({1, 3, 5, 7, 9, 11}, 6, 12)
    assert not qualifies({1, 3, 5, 7, 9, 13}, 6, 12)  # day 13 isn't part of the series
    assert not qualifies({1}, 0, 12)


def test_earned_roles_tier_then_full() -> None:
    kwargs = {"total": 12, "completion_role_id": 100, "tier_role_id": 200, "tier_days": 6}
    assert earned_roles({1, 2, 3, 4, 5}, **kwargs) == []
    assert earned_roles({1, 2, 3, 4, 5, 6}, **kwargs) == [(200, 6)]
    assert earned_roles(range(1, 13), **kwargs) == [(200, 6), (100, 12)]
    assert (
        earned_roles(
            range(1, 13), total=12, completion_role_id=None, tier_role_id=None, tier_days=6
        )
        == []
    )
    # A shorter series: the tier can't ask for more days than there are.
    assert earned_roles({1, 2, 3}, total=3, completion_role_id=1, tier_role_id=2, tier_days=6) == [
        (2, 3),
        (1, 3),
    ]


def test_most_reacted_picks_three_earliest_on_ties_and_skips_unreacted() -> None:
    comments = [
        ReactedComment(10, 1, "a", 2),
        ReactedComment(11, 1, "b", 5),
        ReactedComment(12, 1, "c", 2),
        ReactedComment(13, 1, "d", 0),
        ReactedComment(9, 1, "e", 2),
    ]
    assert [c.message_id for c in most_reacted(comments)] == [11, 9, 10]
    assert most_reacted([ReactedComment(1, 1, "x", 0)]) == []


def test_summary_has_every_day_and_counts_completers() -> None:
    days = schedule({1: "posted", 2: "posted", 3: "skipped"})
    people = [person(1, set(range(1, 13)), 20, 1), person(2, {1}, 1, 2)]
    summary = summarise([DayTotals(1, 4, 2), DayTotals(2, 3, 1)], people, days)
    assert [t.day for t in summary.per_day] == list(range(1, 13))
    assert summary.per_day[2] == DayTotals(3, 0, 0)
    assert (summary.members, summary.comments, summary.days_posted) == (2, 7, 2)
    assert (summary.total_days, summary.completers) == (12, 1)
