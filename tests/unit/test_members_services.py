"""The members' services against a real SQLite file: standings, recaps posted exactly once,
and the server's own schedule (after /challenge reschedule or channel) in welcomes and recaps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import discord
import pytest

from bot.boundary import (
    ChannelInfo,
    DiscordUnavailableError,
    MemberInfo,
    RefusedError,
    snowflake_at,
)
from bot.i18n import ENGLISH, Language
from bot.i18n.choice import LanguageChoice
from bot.members.greeter import Greeter
from bot.members.once import WarnOnce
from bot.members.recaps import Recaps
from bot.members.standings import Standings
from bot.rendering.days import RenderedMessage
from bot.series.config import CHANNEL_KEY, INTERVAL_KEY, START_KEY, series_config
from bot.series.model import DayRow
from bot.series.schedule import RECAP_TRIES, Timing, recap_time
from bot.settings import Settings
from bot.store import GuildSettingsStore, SqlDatabase, database_at
from bot.store.languages import LanguageStore
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from tests.fakes import FakeClock, FakeDiscord, Sent, incoming_message

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


def settings() -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        guild_id=G,
        series_id=SERIES,
        challenge_channel_id=77,
        series_interval=timedelta(days=1),
        series_timezone="Africa/Casablanca",
    )


def recaps(db: SqlDatabase, discord: FakeDiscord) -> Recaps:
    async def interval(record: str, guild_id: int) -> timedelta:  # no service: `.env`'s
        return (await series_config(db, settings(), guild_id)).interval

    return Recaps(discord, MemberStore(db), SeriesStore(db), FakeClock(NOW), english(db), interval)


async def row(db: SqlDatabase, day: int) -> DayRow:
    found = await SeriesStore(db).get_day(G, SERIES, day)
    assert found is not None
    return found


def recap_embed(sent: Sent) -> discord.Embed:
    assert isinstance(sent.message, RenderedMessage) and sent.message.embed is not None
    embed = sent.message.embed
    assert isinstance(embed, discord.Embed)
    return embed


async def test_a_recap_is_posted_once_with_the_most_reacted_comment(db: SqlDatabase) -> None:
    await comment(db, 1, 2, 10, reactions=2)
    await comment(db, 2, 2, 20)
    fake = FakeDiscord()
    service = recaps(db, fake)

    due = await row(db, 2)
    await service.post_recap(due)
    await service.post_recap(due)  # the same (stale) row again: the claim says no
    [sent] = fake.sent
    assert sent.channel_id == 102 and sent.ping_user is None  # in the day's thread, no ping
    embed = recap_embed(sent)
    assert embed.title == "Day 2 recap: T2"
    assert "/102/1" in (embed.description or "")
    recorded = await row(db, 2)
    assert recorded.recap_posted_at == NOW and recorded.recap_message_id == 901


@pytest.mark.parametrize(
    "failure",
    [
        DiscordUnavailableError("503 Service Unavailable: down", status=503),
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
    fake = FakeDiscord(refuse=[failure])
    service = recaps(db, fake)
    await service.post_recap(await row(db, 2))
    released = await row(db, 2)
    assert released.recap_posted_at is None and released.recap_attempts == 1
    assert released.recap_retry_at == NOW + timedelta(minutes=1)
    await service.post_recap(released)  # the retry
    assert len(fake.sent) == 1 and (await row(db, 2)).recap_message_id == 901


async def test_a_recap_discord_keeps_refusing_is_given_up(db: SqlDatabase) -> None:
    down = DiscordUnavailableError("503 Service Unavailable: down", status=503)
    service = recaps(db, FakeDiscord(refuse=[down] * RECAP_TRIES))
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

    fake = FakeDiscord()
    ours = incoming_message(
        snowflake_at(NOW) + 5, 102, fake.me, author_bot=True, embed_titles=("Day 2 recap: T2",)
    )
    someone_else = incoming_message(snowflake_at(NOW) + 1, 102, 10, "Day 2 recap: T2")
    fake.messages[102] = [someone_else, ours]
    await recaps(db, fake).post_recap(cut)
    assert fake.sent == [] and (await row(db, 2)).recap_message_id == ours.id
    # Searched from a few seconds before the claim, one page of the thread at most.
    assert fake.history_calls == [(102, snowflake_at(NOW - timedelta(seconds=5)), 100)]

    assert await store.claim_recap(G, SERIES, 3, NOW)  # this one never reached Discord
    await recaps(db, fake).post_recap(await row(db, 3))
    assert [s.channel_id for s in fake.sent] == [103] and (await row(db, 3)).recap_message_id == 901


async def test_a_recap_whose_thread_is_gone_is_recorded_as_done(db: SqlDatabase) -> None:
    assert await SeriesStore(db).claim_recap(G, SERIES, 2, NOW)  # claimed, then a crash
    fake = FakeDiscord(missing={102})  # and the thread was deleted meanwhile
    await recaps(db, fake).post_recap(await row(db, 2))
    assert fake.sent == [] and (await row(db, 2)).recap_message_id == 0


# --- welcome ----------------------------------------------------------------------------

WELCOME = 60  # the welcome channel


def newcomer(user_id: int = 99, joined_at: datetime | None = NOW) -> MemberInfo:
    return MemberInfo(user_id, G, f"newcomer{user_id}", joined_at=joined_at)


def greeter(db: SqlDatabase, fake: FakeDiscord, clock: FakeClock, **changes: Any) -> Greeter:
    fake.channels[WELCOME] = ChannelInfo(WELCOME, G, "welcome")
    values = {"welcome_channel_id": WELCOME, **changes}
    configured = settings().model_copy(update=values)
    return Greeter(fake, configured, db, clock, english(db))


async def test_the_welcome_names_the_servers_own_channel_and_start(db: SqlDatabase) -> None:
    await db.execute("DELETE FROM series_days")  # before the first post is planned
    welcome = greeter(db, FakeDiscord(), FakeClock(NOW))

    text = await welcome.welcome_for(ENGLISH, newcomer())
    assert "in <#77>" in text and "<t:" not in text  # .env's channel, no start date yet

    overrides = GuildSettingsStore(db)
    await overrides.set(G, CHANNEL_KEY, "88")  # /challenge channel
    await overrides.set(G, START_KEY, "2026-12-20")  # /challenge reschedule start:
    text = await welcome.welcome_for(ENGLISH, newcomer())
    first = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)  # 09:00 in Casablanca
    assert "in <#88>" in text and "<#77>" not in text
    assert f"<t:{int(first.timestamp())}:R>" in text


async def test_the_welcome_ends_the_series_after_the_servers_interval(db: SqlDatabase) -> None:
    await db.execute(
        "UPDATE series_days SET state = 'posted', thread_id = 100 + day, "
        "posted_at = '2026-12-03T11:58:00.000Z'"
    )  # all twelve posted, the last two minutes before NOW
    welcome = greeter(db, FakeDiscord(), FakeClock(NOW))
    assert "Today is **Day 12" in await welcome.welcome_for(ENGLISH, newcomer())  # 1d: today
    await GuildSettingsStore(db).set(G, INTERVAL_KEY, "30s")
    assert "has ended" in await welcome.welcome_for(ENGLISH, newcomer())


async def run_queue(welcome: Greeter, clock: FakeClock) -> None:
    """What the greeter's background loop does, on the fake clock: send each greeting the
    queue allows, waiting (the clock moves) when its rate gate or a burst says so."""
    for _ in range(100):
        action, wait = welcome.queue.next_action(clock.monotonic())
        if action is not None:
            if await welcome._perform(action):
                welcome.queue.sent(clock.monotonic())
        elif wait is None:
            return  # nothing pending
        else:
            clock.set(clock.now() + timedelta(seconds=wait))


async def test_one_newcomer_is_greeted_and_only_they_are_pinged(db: SqlDatabase) -> None:
    fake, clock = FakeDiscord(), FakeClock(NOW)
    welcome = greeter(db, fake, clock)
    await welcome.joined(newcomer(99))
    await welcome.joined(MemberInfo(98, G, "a bot", bot=True))  # bots are not greeted
    await run_queue(welcome, clock)
    [sent] = fake.sent
    assert (sent.channel_id, sent.ping_user, sent.dm) == (WELCOME, 99, False)
    assert "<@99>" in sent.text


async def test_a_join_handed_to_two_processes_is_greeted_once(db: SqlDatabase) -> None:
    """A shard wrongly run by two processes: both get the join, the database picks one. A
    rejoin (a new join time) is greeted again; a join without a time is always greeted."""
    clock = FakeClock(NOW)
    fakes = FakeDiscord(), FakeDiscord()
    first, second = (greeter(db, fake, clock) for fake in fakes)
    await asyncio.gather(first.joined(newcomer(99)), second.joined(newcomer(99)))
    for welcome in (first, second):
        await run_queue(welcome, clock)
    assert len(fakes[0].sent) + len(fakes[1].sent) == 1
    await second.joined(newcomer(99))  # the same join again (a replayed event)
    await run_queue(second, clock)
    assert len(fakes[0].sent) + len(fakes[1].sent) == 1
    await second.joined(newcomer(99, joined_at=NOW + timedelta(days=2)))  # left and came back
    await second.joined(newcomer(98, joined_at=None))
    clock.set(NOW + timedelta(minutes=5))
    await run_queue(second, clock)
    assert [m.ping_user for m in fakes[1].sent][-2:] in ([99, 98], [98, 99])


async def test_a_join_where_nobody_is_greeted_is_not_recorded(db: SqlDatabase) -> None:
    """WELCOME_CHANNEL_ID is one server's channel: a join in another server (and no DMs)
    is neither greeted nor stored."""
    fake, clock = FakeDiscord(), FakeClock(NOW)
    welcome = greeter(db, fake, clock)
    await welcome.joined(MemberInfo(99, G + 1, "elsewhere", joined_at=NOW))
    await run_queue(welcome, clock)
    assert fake.sent == [] and await db.fetchall("SELECT * FROM welcomes") == []


async def test_a_join_storm_gets_one_grouped_welcome_without_pings(db: SqlDatabase) -> None:
    fake, clock = FakeDiscord(guilds={G: "ML_DL *Morocco*"}), FakeClock(NOW)
    welcome = greeter(db, fake, clock, welcome_burst_threshold=3)
    for user_id in range(200, 206):  # six joins at once
        await welcome.joined(newcomer(user_id))
    await run_queue(welcome, clock)
    [sent] = fake.sent  # one message for all six, nobody pinged
    assert sent.channel_id == WELCOME and sent.ping_user is None
    assert "6" in sent.text and "<@" not in sent.text
    assert r"ML\_DL \*Morocco\*" in sent.text  # the server's name, Markdown escaped


async def test_a_dm_welcome_falls_back_to_the_channel_when_refused(db: SqlDatabase) -> None:
    fake = FakeDiscord(refuse=[RefusedError("403 Forbidden: Cannot send messages to this user")])
    welcome = greeter(db, fake, FakeClock(NOW), welcome_dm=True)
    assert await welcome.greet(newcomer(99))
    [sent] = fake.sent
    assert (sent.channel_id, sent.ping_user, sent.dm) == (WELCOME, 99, False)
    fake.refuse = []
    assert await welcome.greet(newcomer(97))
    assert (fake.sent[-1].channel_id, fake.sent[-1].dm) == (97, True)  # a DM this time


# --- warnings ----------------------------------------------------------------------------


def test_a_configuration_warning_is_logged_once_per_key(caplog: pytest.LogCaptureFixture) -> None:
    warn = WarnOnce(logging.getLogger("tests.warn_once"))
    with caplog.at_level(logging.WARNING, logger="tests.warn_once"):
        warn("role-1", "role %s missing", 1)
        warn("role-1", "role %s missing", 1)
        warn("role-2", "role %s missing", 2)
    assert [r.getMessage() for r in caplog.records] == ["role 1 missing", "role 2 missing"]
