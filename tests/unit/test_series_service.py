"""SeriesService without Discord: ordering, exactly-once claims, missed posts, retries, pause.

A fake publisher stands in for the Discord side (the real one runs in tests/e2e); the store
is a real SQLite file and the scheduler a real AsyncIOScheduler.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.series.config import PAUSED_KEY
from bot.series.loader import load_series
from bot.series.publisher import DayPost, PostStepError, Progress, Publisher
from bot.series.service import LATE_NOTE, Outcome, SeriesService
from bot.settings import Settings
from bot.store import Database
from bot.store.series import DayRow

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "days"
GUILD = 4242
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 in Casablanca


class FakeBot:
    def __init__(self, settings: Settings, db: Database, now: datetime) -> None:
        self.settings = settings
        self.db = db
        self.scheduler: AsyncIOScheduler | None = None
        self.current = now
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self.user = None

    def now(self) -> datetime:
        return self.current

    def dispatch(self, name: str, *args: Any) -> None:
        self.events.append((name, args))

    async def wait_until_ready(self) -> None:
        return None

    def get_channel(self, channel_id: int) -> None:
        return None

    def get_guild(self, guild_id: int) -> object:
        return object()


@dataclass
class FakePublisher:
    """Records what would be sent; `fail` makes the next calls raise like a 403, `crash`
    (`answer_crash`) raises those exceptions instead; `during` runs while a day is published."""

    posts: list[tuple[int, bool, DayPost]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    fail: int = 0
    crash: list[BaseException] = field(default_factory=list)
    answer_crash: list[BaseException] = field(default_factory=list)
    slow: float = 0.0
    store: Any = None
    during: Callable[[int], Awaitable[None]] | None = None

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
        self.posts.append((row.day, resumed, post))
        ids = {"message_id": 1000 + row.day, "thread_id": 1000 + row.day}
        await self.store.update(row.guild_id, row.series, row.day, **ids)
        return Progress(ids["message_id"], len(post.parts), ids["message_id"], ids["thread_id"], 1)

    async def publish_answers(self, row: DayRow, parts: Any, *, resumed: bool) -> None:
        if self.answer_crash:
            raise self.answer_crash.pop(0)
        self.answers.append(row.day)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[tuple[SeriesService, FakeBot, FakePublisher]]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=GUILD,
        challenge_channel_id=77,
        series_dir=FIXTURES,
        database_path=tmp_path / "bot.sqlite3",
        series_start="2026-12-01",
        series_post_time=time(9, 0),
        series_timezone="Africa/Casablanca",
        series_interval=timedelta(days=1),
        answer_delay=timedelta(0),
    )
    db = Database(settings.database_path)
    await db.open()
    bot = FakeBot(settings, db, START - timedelta(hours=1))
    bot.scheduler = AsyncIOScheduler(timezone=UTC)
    bot.scheduler.start()
    service = SeriesService(bot, load_series(FIXTURES), [])  # type: ignore[arg-type]
    publisher = FakePublisher(store=service.store)
    service.publisher = publisher  # type: ignore[assignment]
    yield service, bot, publisher
    bot.scheduler.shutdown(wait=False)
    await db.close()


def states(rows: list[DayRow]) -> list[str]:
    return [row.state for row in rows]


def job_ids(bot: FakeBot) -> set[str]:
    assert bot.scheduler is not None
    return {job.id for job in bot.scheduler.get_jobs()}


async def test_start_plans_twelve_days_and_one_job_each(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    rows = await service.rows(GUILD)
    assert [row.day for row in rows] == list(range(1, 13))
    assert rows[0].planned_at == START
    assert states(rows) == ["scheduled"] * 12
    assert {f"post:{GUILD}:{n}" for n in range(1, 13)} <= job_ids(bot)
    assert publisher.posts == []
    assert await service.next_post_at(GUILD) == START
    assert await service.current_day(GUILD) is None


async def test_due_days_post_in_order_once_even_with_overlapping_triggers(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(days=2, minutes=1)  # days 1–3 due, within grace for day 3
    publisher.slow = 0.01
    await asyncio.gather(service.run_due(GUILD), service.run_due(GUILD), service.run_due(GUILD))
    assert [day for day, _, _ in publisher.posts] == [1, 2, 3]
    rows = await service.rows(GUILD)
    assert states(rows)[:4] == ["posted", "posted", "posted", "scheduled"]
    assert [row.late for row in rows[:3]] == [True, True, False]
    assert rows[0].answer_state == "posted" and rows[1].answer_state == "none"
    assert publisher.answers == [1, 3]
    posted = [args for name, args in bot.events if name == "challenge_posted"]
    assert posted == [(GUILD, 1, 1001), (GUILD, 2, 1002), (GUILD, 3, 1003)]
    ending = [args for name, args in bot.events if name == "challenge_day_ending"]
    assert ending == [(GUILD, 1, 1001), (GUILD, 2, 1002)]
    assert await service.current_day(GUILD) == 3

    outcome, row = await service.post_now(GUILD, 2)
    assert outcome is Outcome.ALREADY and row is not None and row.state == "posted"
    assert len(publisher.posts) == 3


async def test_late_posts_carry_a_note_and_the_next_time(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(hours=3)
    await service.run_due(GUILD)
    ((_, _, post),) = publisher.posts
    first = post.parts[0].content
    assert LATE_NOTE in first and "ref " in first
    assert "<t:1796198400:F>" in "\n".join(p.content for p in post.parts)  # day 2, 09:00 local
    assert post.thread_name == "Day 1: Education"


async def test_skip_policy_marks_overdue_days_missed(env: Any) -> None:
    service, bot, publisher = env
    service.settings = service.settings.model_copy(update={"missed_post_policy": "skip"})
    await service.start(GUILD)
    bot.current = START + timedelta(days=1, minutes=5)  # day 1 long gone, day 2 just due
    await service.run_due(GUILD)
    rows = await service.rows(GUILD)
    assert states(rows)[:3] == ["missed", "posted", "scheduled"]
    assert [day for day, _, _ in publisher.posts] == [2]
    status = await service.status(GUILD)
    assert status.next_day == 3 and status.overdue == []

    outcome, _ = await service.post_now(GUILD, 1)  # an admin can still post a missed day
    assert outcome is Outcome.POSTED


async def test_a_failure_is_recorded_retried_and_resumed(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(minutes=1)
    publisher.fail = 2
    await service.run_due(GUILD)
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.state == "posting" and row.attempts == 1 and "403" in row.error
    assert f"retry:{GUILD}" in job_ids(bot)
    await service.run_due(GUILD)
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.attempts == 2
    status = await service.status(GUILD)
    assert status.overdue == [1]
    await service.run_due(GUILD)
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.state == "posted" and row.error is None and row.attempts == 0
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
    env: Any, crash: BaseException
) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(minutes=1)
    publisher.crash = [crash]
    await service._guarded(f"post:{GUILD}:1", service.run_due, GUILD)  # as the scheduler runs it
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.state == "posting" and row.attempts == 1
    assert row.error is not None and type(crash).__name__ in row.error
    assert f"retry:{GUILD}" in job_ids(bot)
    status = await service.status(GUILD)
    assert any(type(crash).__name__ in str(row.error) for row in status.rows)

    await service.run_due(GUILD)  # the retry
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.state == "posted" and row.error is None
    assert [(day, resumed) for day, resumed, _ in publisher.posts] == [(1, True)]


async def test_a_failed_answer_is_recorded_and_retried(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(minutes=1)
    publisher.answer_crash = [aiohttp.ClientOSError(104, "reset")]
    await service.run_due(GUILD)  # the day posts, its answer (no delay) fails
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.state == "posted" and row.answer_state == "posting"
    assert row.error is not None and "ClientOSError" in row.error
    assert f"answer:{GUILD}:1" in job_ids(bot)
    await service.post_answers(GUILD, 1)
    row = await service.store.get_day(GUILD, service.series_id, 1)
    assert row.answer_state == "posted" and publisher.answers == [1]


async def test_a_run_that_fails_before_claiming_anything_is_retried(env: Any) -> None:
    service, bot, _publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(minutes=1)
    real = service.store.list_days
    calls = 0

    async def busy(*args: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise sqlite3.OperationalError("database is locked")
        return await real(*args)

    service.store.list_days = busy  # type: ignore[method-assign]
    await service._guarded(f"post:{GUILD}:1", service.run_due, GUILD)
    assert f"retry:{GUILD}" in job_ids(bot)
    assert states(await service.rows(GUILD))[0] == "scheduled"


async def test_one_servers_failed_start_does_not_stop_the_others(env: Any) -> None:
    service, bot, _publisher = env
    other = GUILD + 1
    await service.start(other)  # `other` has rows now, so it is served too
    service.remove_jobs(other)
    real = service.start

    async def start(guild_id: int) -> None:
        if guild_id == GUILD:
            raise sqlite3.OperationalError("database is locked")
        await real(guild_id)

    service.start = start  # type: ignore[method-assign]
    await service.start_all()  # GUILD (configured) first, then `other`
    assert f"start:{GUILD}" in job_ids(bot)  # tried again later
    assert any(job.startswith(f"post:{other}:") for job in job_ids(bot))


async def test_pause_stops_a_catch_up_in_progress(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(days=3, minutes=1)  # days 1–4 due

    async def pause_once(day: int) -> None:
        if day == 1:
            assert await service.pause(GUILD)  # `/challenge pause` while day 1 goes out

    publisher.during = pause_once
    await service.run_due(GUILD)
    assert [day for day, _, _ in publisher.posts] == [1]
    assert states(await service.rows(GUILD))[:3] == ["posted", "scheduled", "scheduled"]


async def test_the_late_warning_is_logged_once_per_day(
    env: Any, caplog: pytest.LogCaptureFixture
) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    bot.current = START + timedelta(days=2, hours=3)  # days 1–3 overdue
    publisher.fail = 2
    with caplog.at_level(logging.WARNING, logger="bot.series.service"):
        for _ in range(3):  # day 1 fails, fails again on its retry, then all three go out
            await service.run_due(GUILD)
    assert [day for day, _, _ in publisher.posts] == [1, 2, 3]
    late = [r.args[0] for r in caplog.records if "posting it late" in r.getMessage()]  # type: ignore[index]
    assert late == [1, 2, 3]


async def test_publisher_turns_connection_failures_into_step_errors() -> None:
    class Client:
        user = None

        def get_channel(self, channel_id: int) -> None:
            return None

        async def fetch_channel(self, channel_id: int) -> None:
            raise aiohttp.ClientOSError(104, "Connection reset by peer")

    publisher = Publisher(Client(), None, "s")  # type: ignore[arg-type]
    with pytest.raises(PostStepError, match="ClientOSError while opening the day's thread"):
        await publisher.thread(5)
    with pytest.raises(PostStepError, match="while finding the challenge channel"):
        await publisher.channel(6)


async def test_pause_then_resume_applies_the_policy(env: Any) -> None:
    service, bot, publisher = env
    await service.start(GUILD)
    assert await service.pause(GUILD)
    assert not await service.pause(GUILD)
    assert not any(job.startswith("post:") for job in job_ids(bot))
    assert await service.overrides.get(GUILD, PAUSED_KEY) == "1"
    bot.current = START + timedelta(days=1, hours=2)
    await service.run_due(GUILD)
    assert publisher.posts == []
    assert await service.next_post_at(GUILD) is None
    assert await service.resume(GUILD)
    assert [day for day, _, _ in publisher.posts] == [1, 2]
    assert any(job.startswith("post:") for job in job_ids(bot))


async def test_reschedule_moves_only_days_not_posted(env: Any) -> None:
    service, bot, _publisher = env
    await service.start(GUILD)
    bot.current = START
    await service.run_due(GUILD)
    config = await service.reschedule(GUILD, start=date(2026, 12, 10), post_time=time(18, 30))
    assert config.post_time == time(18, 30)
    rows = await service.rows(GUILD)
    assert rows[0].planned_at == START
    assert rows[1].planned_at == datetime(2026, 12, 11, 17, 30, tzinfo=UTC)
    config = await service.reschedule(GUILD, interval=timedelta(seconds=30))
    rows = await service.rows(GUILD)
    assert rows[2].planned_at - rows[1].planned_at == timedelta(seconds=30)


async def test_skip_and_no_start(env: Any) -> None:
    service, bot, _publisher = env
    await service.start(GUILD)
    done, row = await service.skip(GUILD, 4)
    assert done and row.state == "skipped"
    done, row = await service.skip(GUILD, 4)
    assert not done
    assert f"post:{GUILD}:4" not in job_ids(bot)

    service.settings = service.settings.model_copy(update={"series_start": None})
    other = GUILD + 1
    await service.start(other)
    assert await service.rows(other) == []
    status = await service.status(other)
    assert any("No start date" in problem for problem in status.problems)
    assert status.next_at is None


def test_ping_mentions_only_the_role() -> None:
    from bot.series.publisher import ping_mentions

    allowed = ping_mentions(55).to_dict()
    assert allowed["parse"] == [] and allowed["roles"] == [55]
    assert discord.AllowedMentions.none().to_dict() == ping_mentions(None).to_dict()


def test_schedule_command_reads_the_database_or_computes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    from bot.series.cli import schedule

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=GUILD,
        challenge_channel_id=77,
        series_dir=FIXTURES,
        database_path=tmp_path / "bot.sqlite3",
        series_start="2026-03-25",
        series_timezone="Europe/Paris",
    )
    assert schedule(settings, argparse.Namespace()) == 0
    out = capsys.readouterr().out
    assert "Wed 2026-03-25 09:00 CET" in out and "2026-03-25 08:00:00 UTC" in out
    assert "Sun 2026-03-29 09:00 CEST" in out and "2026-03-29 07:00:00 UTC" in out
    assert not settings.database_path.exists()  # listing never creates a database

    async def post_day_one() -> None:
        db = Database(settings.database_path)
        await db.open()
        bot = FakeBot(settings, db, datetime(2026, 3, 25, 8, 0, tzinfo=UTC))
        service = SeriesService(bot, load_series(FIXTURES), [])  # type: ignore[arg-type]
        service.publisher = FakePublisher(store=service.store)  # type: ignore[assignment]
        await service.start(GUILD)
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
