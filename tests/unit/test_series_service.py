"""SeriesService without Discord: ordering, exactly-once claims, missed posts, retries, pause.

A fake publisher stands in for the Discord side (the real one runs in tests/e2e); the store
is a real SQLite file. Time is a fake clock, and the same clock drives the wake-ups
(`tests.fakes.FakeTimers`), so what the service decides and when it is woken agree.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from bot.i18n import ENGLISH, Language
from bot.i18n.choice import LanguageChoice
from bot.publishing import Publisher
from bot.series.config import PAUSED_KEY
from bot.series.loader import load_series
from bot.series.model import DayRow
from bot.series.posting import DayPost, PostStepError, Progress
from bot.series.service import LATE_NOTE, Outcome, SeriesService
from bot.settings import Settings
from bot.store import Database, database_at
from bot.store.languages import LanguageStore
from devtools.emulator import wait_for
from devtools.postgres import TemporaryPostgres
from tests.fakes import FakeClock, FakeDiscord, FakeTimers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "days"
GUILD = 4242
# The fake clock's series: any date works, nothing here reads the real calendar.
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Casablanca


class FakeBot:
    """What the composition root gives a series service: settings, the database, the
    dispatch of `challenge_posted` (recorded here) and Discord (a server the bot is in)."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self.discord = FakeDiscord(guilds={GUILD: "ML & DL Morocco", GUILD + 1: "Another"})

    def dispatch(self, name: str, *args: Any) -> None:
        self.events.append((name, args))


@dataclass
class FakePublisher:
    """Records what would be sent; `fail` makes the next calls raise like a 403, `crash`
    (`answer_crash`) raises those exceptions instead; `during` runs while a day is published."""

    posts: list[tuple[int, bool, DayPost]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    answer_tries: list[datetime] = field(default_factory=list)
    fail: int = 0
    crash: list[BaseException] = field(default_factory=list)
    answer_crash: list[BaseException] = field(default_factory=list)
    slow: float = 0.0
    store: Any = None
    clock: Any = None
    during: Callable[[int], Awaitable[None]] | None = None
    id_base: int = 1000  # message/thread ids it makes up (unique across fakes, like Discord's)

    async def channel(self, channel_id: int) -> object:
        return object()

    async def publish_day(
        self, row: DayRow, post: DayPost, channel: object, *, resumed: bool
    ) -> Progress:
        if self.slow:
            await asyncio.sleep(self.slow)
        if self.during is not None:
            await self.during(row.day)
        if self.crash:
            raise self.crash.pop(0)
        if self.fail:
            self.fail -= 1
            raise PostStepError("creating the day's thread", None, "403 Forbidden (test)")
        earlier = sum(1 for day, again, _ in self.posts if day == row.day and not again)
        self.posts.append((row.day, resumed, post))
        unique = self.id_base + row.day + 100 * (earlier if not resumed else max(earlier - 1, 0))
        ids = {"message_id": unique, "thread_id": unique}  # a later edition: new threads
        await self.store.update(row.guild_id, row.series, row.day, **ids)
        return Progress(ids["message_id"], len(post.parts), ids["message_id"], ids["thread_id"], 1)

    async def find_posted_days(self, channel: object, names: Any) -> dict[int, Any]:
        return {}

    async def publish_answers(self, row: DayRow, parts: Any, *, resumed: bool) -> None:
        if self.clock is not None:
            self.answer_tries.append(self.clock.now())
        if self.answer_crash:
            raise self.answer_crash.pop(0)
        self.answers.append(row.day)


@dataclass
class Env:
    service: SeriesService
    clock: FakeClock
    timers: FakeTimers
    publisher: FakePublisher
    bot: FakeBot

    def at(self, moment: datetime) -> None:
        self.clock.set(moment)

    def wakeup(self) -> datetime | None:
        return self.timers.when(f"series:{GUILD}")


def make_settings(tmp_path: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "guild_id": GUILD,
        "challenge_channel_id": 77,
        "series_dir": FIXTURES,
        "database_path": tmp_path / "bot.sqlite3",
        "series_start": START.date().isoformat(),
        "series_post_time": time(9, 0),
        "series_timezone": "Africa/Casablanca",
        "series_interval": timedelta(days=1),
        "answer_delay": timedelta(0),
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[call-arg]


def make_service(settings: Settings, db: Database, clock: FakeClock) -> Env:
    bot = FakeBot(settings, db)
    timers = FakeTimers(clock)
    publisher = FakePublisher(clock=clock)
    service = SeriesService(
        settings,
        db,
        load_series(FIXTURES),
        [],
        discord=bot.discord,
        publisher=publisher,  # type: ignore[arg-type]
        dispatch=bot.dispatch,
        clock=clock,
        timers=timers,
    )
    publisher.store = service.store
    return Env(service, clock, timers, publisher, bot)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    settings = make_settings(tmp_path)
    db = Database(settings.database_path)
    await db.open()
    yield make_service(settings, db, FakeClock(START - timedelta(hours=1)))
    await db.close()


def states(rows: list[DayRow]) -> list[str]:
    return [row.state for row in rows]


def posted_days(publisher: FakePublisher) -> list[int]:
    return [day for day, _, _ in publisher.posts]


async def day(env: Env, number: int) -> DayRow:
    row = await env.service.store.get_day(GUILD, env.service.series_id, number)
    assert row is not None
    return row


async def test_start_plans_twelve_days_and_one_wakeup(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    rows = await service.rows(GUILD)
    assert [row.day for row in rows] == list(range(1, 13))
    assert rows[0].planned_at == START
    assert states(rows) == ["scheduled"] * 12
    assert env.wakeup() == START  # one wake-up per server: the first post
    assert publisher.posts == []
    assert await service.next_post_at(GUILD) == START
    assert await service.current_day(GUILD) is None


async def test_the_clock_drives_the_whole_series(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    await env.timers.advance(timedelta(days=12))
    assert posted_days(publisher) == list(range(1, 13))
    rows = await service.rows(GUILD)
    assert [row.posted_at for row in rows] == [START + timedelta(days=n) for n in range(12)]
    assert not any(row.late for row in rows)
    assert env.wakeup() is None  # nothing left to do (no recap poster attached)


async def test_due_days_post_in_order_once_even_with_overlapping_wakeups(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(days=2, minutes=1))  # days 1–3 due, within grace for day 3
    publisher.slow = 0.01
    await asyncio.gather(service.wake(GUILD), service.wake(GUILD), service.wake(GUILD))
    assert posted_days(publisher) == [1, 2, 3]
    rows = await service.rows(GUILD)
    assert states(rows)[:4] == ["posted", "posted", "posted", "scheduled"]
    assert [row.late for row in rows[:3]] == [True, True, False]
    assert rows[0].answer_state == "posted" and rows[1].answer_state == "none"
    assert publisher.answers == [1, 3]
    posted = [args for name, args in env.bot.events if name == "challenge_posted"]
    record = service.record(GUILD)
    assert posted == [(GUILD, 1, 1001, record), (GUILD, 2, 1002, record), (GUILD, 3, 1003, record)]
    assert await service.current_day(GUILD) == 3
    assert env.wakeup() == START + timedelta(days=3)

    outcome, row = await service.post_now(GUILD, 2)
    assert outcome is Outcome.ALREADY and row is not None and row.state == "posted"
    assert len(publisher.posts) == 3


async def test_late_posts_carry_a_note_and_the_next_time(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(hours=3))
    await service.wake(GUILD)
    ((_, _, post),) = publisher.posts
    first = post.parts[0].content
    assert LATE_NOTE in first and "ref " in first
    day_two = int((START + timedelta(days=1)).timestamp())  # 09:00 local the next day
    assert f"<t:{day_two}:F>" in "\n".join(p.content for p in post.parts)
    assert post.thread_name == "Day 1: Education"


async def test_skip_policy_marks_overdue_days_missed(env: Env) -> None:
    service, publisher = env.service, env.publisher
    service.settings = service.settings.model_copy(update={"missed_post_policy": "skip"})
    await service.start(GUILD)
    env.at(START + timedelta(days=1, minutes=5))  # day 1 long gone, day 2 just due
    await service.wake(GUILD)
    rows = await service.rows(GUILD)
    assert states(rows)[:3] == ["missed", "posted", "scheduled"]
    assert posted_days(publisher) == [2]
    status = await service.status(GUILD, ENGLISH)
    assert status.next_day == 3 and status.overdue == []

    outcome, _ = await service.post_now(GUILD, 1)  # an admin can still post a missed day
    assert outcome is Outcome.POSTED


async def test_a_failure_is_recorded_retried_and_resumed(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(minutes=1))
    publisher.fail = 2
    await service.wake(GUILD)
    row = await day(env, 1)
    assert row.state == "posting" and row.attempts == 1 and row.error and "403" in row.error
    assert row.retry_at == START + timedelta(minutes=2)  # 1 minute after the failure
    assert env.wakeup() == row.retry_at  # the wake-up comes from the row
    await env.timers.advance(timedelta(minutes=1))
    row = await day(env, 1)
    assert row.attempts == 2 and row.retry_at == START + timedelta(minutes=7)  # then 5 min
    status = await service.status(GUILD, ENGLISH)
    assert status.overdue == [1]
    await env.timers.advance(timedelta(minutes=5))
    row = await day(env, 1)
    assert row.state == "posted" and row.error is None and row.attempts == 0
    assert row.retry_at is None
    assert publisher.posts[0][:2] == (1, True)  # resumed from the recorded intent


@pytest.mark.parametrize(
    "crash",
    [
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        sqlite3.OperationalError("database is locked"),
        RuntimeError("anything else"),
    ],
    ids=["network", "busy-database", "other"],
)
async def test_any_failure_after_the_claim_is_recorded_and_retried(
    env: Env, crash: BaseException
) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    publisher.crash = [crash]
    await env.timers.advance(timedelta(hours=1))  # the first post's wake-up
    row = await day(env, 1)
    assert row.state == "posting" and row.attempts == 1
    assert row.error is not None and type(crash).__name__ in row.error
    status = await service.status(GUILD, ENGLISH)
    assert any(type(crash).__name__ in str(row.error) for row in status.rows)

    await env.timers.advance(timedelta(minutes=1))  # the retry
    row = await day(env, 1)
    assert row.state == "posted" and row.error is None
    assert [(number, resumed) for number, resumed, _ in publisher.posts] == [(1, True)]


async def test_a_failed_answer_is_recorded_and_retried(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(minutes=1))
    publisher.answer_crash = [aiohttp.ClientOSError(104, "reset")]
    await service.wake(GUILD)  # the day posts, its answer (no delay) fails
    row = await day(env, 1)
    assert row.state == "posted" and row.answer_state == "posting"
    assert row.error is not None and "ClientOSError" in row.error
    assert env.wakeup() == START + timedelta(minutes=2)
    await env.timers.advance(timedelta(minutes=1))
    row = await day(env, 1)
    assert row.answer_state == "posted" and publisher.answers == [1]


async def test_an_answer_retry_keeps_its_backoff_through_admin_changes(env: Env) -> None:
    """A failing answer used to be re-added at max(posted + delay, now) by any skip, pause
    or sync, so it retried at once, in a loop."""
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(minutes=1))
    publisher.answer_crash = [aiohttp.ClientOSError(104, "reset")] * 3
    await service.wake(GUILD)
    assert publisher.answer_tries == [START + timedelta(minutes=1)]
    await service.skip(GUILD, 5)
    await service.pause(GUILD)
    await service.resume(GUILD)
    await service.reschedule(GUILD, post_time=time(9, 0))
    assert publisher.answer_tries == [START + timedelta(minutes=1)]  # none of them retried it
    assert env.wakeup() == START + timedelta(minutes=2)
    await env.timers.advance(timedelta(minutes=10))
    # Tries at 1 min, then +1 min, then +5 min: the backoff, not a loop.
    assert publisher.answer_tries == [
        START + timedelta(minutes=1),
        START + timedelta(minutes=2),
        START + timedelta(minutes=7),
    ]


async def test_a_wakeup_that_cannot_read_the_database_is_retried(env: Env) -> None:
    service = env.service
    await service.start(GUILD)
    env.at(START + timedelta(minutes=1))
    real = service.store.list_days
    calls = 0

    async def busy(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise sqlite3.OperationalError("database is locked")
        return await real(*args)

    service.store.list_days = busy  # type: ignore[method-assign]
    await service.wake(GUILD)
    assert states(await service.rows(GUILD))[0] == "scheduled"
    assert env.wakeup() == START + timedelta(minutes=2)  # tried again soon
    await env.timers.advance(timedelta(minutes=1))
    assert states(await service.rows(GUILD))[0] == "posted"


async def test_one_servers_failed_start_does_not_stop_the_others(env: Env) -> None:
    service = env.service
    other = GUILD + 1
    await service.start(other)  # `other` has rows now, so it is served too
    env.timers.cancel(f"series:{other}")
    real = service.sync

    async def sync(guild_id: int) -> None:
        if guild_id == GUILD:
            raise sqlite3.OperationalError("database is locked")
        await real(guild_id)

    service.sync = sync  # type: ignore[method-assign]
    await service.start_all()  # GUILD (configured) first, then `other`
    assert env.wakeup() == env.clock.now() + timedelta(minutes=1)  # tried again later
    assert env.timers.when(f"series:{other}") == START


async def test_pause_stops_a_catch_up_in_progress(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(days=3, minutes=1))  # days 1–4 due

    pausing: list[asyncio.Task[bool]] = []

    async def pause_once(number: int) -> None:
        if number == 1:
            # `/challenge pause` while day 1 goes out: it saves the pause at once, then its
            # own wake-up waits for the server's lock.
            pausing.append(asyncio.create_task(service.pause(GUILD)))
            await wait_for(lambda: service.overrides.get(GUILD, PAUSED_KEY))

    publisher.during = pause_once
    await service.wake(GUILD)
    assert await pausing[0]
    assert posted_days(publisher) == [1]
    assert states(await service.rows(GUILD))[:3] == ["posted", "scheduled", "scheduled"]


async def test_the_late_warning_is_logged_once_per_day(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START + timedelta(days=2, hours=3))  # days 1–3 overdue
    publisher.fail = 2
    with caplog.at_level(logging.WARNING, logger="bot.series"):
        await service.wake(GUILD)  # day 1 fails; its retries follow the backoff
        await env.timers.advance(timedelta(minutes=6))
    assert posted_days(publisher) == [1, 2, 3]
    late = [r.args[0] for r in caplog.records if "posting it late" in r.getMessage()]  # type: ignore[index]
    assert late == [1, 2, 3]


async def test_shutdown_lets_a_post_in_progress_finish(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    env.at(START)
    publisher.slow = 0.05
    wake = asyncio.create_task(service.wake(GUILD))
    await asyncio.sleep(0.01)  # day 1 is being published
    await service.close()
    await wake
    assert states(await service.rows(GUILD))[:2] == ["posted", "scheduled"]
    assert env.wakeup() is None  # and nothing more after the stop


async def test_publisher_turns_connection_failures_into_step_errors() -> None:
    class Client:
        user = None

        def get_channel(self, channel_id: int) -> None:
            return None

        async def fetch_channel(self, channel_id: int) -> None:
            raise aiohttp.ClientOSError(104, "Connection reset by peer")

    publisher = Publisher(Client(), None)  # type: ignore[arg-type]
    with pytest.raises(PostStepError, match="ClientOSError while opening the day's thread"):
        await publisher.thread(5)
    with pytest.raises(PostStepError, match="while finding the challenge channel"):
        await publisher.channel(6)


async def test_pause_then_resume_applies_the_policy(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    assert await service.pause(GUILD)
    assert not await service.pause(GUILD)
    assert env.wakeup() is None  # paused: no post to wake up for
    assert await service.overrides.get(GUILD, PAUSED_KEY) == "1"
    env.at(START + timedelta(days=1, hours=2))
    await service.wake(GUILD)
    assert publisher.posts == []
    assert await service.next_post_at(GUILD) is None
    assert await service.resume(GUILD)
    assert posted_days(publisher) == [1, 2]
    assert env.wakeup() == START + timedelta(days=2)


async def test_reschedule_moves_only_days_not_posted(env: Env) -> None:
    service = env.service
    await service.start(GUILD)
    env.at(START)
    await service.wake(GUILD)
    later = START.date() + timedelta(days=9)
    config = await service.reschedule(GUILD, start=later, post_time=time(18, 30))
    assert config.post_time == time(18, 30)
    rows = await service.rows(GUILD)
    assert rows[0].planned_at == START
    # Day 2 of a series from `later` at 18:30 Casablanca (UTC+1 in December).
    assert rows[1].planned_at == datetime.combine(
        later + timedelta(days=1), time(17, 30), tzinfo=UTC
    )
    assert env.wakeup() == rows[1].planned_at
    config = await service.reschedule(GUILD, interval=timedelta(seconds=30))
    rows = await service.rows(GUILD)
    assert rows[2].planned_at - rows[1].planned_at == timedelta(seconds=30)


async def test_skip_and_no_start(env: Env) -> None:
    service = env.service
    await service.start(GUILD)
    done, row = await service.skip(GUILD, 1)
    assert done and row is not None and row.state == "skipped"
    done, row = await service.skip(GUILD, 1)
    assert not done
    assert env.wakeup() == START + timedelta(days=1)  # day 2 is next

    service.definition = dataclasses.replace(service.definition, start=None)
    other = GUILD + 1
    await service.start(other)
    assert await service.rows(other) == []
    status = await service.status(other, ENGLISH)
    assert any("No start date" in problem for problem in status.problems)
    assert status.next_at is None


def test_ping_mentions_only_the_role() -> None:
    from bot.publishing import ping_mentions

    allowed = ping_mentions(55).to_dict()
    assert allowed["parse"] == [] and allowed["roles"] == [55]
    assert discord.AllowedMentions.none().to_dict() == ping_mentions(None).to_dict()


def test_schedule_command_reads_the_database_or_computes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from bot.cli.series import schedule

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=GUILD,
        challenge_channel_id=77,
        series_dir=FIXTURES,
        database_path=tmp_path / "bot.sqlite3",
        series_start="2026-03-25",
        series_timezone="Europe/Paris",
    )  # a fixed date: the schedule is computed, not compared with today
    assert schedule(settings, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "Wed 2026-03-25 09:00 CET" in out and "2026-03-25 08:00:00 UTC" in out
    assert "Sun 2026-03-29 09:00 CEST" in out and "2026-03-29 07:00:00 UTC" in out
    assert not settings.database_path.exists()  # listing never creates a database

    async def post_day_one() -> None:
        db = Database(settings.database_path)
        await db.open()
        clock = FakeClock(datetime(2026, 3, 25, 8, 0, tzinfo=UTC))
        await make_service(settings, db, clock).service.start(GUILD)
        await db.close()

    asyncio.run(post_day_one())
    assert schedule(settings, argparse.Namespace()) == 0
    lines = capsys.readouterr().out.splitlines()
    day_one = next(line for line in lines if line.strip().startswith("1 "))
    assert day_one.rstrip().endswith("posted")
    assert sum(line.rstrip().endswith("scheduled") for line in lines) == 11

    assert schedule(settings.model_copy(update={"series_start": None}), argparse.Namespace()) == 0
    assert "posted" in capsys.readouterr().out  # the database still knows what happened


def test_overrides_win_and_bad_input_is_explained() -> None:
    from bot.series.config import (
        CHANNEL_KEY,
        INTERVAL_KEY,
        POST_TIME_KEY,
        START_KEY,
        effective_config,
        parse_interval,
        parse_post_time,
        parse_start,
    )

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=GUILD,
        challenge_channel_id=77,
        series_start="2026-12-01",
    )
    overrides = {
        START_KEY: "2027-01-05T18:00",
        POST_TIME_KEY: "07:30",
        INTERVAL_KEY: "1.5s",
        CHANNEL_KEY: "88",
        PAUSED_KEY: "1",
    }
    config = effective_config(settings, overrides, guild_id=GUILD)
    assert config.start == datetime(2027, 1, 5, 18, 0)
    assert config.post_time == time(7, 30) and config.interval == timedelta(seconds=1.5)
    assert config.interval_text == "1.5s" and config.channel_id == 88 and config.paused
    assert effective_config(settings, {}, guild_id=GUILD + 1).channel_id is None  # other server
    assert effective_config(settings, {}, guild_id=GUILD).start_text == "2026-12-01 at 09:00"
    for parse, bad in ((parse_post_time, "25:00"), (parse_interval, "soon"), (parse_start, "x")):
        with pytest.raises(ValueError, match=r"such as|is not"):
            parse(bad)
    with pytest.raises(ValueError, match="at least 1s"):
        parse_interval("0.5s")


async def test_a_broken_page_holds_that_day_only(tmp_path: Path) -> None:
    """One bad day page used to stop the whole series ("nothing will be posted")."""
    import shutil

    from bot.series.loader import load_usable_series

    folder = tmp_path / "days"
    shutil.copytree(FIXTURES, folder)
    page = next(p for p in folder.glob("day-03*.md"))
    page.write_text("---\nday: 3\n---\nno title, no sections\n", encoding="utf-8")
    series, problems = load_usable_series(folder)
    assert series is not None and 3 not in series.numbers and len(series) == 11
    assert any(page.name in str(problem) for problem in problems)

    settings = make_settings(tmp_path)
    db = Database(settings.database_path)
    await db.open()
    try:
        env = make_service(settings, db, FakeClock(START - timedelta(hours=1)))
        env.service.series = series
        await env.service.start(GUILD)
        await env.timers.advance(timedelta(days=4, hours=1))
        assert posted_days(env.publisher) == [1, 2, 4, 5]  # day 3 held, the rest on time
        rows = await env.service.rows(GUILD)
        assert [r.day for r in rows] == [n for n in range(1, 13) if n != 3]
        assert rows[2].planned_at == START + timedelta(days=3)  # day 4 keeps its own slot
    finally:
        await db.close()


async def test_a_finished_series_moved_to_a_future_start_runs_again_as_a_new_edition(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    await env.timers.advance(timedelta(days=12))
    assert posted_days(publisher) == list(range(1, 13))
    first = service.record(GUILD)
    await service.start(GUILD)  # a restart of a finished series: it says why nothing posts
    assert "finished on" in caplog.text and "new edition" in caplog.text
    assert (await service.status(GUILD, ENGLISH)).idle is not None

    again = START + timedelta(days=40)
    await service.reschedule(GUILD, start=again.date())
    second = service.record(GUILD)
    assert second != first and second.endswith("#2")
    assert len(publisher.posts) == 12  # nothing at once
    rows = await service.rows(GUILD)
    assert states(rows) == ["scheduled"] * 12 and rows[0].planned_at == again
    env.at(again - timedelta(minutes=1))
    await env.timers.run_due()
    await env.timers.advance(timedelta(days=1, minutes=2))
    assert posted_days(publisher)[12:] == [1, 2]  # one day at a time, at the new times
    old = await service.store.list_days(GUILD, first)
    assert states(old) == ["posted"] * 12  # the first edition's record stays


async def test_moving_the_start_of_a_running_series_keeps_its_edition(env: Env) -> None:
    service, publisher = env.service, env.publisher
    await service.start(GUILD)
    await env.timers.advance(timedelta(days=2, hours=1, minutes=1))
    assert posted_days(publisher) == [1, 2, 3]
    await service.reschedule(GUILD, start=(START + timedelta(days=30)).date())
    assert service.record(GUILD) == service.series_id  # not finished, same channel
    assert states(await service.rows(GUILD))[:4] == ["posted", "posted", "posted", "scheduled"]


async def test_posts_follow_the_server_language_and_a_resume_knows_every_language(
    env: Env,
) -> None:
    service, publisher = env.service, env.publisher
    assert (await service.public(GUILD)).language is Language.ENGLISH  # BOT_LANGUAGE
    languages = LanguageChoice(LanguageStore(env.bot.db), Language.ENGLISH)
    service.languages = languages
    await languages.set_server(GUILD, Language.FRENCH)
    assert (await service.public(GUILD)).language is Language.FRENCH
    await service.start(GUILD)
    publisher.fail = 1
    env.at(START + timedelta(minutes=1))
    await service.wake(GUILD)  # claimed, then failed: resumed on the retry
    await env.timers.advance(timedelta(minutes=1))
    await env.timers.advance(timedelta(days=1))  # day 2, first try
    (first, resumed, post), (second, again, fresh) = publisher.posts
    assert (first, resumed, second, again) == (1, True, 2, False)
    # The resume recognises what a crash hid in English and Arabic too; a first try needn't.
    assert len(post.others) == len(Language) - 1 and fresh.others == ()


async def test_a_failure_report_is_written_in_the_admins_language(env: Env) -> None:
    told: list[tuple[str, Any]] = []

    async def notify(key: str, report: Any) -> None:
        told.append((key, report))

    env.service.tell_admins = notify
    await env.service.start(GUILD)
    env.at(START + timedelta(minutes=1))
    env.publisher.fail = 3
    await env.service.wake(GUILD)
    for _ in range(3):
        await env.timers.advance(timedelta(minutes=30))
    [(key, report)] = told
    assert key.startswith(f"failed:{GUILD}:") and callable(report)
    text = report(ENGLISH)
    assert text.startswith("Day 1 still can't be posted after 3 tries: 403 Forbidden (test).")


async def test_two_processes_starting_a_server_together_make_one_edition(
    tmp_path: Path, postgres: TemporaryPostgres, caplog: pytest.LogCaptureFixture
) -> None:
    """Both processes plan the server for the first time at the same moment: planning is
    one process at a time, so one creates edition 1 and its days, the other finds them."""
    url = postgres.create_database("start_together")
    settings = make_settings(tmp_path, database_url=url)
    clock = FakeClock(START - timedelta(hours=1))
    first, second = database_at(url), database_at(url)
    await first.open()
    await second.open()
    try:
        a, b = make_service(settings, first, clock), make_service(settings, second, clock)
        await asyncio.gather(a.service.start(GUILD), b.service.start(GUILD))
        runs = await a.service.store.runs(GUILD, a.service.series_id)
        assert [run.edition for run in runs] == [1]
        assert len(await b.service.rows(GUILD)) == 12
        assert "Could not start the series" not in caplog.text
    finally:
        await first.close()
        await second.close()


async def test_two_processes_on_one_postgresql_post_each_day_once(
    tmp_path: Path, postgres: TemporaryPostgres
) -> None:
    """Two processes that both believe they own the server (a misconfigured shard): one's
    post in progress is not "resumed" by the other, and every day goes out once."""
    url = postgres.create_database("two_processes")
    settings = make_settings(tmp_path, database_url=url)
    clock = FakeClock(START - timedelta(hours=1))
    first, second = database_at(url), database_at(url)
    await first.open()
    await second.open()
    try:
        a, b = make_service(settings, first, clock), make_service(settings, second, clock)
        b.publisher.id_base = 5000
        await a.service.start(GUILD)
        await b.service.start(GUILD)
        woken: list[asyncio.Task[None]] = []

        async def other_wakes_mid_post(day: int) -> None:  # day claimed, nothing sent yet
            woken.append(asyncio.create_task(b.service.wake(GUILD)))
            await asyncio.sleep(0.2)  # b reads the rows now: "posting" looks like a crash

        a.publisher.during = other_wakes_mid_post
        for day in range(3):
            clock.set(START + timedelta(days=day, seconds=1))
            await a.service.wake(GUILD)
            await asyncio.gather(*woken)
        posted = sorted(posted_days(a.publisher) + posted_days(b.publisher))
        assert posted == [1, 2, 3]
        assert not any(again for _, again, _ in (*a.publisher.posts, *b.publisher.posts))
        assert sorted(a.publisher.answers + b.publisher.answers) == [1, 3]  # day 2 has none
        assert states(await a.service.rows(GUILD))[:4] == ["posted"] * 3 + ["scheduled"]
    finally:
        await first.close()
        await second.close()
