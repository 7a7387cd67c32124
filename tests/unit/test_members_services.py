"""The members' services against a real SQLite file: standings, recaps posted exactly once,
and the server's own schedule (after /challenge reschedule or channel) in welcomes and recaps."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import pytest

from bot.i18n import ENGLISH, Language
from bot.i18n.choice import LanguageChoice
from bot.members.greeter import Greeter
from bot.members.once import WarnOnce
from bot.members.recaps import Recaps
from bot.members.standings import Standings
from bot.series.config import CHANNEL_KEY, INTERVAL_KEY, START_KEY
from bot.series.model import DayRow
from bot.series.schedule import RECAP_TRIES, Timing, recap_time
from bot.settings import Settings
from bot.store import GuildSettingsStore, SqlDatabase, database_at
from bot.store.languages import LanguageStore
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from tests.fakes import FakeClock

G = 1
SERIES = "s"
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
async def db(state_url: str) -> AsyncIterator[SqlDatabase]:
    """Days 1-3 posted (threads 101-103), days 4-12 scheduled."""
    database = database_at(state_url)
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


async def comment(db: SqlDatabase, mid: int, day: int, author: int, *, reactions: int = 0) -> None:
    await db.execute(
        "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, author_name, "
        "content, created_at, reactions, series) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            SERIES,
        ),
    )


def english(db: SqlDatabase) -> LanguageChoice:
    """Languages of a server that chose none, with English the bot's default."""
    return LanguageChoice(LanguageStore(db), Language.ENGLISH)


# --- standings ---------------------------------------------------------------------------


async def test_standings_gather_summary_ranking_and_streak(db: SqlDatabase) -> None:
    for mid, day, author in [(1, 1, 10), (2, 2, 10), (3, 1, 20), (4, 1, 20)]:
        await comment(db, mid, day, author)
    standings = Standings(MemberStore(db), SeriesStore(db))

    summary = await standings.summary(G, SERIES)
    assert (summary.members, summary.comments, summary.days_posted) == (2, 4, 3)
    assert summary.total_days == 12 and len(summary.per_day) == 12

    ranked = await standings.ranking(G, SERIES)
    assert [r.participant.user_id for r in ranked] == [10, 20]

    mine = await standings.streak_of(G, SERIES, 10)
    assert mine.today is not None and mine.today.day == 3 and mine.today.thread_id == 103
    assert not mine.answered_today
    assert (mine.streak.current, mine.streak.done, mine.streak.total) == (2, 2, 12)

    assert (await standings.chart(ENGLISH, summary)).startswith(b"\x89PNG")


# --- recaps ------------------------------------------------------------------------------


@dataclass
class FakeThread:
    """A thread that records what is sent; `refuse` makes the next sends raise these."""

    refuse: list[BaseException] = field(default_factory=list)
    sent: list[discord.Embed] = field(default_factory=list)

    async def send(self, *, embed: discord.Embed, allowed_mentions: Any) -> SimpleNamespace:
        if self.refuse:
            raise self.refuse.pop(0)
        self.sent.append(embed)
        return SimpleNamespace(id=900 + len(self.sent))


def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=G,
        series_id=SERIES,
        challenge_channel_id=77,
        series_interval=timedelta(days=1),
        series_timezone="Africa/Casablanca",
    )


def fake_bot(db: SqlDatabase, thread: FakeThread, clock: FakeClock | None = None) -> Any:
    clock = clock or FakeClock(NOW)
    return SimpleNamespace(
        settings=settings(),
        db=db,
        clock=clock,
        now=clock.now,
        user=None,
        get_channel=lambda _id: thread,
        series_for=lambda _record: None,  # no service: the `.env` cadence
    )


def recaps(db: SqlDatabase, bot: Any) -> Recaps:
    return Recaps(bot, MemberStore(db), SeriesStore(db), bot.clock, english(db))


async def row(db: SqlDatabase, day: int) -> DayRow:
    found = await SeriesStore(db).get_day(G, SERIES, day)
    assert found is not None
    return found


async def test_a_recap_is_posted_once_with_the_most_reacted_comment(db: SqlDatabase) -> None:
    await comment(db, 1, 2, 10, reactions=2)
    await comment(db, 2, 2, 20)
    thread = FakeThread()
    service = recaps(db, fake_bot(db, thread))

    due = await row(db, 2)
    await service.post_recap(due)
    await service.post_recap(due)  # the same (stale) row again: the claim says no
    [embed] = thread.sent
    assert embed.title == "Day 2 recap: T2"
    assert "/102/1" in (embed.description or "")
    recorded = await row(db, 2)
    assert recorded.recap_posted_at == NOW and recorded.recap_message_id == 901


@pytest.mark.parametrize(
    "failure",
    [
        discord.HTTPException(SimpleNamespace(status=500, reason="down"), "down"),
        aiohttp.ClientOSError(104, "Connection reset by peer"),
        TimeoutError(),
        RuntimeError("anything else"),
    ],
    ids=["http", "network", "timeout", "other"],
)
async def test_any_failure_releases_the_recap_claim_with_a_retry(
    db: SqlDatabase, failure: BaseException
) -> None:
    """The claim used to be released on discord.HTTPException only: a network error left the
    day marked recapped with no recap."""
    thread = FakeThread(refuse=[failure])
    service = recaps(db, fake_bot(db, thread))
    await service.post_recap(await row(db, 2))
    released = await row(db, 2)
    assert released.recap_posted_at is None and released.recap_attempts == 1
    assert released.recap_retry_at == NOW + timedelta(minutes=1)
    await service.post_recap(released)  # the retry
    assert len(thread.sent) == 1 and (await row(db, 2)).recap_message_id == 901


async def test_a_recap_discord_keeps_refusing_is_given_up(db: SqlDatabase) -> None:
    down = discord.HTTPException(SimpleNamespace(status=500, reason="down"), "down")
    thread = FakeThread(refuse=[down] * RECAP_TRIES)
    service = recaps(db, fake_bot(db, thread))
    for _ in range(RECAP_TRIES):
        await service.post_recap(await row(db, 2))
    given_up = await row(db, 2)
    assert given_up.recap_attempts == RECAP_TRIES and given_up.recap_retry_at is None
    timing = Timing(interval=timedelta(days=1), answer_delay=timedelta(0), posting=True)
    rows = await SeriesStore(db).list_days(G, SERIES)
    assert recap_time(given_up, rows, timing, NOW) is None  # never due again


async def test_a_recap_cut_short_by_a_crash_is_found_not_resent(db: SqlDatabase) -> None:
    store = SeriesStore(db)
    assert await store.claim_recap(G, SERIES, 2, NOW)  # claimed, then the process died
    cut = await row(db, 2)
    assert cut.recap_message_id is None

    class Thread(FakeThread):
        def history(self, **_: Any) -> Any:
            async def messages() -> AsyncIterator[Any]:
                embed = discord.Embed(title="Day 2 recap: T2")
                yield SimpleNamespace(id=555, author=SimpleNamespace(id=0), embeds=[embed])

            return messages()

    thread = Thread()
    await recaps(db, fake_bot(db, thread)).post_recap(cut)
    assert thread.sent == [] and (await row(db, 2)).recap_message_id == 555

    assert await store.claim_recap(G, SERIES, 3, NOW)  # this one never reached Discord
    empty = EmptyThread()
    await recaps(db, fake_bot(db, empty)).post_recap(await row(db, 3))
    assert len(empty.sent) == 1 and (await row(db, 3)).recap_message_id == 901


class EmptyThread(FakeThread):
    def history(self, **_: Any) -> Any:
        async def messages() -> AsyncIterator[Any]:
            for message in ():
                yield message

        return messages()


# --- welcome ----------------------------------------------------------------------------


def newcomer() -> Any:
    guild = SimpleNamespace(id=G, name="ML & DL Morocco")
    return SimpleNamespace(mention="<@99>", guild=guild, bot=False, id=99)


async def test_the_welcome_names_the_servers_own_channel_and_start(db: SqlDatabase) -> None:
    await db.execute("DELETE FROM series_days")  # before the first post is planned
    greeter = Greeter(fake_bot(db, FakeThread()), SeriesStore(db), english(db))

    text = await greeter.welcome_for(ENGLISH, newcomer())
    assert "in <#77>" in text and "<t:" not in text  # .env's channel, no start date yet

    overrides = GuildSettingsStore(db)
    await overrides.set(G, CHANNEL_KEY, "88")  # /challenge channel
    await overrides.set(G, START_KEY, "2026-12-20")  # /challenge reschedule start:
    text = await greeter.welcome_for(ENGLISH, newcomer())
    first = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)  # 09:00 in Casablanca
    assert "in <#88>" in text and "<#77>" not in text
    assert f"<t:{int(first.timestamp())}:R>" in text


async def test_the_welcome_ends_the_series_after_the_servers_interval(db: SqlDatabase) -> None:
    await db.execute(
        "UPDATE series_days SET state = 'posted', thread_id = 100 + day, "
        "posted_at = '2026-12-03T11:58:00.000Z'"
    )  # all twelve posted, the last two minutes before NOW
    greeter = Greeter(fake_bot(db, FakeThread()), SeriesStore(db), english(db))
    assert "Today is **Day 12" in await greeter.welcome_for(ENGLISH, newcomer())  # 1d: still today
    await GuildSettingsStore(db).set(G, INTERVAL_KEY, "30s")
    assert "has ended" in await greeter.welcome_for(ENGLISH, newcomer())


# --- warnings ----------------------------------------------------------------------------


def test_a_configuration_warning_is_logged_once_per_key(caplog: pytest.LogCaptureFixture) -> None:
    warn = WarnOnce(logging.getLogger("tests.warn_once"))
    with caplog.at_level(logging.WARNING, logger="tests.warn_once"):
        warn("role-1", "role %s missing", 1)
        warn("role-1", "role %s missing", 1)
        warn("role-2", "role %s missing", 2)
    assert [r.getMessage() for r in caplog.records] == ["role 1 missing", "role 2 missing"]
