"""The welcome text before, during and after the series, custom templates, and join storms."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from bot.i18n import ENGLISH
from bot.members.welcome import (
    BurstPolicy,
    Greet,
    GreetGroup,
    Newcomer,
    Phase,
    WelcomeQueue,
    placeholder_values,
    template_problem,
    welcome_text,
    where_we_are,
)
from bot.series.model import DayRow

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def days(posted: int, total: int = 12) -> list[DayRow]:
    return [
        DayRow(
            guild_id=1,
            series="s",
            day=n,
            title=f"Title {n}",
            planned_at=T0 + DAY * (n - 1),
            state="posted" if n <= posted else "scheduled",
            thread_id=1000 + n if n <= posted else None,
            posted_at=T0 + DAY * (n - 1) if n <= posted else None,
        )
        for n in range(1, total + 1)
    ]


def text_for(schedule: list[DayRow], now: datetime, template: str | None = None, **kw):  # type: ignore[no-untyped-def]
    moment = where_we_are(schedule, now, interval=DAY, **kw)
    values = placeholder_values(
        ENGLISH, moment, member="<@42>", server="Morocco AI", series="ML & DL", channel_id=7
    )
    return moment, welcome_text(ENGLISH, template, moment, values)


def test_during_the_series_names_today_its_thread_and_the_next_post() -> None:
    now = T0 + DAY * 2 + timedelta(hours=3)
    moment, result = text_for(days(3), now)
    assert moment.phase is Phase.RUNNING and moment.today.day == 3  # type: ignore[union-attr]
    text = result.text
    assert "<@42>" in text and "Morocco AI" in text
    assert "Day 3: Title 3" in text and "<#1003>" in text
    assert f"<t:{int((T0 + DAY * 3).timestamp())}:R>" in text
    assert "/challenge today" in text and "/keyword" in text and "/help" in text
    assert result.problem is None


def test_before_the_series_gives_the_start() -> None:
    moment, result = text_for(days(0), T0 - DAY)
    assert moment.phase is Phase.NOT_STARTED
    assert f"<t:{int(T0.timestamp())}:R>" in result.text and "starts" in result.text
    assert "<#7>" in result.text


def test_before_the_schedule_is_stored_uses_the_configured_start() -> None:
    moment, result = text_for([], T0 - DAY, first_post=T0)
    assert moment.phase is Phase.NOT_STARTED and moment.next_at == T0
    assert "starts" in result.text
    moment, result = text_for([], T0)
    assert moment.phase is Phase.UNSCHEDULED and "soon" in result.text


def test_last_day_then_after_the_series() -> None:
    moment, result = text_for(days(12), T0 + DAY * 11 + timedelta(hours=1))
    assert moment.phase is Phase.RUNNING and "last day" in result.text
    moment, result = text_for(days(12), T0 + DAY * 13)
    assert moment.phase is Phase.ENDED and "has ended" in result.text
    assert "Day 12" not in result.text


def test_overdue_next_day_is_never_in_the_past() -> None:
    now = T0 + DAY * 5  # day 4.. should have been posted long ago
    moment, _ = text_for(days(3), now)
    assert moment.next_at == now


def test_custom_template_with_placeholders() -> None:
    template = "Salam {member}! {series} on {server}: {day} in {thread}, next {next}. {{braces}}"
    _, result = text_for(days(2), T0 + DAY + timedelta(hours=1), template)
    assert result.problem is None
    assert result.text.startswith("Salam <@42>! ML & DL on Morocco AI: Day 2: Title 2 in <#1002>")
    assert result.text.endswith("{braces}")


@pytest.mark.parametrize(
    "template",
    ["Hello {member", "Hi {0}", "Hi {}", "Hi {member.name}", "Hi {nope}", "Hi {member!z}"],
)
def test_a_bad_template_falls_back_to_the_default(template: str) -> None:
    _, result = text_for(days(2), T0 + DAY, template)
    assert result.problem
    assert result.text.startswith("Welcome to **Morocco AI**, <@42>!")


def test_template_problem_names_the_unknown_placeholder() -> None:
    assert "{nope}" in (template_problem("{nope}") or "")
    assert template_problem("{member} {next}") is None


def newcomer(n: int) -> Newcomer:
    return Newcomer(n, 1)


def drain(queue: WelcomeQueue, start: float, until: float, step: float = 0.25) -> list:  # type: ignore[type-arg]
    """Run the queue like the cog's loop, on a fake clock; return (time, action) sent."""
    sent = []
    now = start
    while now <= until:
        action, _ = queue.next_action(now)
        while action is not None:
            sent.append((now, action))
            queue.sent(now)
            action, _ = queue.next_action(now)
        now += step
    return sent


def test_quiet_joins_are_greeted_one_by_one() -> None:
    queue = WelcomeQueue(BurstPolicy(threshold=10))
    for n in range(5):
        queue.add(newcomer(n), n * 10.0)
    sent = drain(queue, 0, 60)
    assert [type(a) for _, a in sent] == [Greet] * 5
    assert len(queue) == 0


def test_rate_gate_allows_few_messages_per_five_seconds() -> None:
    queue = WelcomeQueue(BurstPolicy(threshold=10, max_messages=3, per=5))
    for n in range(6):
        queue.add(newcomer(n), 0.0)
    action, wait = queue.next_action(0.0)
    for _ in range(3):
        assert isinstance(action, Greet)
        queue.sent(0.0)
        action, wait = queue.next_action(0.0)
    assert action is None and wait == pytest.approx(5.0)


def test_a_burst_becomes_one_grouped_greeting_per_minute() -> None:
    policy = BurstPolicy(threshold=10, group_every=60, gather=10)
    queue = WelcomeQueue(policy)
    joined = 0
    for second in range(120):  # 240 joins over two minutes
        for _ in range(2):
            queue.add(newcomer(joined), float(second))
            joined += 1
    sent = drain(queue, 0, 300)
    singles = [a for _, a in sent if isinstance(a, Greet)]
    groups = [a for _, a in sent if isinstance(a, GreetGroup)]
    assert len(singles) <= policy.threshold
    assert 1 <= len(groups) <= 4
    assert len(singles) + sum(len(g.newcomers) for g in groups) == 240
    times = [t for t, a in sent if isinstance(a, GreetGroup)]
    assert all(b - a >= 60 for a, b in itertools.pairwise(times))
    # Never more than 3 messages in any 5 seconds.
    all_times = [t for t, _ in sent]
    assert all(sum(1 for u in all_times if t <= u < t + 5) <= 3 for t in all_times)


def test_greetings_resume_one_by_one_after_the_burst() -> None:
    queue = WelcomeQueue(BurstPolicy(threshold=3, window=60, group_every=60, gather=5))
    for n in range(10):
        queue.add(newcomer(n), 0.0)
    drain(queue, 0, 100)
    queue.add(newcomer(99), 200.0)
    action, _ = queue.next_action(200.0)
    assert isinstance(action, Greet) and action.newcomer.user_id == 99
