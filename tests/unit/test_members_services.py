"""The members' services against a real SQLite file: standings, recaps posted exactly once,
and the server's own schedule (after /challenge reschedule or channel) in welcomes and recaps."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.members.greeter import Greeter
from bot.members.once import WarnOnce
from bot.members.recaps import RECAP_RETRIES, Recaps
from bot.members.standings import Standings
from bot.series.config import CHANNEL_KEY, INTERVAL_KEY, START_KEY
from bot.settings import Settings
from bot.store import Database, GuildSettingsStore
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from cogs.recaps import RecapsCog

G = 1
SERIES = "s"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """Days 1-3 posted (threads 101-103), days 4-12 scheduled."""
    database = Database(tmp_path / "bot.sqlite3")
    await database.open()
    for day in range(1, 13):
        posted = day <= 3
        await database.execute(
            "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
            "thread_id, posted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                G,
                SERIES,
                day,
                f"T{day}",
                f"2026-12-{day:02d}T08:00:00.000Z",
                "posted" if posted else "scheduled",
                100 + day if posted else None,
                f"2026-12-{day:02d}T08:00:01.000Z" if posted else None,
            ),
        )
    yield database
    await database.close()


async def comment(db: Database, mid: int, day: int, author: int, *, reactions: int = 0) -> None:
    await db.execute(
        "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, author_name, "
        "content, created_at, reactions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            mid,
            G,
            day,
            100 + day,
            author,
            f"user{author}",
            f"text {mid}",
            NOW.isoformat(),
            reactions,
        ),
    )


# --- standings ---------------------------------------------------------------------------


async def test_standings_gather_summary_ranking_and_streak(db: Database) -> None:
    for mid, day, author in [(1, 1, 10), (2, 2, 10), (3, 1, 20), (4, 1, 20)]:
        await comment(db, mid, day, author)
    standings = Standings(MemberStore(db), SeriesStore(db), SERIES)

    summary = await standings.summary(G)
    assert (summary.members, summary.comments, summary.days_posted) == (2, 4, 3)
    assert summary.total_days == 12 and len(summary.per_day) == 12

    ranked = await standings.ranking(G)
    assert [r.participant.user_id for r in ranked] == [10, 20]

    mine = await standings.streak_of(G, 10)
    assert mine.today is not None and mine.today.day == 3 and mine.today.thread_id == 103
    assert not mine.answered_today
    assert (mine.streak.current, mine.streak.done, mine.streak.total) == (2, 2, 12)

    assert (await standings.chart(summary)).startswith(b"\x89PNG")


# --- recaps ------------------------------------------------------------------------------


@dataclass
class FakeScheduler:
    running: bool = True
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_job(self, func: Any, trigger: str, **options: Any) -> None:
        self.jobs[options["id"]] = {"func": func, **options}


@dataclass
class FakeThread:
    refuse: bool = False
    sent: list[discord.Embed] = field(default_factory=list)

    async def send(self, *, embed: discord.Embed, allowed_mentions: Any) -> None:
        if self.refuse:
            raise discord.HTTPException(SimpleNamespace(status=500, reason="down"), "down")
        self.sent.append(embed)


def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=G,
        series_id=SERIES,
        challenge_channel_id=77,
        series_interval=timedelta(days=1),
        series_timezone="Africa/Casablanca",
    )


def fake_bot(db: Database, thread: FakeThread, scheduler: FakeScheduler) -> Any:
    return SimpleNamespace(
        settings=settings(),
        db=db,
        scheduler=scheduler,
        now=lambda: NOW,
        get_channel=lambda _id: thread,
    )


def recaps(db: Database, bot: Any) -> Recaps:
    return Recaps(bot, MemberStore(db), SeriesStore(db))


async def test_a_recap_is_posted_once_with_the_most_reacted_comment(db: Database) -> None:
    await comment(db, 1, 2, 10, reactions=2)
    await comment(db, 2, 2, 20)
    thread = FakeThread()
    service = recaps(db, fake_bot(db, thread, FakeScheduler()))

    assert await service.post(G, 2, 102)
    assert not await service.post(G, 2, 102)
    [embed] = thread.sent
    assert embed.title == "Day 2 recap: T2"
    assert "/102/1" in (embed.description or "")


async def test_a_refused_recap_is_unclaimed_and_retried_a_few_times(db: Database) -> None:
    thread, scheduler = FakeThread(refuse=True), FakeScheduler()
    service = recaps(db, fake_bot(db, thread, scheduler))

    assert not await service.post(G, 1, 101)
    assert scheduler.jobs["recap-retry-1-1"]["args"] == [G, 1, 101, 1]
    day = await SeriesStore(db).get_day(G, SERIES, 1)
    assert day is not None and day.recap_posted_at is None  # the claim was undone

    scheduler.jobs.clear()
    assert not await service.post(G, 1, 101, attempt=RECAP_RETRIES)
    assert scheduler.jobs == {}  # gave up

    thread.refuse = False
    assert await service.post(G, 1, 101, attempt=1)
    assert len(thread.sent) == 1


async def test_the_final_recap_is_scheduled_only_once_the_last_day_is_posted(
    db: Database,
) -> None:
    scheduler = FakeScheduler()
    service = recaps(db, fake_bot(db, FakeThread(), scheduler))
    await service.start()
    assert scheduler.jobs == {}

    await db.execute(
        "UPDATE series_days SET state = 'posted', thread_id = 112, "
        "posted_at = '2026-12-12T08:00:01.000Z' WHERE day = 12"
    )
    await service.schedule_final(G)
    job = scheduler.jobs[f"final-recap-{G}"]
    assert job["args"] == [G, 12, 112]


async def test_the_final_recap_follows_the_servers_own_interval(db: Database) -> None:
    posted = datetime(2026, 12, 12, 8, 0, 1, tzinfo=UTC)
    await db.execute(
        "UPDATE series_days SET state = 'posted', thread_id = 112, "
        "posted_at = '2026-12-12T08:00:01.000Z' WHERE day = 12"
    )
    scheduler = FakeScheduler()
    service = recaps(db, fake_bot(db, FakeThread(), scheduler))

    def delay() -> timedelta:  # run_date is a real-clock time; the service's clock says NOW
        return scheduler.jobs[f"final-recap-{G}"]["run_date"] - datetime.now(UTC)

    await service.schedule_final(G)
    assert abs(delay() - (posted + timedelta(days=1) - NOW)) < timedelta(seconds=5)
    await GuildSettingsStore(db).set(G, INTERVAL_KEY, "30s")  # /challenge reschedule interval:30s
    await service.schedule_final(G)
    assert abs(delay() - (posted + timedelta(seconds=30) - NOW)) < timedelta(seconds=5)


async def test_a_reschedule_after_the_last_post_moves_the_final_recap(db: Database) -> None:
    posted = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # an hour before NOW
    await db.execute(
        "UPDATE series_days SET state = 'posted', thread_id = 112, "
        "posted_at = '2026-12-03T11:00:00.000Z' WHERE day = 12"
    )
    scheduler = FakeScheduler()
    bot = fake_bot(db, FakeThread(), scheduler)
    cog = RecapsCog(bot)
    cog.service = recaps(db, bot)
    await cog.on_challenge_posted(G, 12, 112)
    job = scheduler.jobs[f"final-recap-{G}"]
    assert job["run_date"] - datetime.now(UTC) > timedelta(hours=22)  # 1d after the post

    # /challenge reschedule interval:2h saves the override, then dispatches the event.
    await GuildSettingsStore(db).set(G, INTERVAL_KEY, "2h")
    assert "on_challenge_rescheduled" in {name for name, _ in cog.get_listeners()}
    await cog.on_challenge_rescheduled(G)
    job = scheduler.jobs[f"final-recap-{G}"]  # the same job id, replaced
    expected = posted + timedelta(hours=2) - NOW  # an hour from now
    assert abs(job["run_date"] - datetime.now(UTC) - expected) < timedelta(seconds=5)
    assert job["replace_existing"] and job["args"] == [G, 12, 112]

    await GuildSettingsStore(db).set(G, INTERVAL_KEY, "30m")  # the day has already ended
    await cog.on_challenge_rescheduled(G)
    assert scheduler.jobs[f"final-recap-{G}"]["run_date"] <= datetime.now(UTC)  # recap now


# --- welcome ----------------------------------------------------------------------------


def newcomer() -> Any:
    guild = SimpleNamespace(id=G, name="ML & DL Morocco")
    return SimpleNamespace(mention="<@99>", guild=guild, bot=False, id=99)


async def test_the_welcome_names_the_servers_own_channel_and_start(db: Database) -> None:
    await db.execute("DELETE FROM series_days")  # before the first post is planned
    greeter = Greeter(fake_bot(db, FakeThread(), FakeScheduler()), SeriesStore(db))

    text = await greeter.welcome_for(newcomer())
    assert "in <#77>" in text and "<t:" not in text  # .env's channel, no start date yet

    overrides = GuildSettingsStore(db)
    await overrides.set(G, CHANNEL_KEY, "88")  # /challenge channel
    await overrides.set(G, START_KEY, "2026-12-20")  # /challenge reschedule start:
    text = await greeter.welcome_for(newcomer())
    first = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)  # 09:00 in Casablanca
    assert "in <#88>" in text and "<#77>" not in text
    assert f"<t:{int(first.timestamp())}:R>" in text


async def test_the_welcome_ends_the_series_after_the_servers_interval(db: Database) -> None:
    await db.execute(
        "UPDATE series_days SET state = 'posted', thread_id = 100 + day, "
        "posted_at = '2026-12-03T11:58:00.000Z'"
    )  # all twelve posted, the last two minutes before NOW
    greeter = Greeter(fake_bot(db, FakeThread(), FakeScheduler()), SeriesStore(db))
    assert "Today is **Day 12" in await greeter.welcome_for(newcomer())  # 1d: still today
    await GuildSettingsStore(db).set(G, INTERVAL_KEY, "30s")
    assert "has ended" in await greeter.welcome_for(newcomer())


# --- warnings ----------------------------------------------------------------------------


def test_a_configuration_warning_is_logged_once_per_key(caplog: pytest.LogCaptureFixture) -> None:
    warn = WarnOnce(logging.getLogger("tests.warn_once"))
    with caplog.at_level(logging.WARNING, logger="tests.warn_once"):
        warn("role-1", "role %s missing", 1)
        warn("role-1", "role %s missing", 1)
        warn("role-2", "role %s missing", 2)
    assert [r.getMessage() for r in caplog.records] == ["role 1 missing", "role 2 missing"]
