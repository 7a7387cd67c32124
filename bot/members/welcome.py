"""Welcoming people who join: what to tell them, and how to survive a join storm. Pure.

`where_we_are` reads the schedule into a `SeriesMoment`; `welcome_text` turns it into the
greeting (the default one or `WELCOME_MESSAGE` with placeholders); `WelcomeQueue` decides,
join by join, whether to greet one person or to fold a raid into one grouped greeting, and
keeps the bot well under Discord's rate limits.
"""

from __future__ import annotations

import string
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from bot.i18n import Messages
from bot.members.participation import series_length
from bot.rendering.limits import discord_timestamp
from bot.series.model import DayRow, current_day, next_post

PLACEHOLDERS = ("member", "server", "series", "day", "thread", "next")


def commands_worth_knowing(tr: Messages) -> str:
    return tr._(
        "`/challenge today` (today's challenge), `/keyword` (look up an AI topic), "
        "`/help` (everything else)"
    )


class Phase(Enum):
    UNSCHEDULED = "unscheduled"  # no start date known
    NOT_STARTED = "not_started"
    RUNNING = "running"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class SeriesMoment:
    """Where the series stands right now."""

    phase: Phase
    total_days: int
    today: DayRow | None = None  # the latest posted day
    next_day: DayRow | None = None  # the next day still to post
    next_at: datetime | None = None  # when it is due (never in the past)


def where_we_are(
    days: Sequence[DayRow],
    now: datetime,
    *,
    interval: timedelta,
    first_post: datetime | None = None,
) -> SeriesMoment:
    """The series' phase from its stored days (or, before they exist, the configured start)."""
    total = series_length(days)
    if not days:
        if first_post is None:
            return SeriesMoment(Phase.UNSCHEDULED, total)
        return SeriesMoment(Phase.NOT_STARTED, total, next_at=max(first_post, now))
    today = current_day(days)
    upcoming = next_post(days)
    next_at = max(upcoming.planned_at, now) if upcoming else None
    if today is None:
        phase = Phase.NOT_STARTED if upcoming else Phase.ENDED
        return SeriesMoment(phase, total, None, upcoming, next_at)
    if upcoming is None:
        # The last posted day stays "today" for one interval, then the series is over.
        ends = (today.posted_at or today.planned_at) + interval
        phase = Phase.RUNNING if now < ends else Phase.ENDED
        return SeriesMoment(phase, total, today, None, None)
    return SeriesMoment(Phase.RUNNING, total, today, upcoming, next_at)


@dataclass(frozen=True, slots=True)
class WelcomeText:
    text: str
    problem: str | None = None  # why a custom template wasn't used


def placeholder_values(
    tr: Messages,
    moment: SeriesMoment,
    *,
    member: str,
    server: str,
    series: str,
    channel_id: int | None,
) -> dict[str, str]:
    """What {member} {server} {series} {day} {thread} {next} stand for right now (in the
    reader's language: an organiser's own template gets them too)."""
    channel = f"<#{channel_id}>" if channel_id else tr._("the challenge channel")
    today = moment.today
    if moment.phase is Phase.RUNNING and today is not None:
        day = tr._("Day {day}: {title}", day=today.day, title=today.title)
        thread = f"<#{today.thread_id}>" if today.thread_id else channel
    elif moment.phase is Phase.ENDED:
        day, thread = tr._("finished"), channel
    else:
        day, thread = tr._("not started yet"), channel
    upcoming = discord_timestamp(moment.next_at, "R") if moment.next_at else "—"
    return {
        "member": member,
        "server": server,
        "series": series,
        "day": day,
        "thread": thread,
        "next": upcoming,
    }


def default_welcome(tr: Messages, moment: SeriesMoment, values: dict[str, str]) -> str:
    """The bot's own greeting, in `tr`'s language (an organiser's WELCOME_MESSAGE isn't)."""
    lines = [tr._("Welcome to **{server}**, {member}! 👋", **values)]
    total = moment.total_days
    if moment.phase is Phase.RUNNING and moment.today is not None:
        lines.append(
            tr.n_(
                "We're running the **{series}**: {count} daily challenge on AI in Morocco.",
                "We're running the **{series}**: {count} daily challenges on AI in Morocco.",
                total,
                **values,
            )
        )
        lines.append(tr._("📅 Today is **{day}** — the discussion is in {thread}.", **values))
        if moment.next_day is not None and moment.next_at is not None:
            lines.append(
                tr._(
                    "⏭️ Day {number} comes {next} ({date}).",
                    number=moment.next_day.day,
                    date=discord_timestamp(moment.next_at, "f"),
                    **values,
                )
            )
        else:
            lines.append(tr._("🏁 It's the last day of the series: don't miss it!"))
        lines.append(tr._("💬 To take part, reply in the day's thread — every day has its own."))
    elif moment.phase is Phase.NOT_STARTED:
        if moment.next_at:
            starts = tr.n_(
                "The **{series}** ({count} daily challenge on AI in Morocco) starts {next} "
                "({date}) in {thread}.",
                "The **{series}** ({count} daily challenges on AI in Morocco) starts {next} "
                "({date}) in {thread}.",
                total,
                date=discord_timestamp(moment.next_at, "f"),
                **values,
            )
        else:
            starts = tr.n_(
                "The **{series}** ({count} daily challenge on AI in Morocco) starts {next} "
                "in {thread}.",
                "The **{series}** ({count} daily challenges on AI in Morocco) starts {next} "
                "in {thread}.",
                total,
                **values,
            )
        lines.append(starts)
        lines.append(tr._("💬 Each day opens a thread: reply there to take part."))
    elif moment.phase is Phase.ENDED:
        lines.append(
            tr.n_(
                "The **{series}** has ended: its {count} discussion is still there to read in "
                "{thread}, and `/stats` shows how it went.",
                "The **{series}** has ended: all {count} discussions are still there to read in "
                "{thread}, and `/stats` shows how it went.",
                total,
                **values,
            )
        )
    else:
        lines.append(
            tr.n_(
                "The **{series}** ({count} daily challenge on AI in Morocco) will be announced "
                "in {thread} soon.",
                "The **{series}** ({count} daily challenges on AI in Morocco) will be announced "
                "in {thread} soon.",
                total,
                **values,
            )
        )
    lines.append(tr._("Commands worth knowing: {commands}.", commands=commands_worth_knowing(tr)))
    return "\n".join(lines)


class _Blank(dict[str, str]):
    """Unknown placeholders stay as written instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def welcome_text(
    tr: Messages, template: str | None, moment: SeriesMoment, values: dict[str, str]
) -> WelcomeText:
    """The greeting: `template` filled in (as the organiser wrote it), or the default in
    `tr`'s language when there's none or it's broken."""
    if not template:
        return WelcomeText(default_welcome(tr, moment, values))
    problem = template_problem(template)
    if problem is None:
        try:
            return WelcomeText(template.format_map(_Blank(values)))
        except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
            problem = f"{type(exc).__name__}: {exc}"
    return WelcomeText(default_welcome(tr, moment, values), problem)


def template_problem(template: str) -> str | None:
    """Why `WELCOME_MESSAGE` can't be used (None when it can)."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces)"
    for name in fields:
        if name == "" or name.isdigit():
            return "positional placeholders like {} or {0} aren't supported"
        base = name.split(".", 1)[0].split("[", 1)[0]
        if base != name:
            return f"{{{name}}}: attribute or index access isn't supported"
        if base not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            return f"unknown placeholder {{{name}}} (known: {known})"
    return None


def group_welcome_text(tr: Messages, count: int, server: str, series: str) -> str:
    values = {"server": server, "series": series, "commands": commands_worth_knowing(tr)}
    if count == 1:  # "the person": no number to agree with
        return tr._(
            "Welcome to the person who just joined **{server}**! 👋 "
            "The **{series}** discussion happens in each day's thread; {commands}.",
            **values,
        )
    return tr.n_(
        "Welcome to the {count} people who just joined **{server}**! 👋 "
        "The **{series}** discussion happens in each day's thread; {commands}.",
        "Welcome to the {count} people who just joined **{server}**! 👋 "
        "The **{series}** discussion happens in each day's thread; {commands}.",
        count,
        **values,
    )


# Join storms ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BurstPolicy:
    """Limits for greetings. Times are seconds on a monotonic clock."""

    threshold: int = 10  # more joins than this within `window` is a burst
    window: float = 60.0
    group_every: float = 60.0  # at most one grouped greeting per this many seconds
    gather: float = 10.0  # after a burst starts, wait this long before the first group
    max_messages: int = 3  # greetings sent per `per` seconds, at most
    per: float = 5.0


@dataclass(frozen=True, slots=True)
class Newcomer:
    user_id: int
    guild_id: int


@dataclass(frozen=True, slots=True)
class Greet:
    """Greet one person."""

    newcomer: Newcomer


@dataclass(frozen=True, slots=True)
class GreetGroup:
    """Greet everyone in `newcomers` with one message (no pings)."""

    guild_id: int
    newcomers: tuple[Newcomer, ...]


Action = Greet | GreetGroup


class WelcomeQueue:
    """Joins go in with `add`; `next_action` says what to send now, or how long to wait.

    The caller reports each message it sent with `sent`, which feeds the rate gate.
    """

    def __init__(self, policy: BurstPolicy | None = None) -> None:
        self.policy = policy or BurstPolicy()
        self._joins: deque[float] = deque()
        self._pending: deque[Newcomer] = deque()
        self._sends: deque[float] = deque()
        self._burst_until = float("-inf")
        self._burst_started: float | None = None
        self._last_group: float | None = None
        self.grouped = 0  # people greeted in groups so far (for logs and tests)

    def __len__(self) -> int:
        return len(self._pending)

    def add(self, newcomer: Newcomer, now: float) -> None:
        self._joins.append(now)
        self._prune(now)
        self._pending.append(newcomer)
        if len(self._joins) > self.policy.threshold:
            if not self.in_burst(now):
                self._burst_started = now
            self._burst_until = now + self.policy.window

    def in_burst(self, now: float) -> bool:
        return now < self._burst_until

    def sent(self, now: float) -> None:
        self._sends.append(now)

    def next_action(self, now: float) -> tuple[Action | None, float | None]:
        """(action to take now, None) or (None, seconds to wait; None = until the next join)."""
        self._prune(now)
        if not self._pending:
            return None, None
        if len(self._sends) >= self.policy.max_messages:
            return None, max(self._sends[0] + self.policy.per - now, 0.01)
        if not self.in_burst(now):
            return Greet(self._pending.popleft()), None
        started = self._burst_started if self._burst_started is not None else now
        due = started + self.policy.gather
        if self._last_group is not None:
            due = max(due, self._last_group + self.policy.group_every)
        if now < due:
            return None, due - now
        group = self._take_group()
        self._last_group = now
        self.grouped += len(group.newcomers)
        return group, None

    def _take_group(self) -> GreetGroup:
        guild_id = self._pending[0].guild_id
        taken = [n for n in self._pending if n.guild_id == guild_id]
        self._pending = deque(n for n in self._pending if n.guild_id != guild_id)
        return GreetGroup(guild_id, tuple(taken))

    def _prune(self, now: float) -> None:
        while self._joins and self._joins[0] <= now - self.policy.window:
            self._joins.popleft()
        while self._sends and self._sends[0] <= now - self.policy.per:
            self._sends.popleft()
