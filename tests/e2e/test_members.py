"""Members' experience end to end: welcome (and a join storm), /stats, /leaderboard, /streak,
completion roles and the daily recap, with the real bot on the emulator."""

from __future__ import annotations

import logging
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.bot import ChallengeBot
from bot.members.welcome import BurstPolicy
from bot.series.config import INTERVAL_KEY
from bot.store import GuildSettingsStore, database_at
from bot.store.comments import CommentStore
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner

pytestmark = pytest.mark.e2e

SERIES = "members-e2e"
# The series cog would post days on its own; these tests play its part with SQL.
EXTENSIONS = (
    "cogs.meta",
    "cogs.comments",
    "cogs.welcome",
    "cogs.participation",
    "cogs.recaps",
)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def declare_days(
    location: str | Path, guild_id: str, threads: dict[int, str], *, next_at: datetime | None = None
) -> None:
    """Posted days with their threads; the rest of the twelve scheduled from `next_at`."""
    now = datetime.now(UTC)
    db = database_at(location)
    await db.open()
    try:
        for day in range(1, 13):
            thread = threads.get(day)
            if thread is not None:
                posted = now - timedelta(days=len(threads) - day, minutes=5)
                # As a run leaves them: answers posted, every day but the latest recapped.
                recap = z(posted) if day < len(threads) else None
                row = (day, f"Title {day}", z(posted), "posted", int(thread), z(posted))
                row += ("posted", recap, None if recap is None else 0)
            else:
                planned = (next_at or now + timedelta(hours=1)) + timedelta(
                    days=day - len(threads) - 1
                )
                row = (day, f"Title {day}", z(planned), "scheduled", None, None, "pending")
                row += (None, None)
            await db.execute(
                "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
                "thread_id, posted_at, answer_state, recap_posted_at, recap_message_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (int(guild_id), SERIES, *row),
            )
    finally:
        await db.close()


async def insert_comments(
    location: str | Path, guild_id: str, rows: list[tuple[int, int, str, str]]
) -> None:
    """(day, thread id, author id, author name) comments recorded earlier."""
    db = database_at(location)
    await db.open()
    try:
        for index, (day, thread, author, name) in enumerate(rows, start=1):
            await db.execute(
                "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, "
                "author_name, content, created_at, series) "
                "VALUES (?, ?, ?, ?, ?, ?, 'earlier', ?, ?)",
                (
                    index,
                    int(guild_id),
                    day,
                    thread,
                    int(author),
                    name,
                    z(datetime.now(UTC)),
                    SERIES,
                ),
            )
    finally:
        await db.close()


async def recorded(bot: Any, count: int) -> None:
    """Wait until the comments cog has stored `count` comments."""
    writer = bot.get_cog("Comments").service.writer

    async def enough() -> bool:
        await writer.flush()
        return await CommentStore(bot.db).count(include_deleted=False) >= count

    await wait_for(enough, message=f"{count} comments not recorded")


# --- welcome -----------------------------------------------------------------------------


async def test_a_join_gets_one_greeting_naming_today_and_the_next_day(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    threads = {day: emulator.open_day_thread(day) for day in (1, 2, 3)}
    next_at = (datetime.now(UTC) + timedelta(hours=5)).replace(microsecond=0)
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, threads, next_at=next_at
    )
    welcome = emulator.channel_id("welcome")
    await bot_runner.start(extensions=EXTENSIONS, series_id=SERIES, welcome_channel_id=welcome)

    newbie = emulator.add_member("newbie")
    await emulator.drain()
    [greeting] = await wait_for(lambda: emulator.bot_messages("welcome"))
    text = greeting["content"]
    assert newbie.mention in text
    assert "Day 3: Title 3" in text and f"<#{threads[3]}>" in text
    assert f"<t:{int(next_at.timestamp())}:R>" in text
    assert "/challenge today" in text and "/keyword" in text and "/help" in text

    await bot_runner.settle()  # a late second greeting would show up by now
    assert len(emulator.bot_messages("welcome")) == 1
    [ping] = emulator.recorder.pinging()
    assert ping.users == [newbie.id] and not ping.roles and not ping.everyone


async def test_welcome_by_dm_before_the_series_falls_back_to_the_channel(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, {}, next_at=start
    )
    await bot_runner.start(
        extensions=EXTENSIONS,
        series_id=SERIES,
        welcome_dm=True,
        welcome_channel_id=emulator.channel_id("welcome"),
        welcome_message="Salam {member}! {series} starts {next} in {thread}.",
    )
    sara = emulator.add_member("sara")
    [dm] = await wait_for(sara.dm_messages)
    assert dm["content"].startswith(f"Salam {sara.mention}! ML & DL Morocco Challenges starts")
    assert f"<t:{int(start.timestamp())}:R>" in dm["content"]
    assert f"<#{emulator.channel_id('challenges')}>" in dm["content"]

    closed = emulator.add_member("closed", announce=False)
    closed.blocks_dms()
    emulator.dispatch(
        "GUILD_MEMBER_ADD",
        {**emulator.world.member_payload(closed.id), "guild_id": emulator.guild_id},
    )
    await wait_for(lambda: emulator.bot_messages("welcome"))
    await bot_runner.settle()
    [fallback] = emulator.bot_messages("welcome")  # exactly one
    assert closed.mention in fallback["content"]
    assert len(sara.dm_messages()) == 1  # sara's DM wasn't repeated either
    assert emulator.bot_messages("general") == []


async def test_a_join_storm_is_greeted_in_groups_under_the_rate_limits(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    await declare_days(bot_runner.make_settings().database_location, emulator.guild_id, {})
    emulator.rate_limits.enforce()  # Discord's real buckets: 5 messages / 5 s per channel
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_id=SERIES,
        welcome_channel_id=emulator.channel_id("welcome"),
        welcome_burst_threshold=10,
    )
    queue = bot.get_cog("Welcome").greeter.queue
    # Real rate gate (3 messages / 5 s); the grouping rhythm sped up from a minute.
    queue.policy = BurstPolicy(threshold=10, gather=0.3, group_every=1.0)

    started = time.monotonic()
    joined = emulator.add_members(300)
    await emulator.drain()

    def greeted() -> int:
        total = 0
        for message in emulator.bot_messages("welcome"):
            match = re.search(r"Welcome to the (\d+) people", message["content"])
            total += int(match.group(1)) if match else 1
        return total

    await wait_for(lambda: greeted() == len(joined), timeout=60)
    elapsed = time.monotonic() - started
    await bot_runner.settle()
    assert greeted() == len(joined)  # everybody greeted once
    messages = emulator.bot_messages("welcome")
    groups = sum("people" in m["content"] for m in messages)
    policy = queue.policy
    # The policy's bounds, whatever the machine's speed: individual greetings stop at the
    # join that starts the burst; then at most one group per `group_every` (plus the first).
    assert len(messages) - groups <= policy.threshold
    assert 1 <= groups <= 1 + elapsed / policy.group_every
    assert emulator.recorder.count_429() == 0
    pinged = [p.users for p in emulator.recorder.pinging()]
    assert all(len(users) == 1 for users in pinged)  # a group greeting pings nobody
    assert len(pinged) == len(messages) - groups


# --- participation -----------------------------------------------------------------------


async def test_stats_leaderboard_and_streak_match_a_scripted_discussion(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    threads = {day: emulator.open_day_thread(day) for day in (1, 2, 3)}
    await declare_days(bot_runner.make_settings().database_location, emulator.guild_id, threads)
    bot = await bot_runner.start(extensions=EXTENSIONS, series_id=SERIES)
    amina, youssef, karim, salma = (
        emulator.member(n) for n in ("amina", "youssef", "karim", "salma")
    )

    script = [
        (karim, 1, "Tutors in Tamazight"),
        (amina, 1, "Darija NLP for schools"),
        (youssef, 1, "Open data first"),
        (youssef, 1, "And open models"),
        (amina, 2, "Rural clinics"),
        (youssef, 2, "Telemedicine"),
        (salma, 2, "Radiology triage"),
        (amina, 3, "Drip irrigation"),
    ]
    for actor, day, text in script:
        await actor.says(threads[day], text)
    await recorded(bot, len(script))

    stats = await amina.runs("stats")
    assert stats.ephemeral
    assert "4 members" in stats.text and "8 comments" in stats.text
    assert "Days posted: **3 / 12**" in stats.text
    assert "Day 1: 4 comments · 3 participants" in stats.text
    assert "Day 2: 3 comments · 3 participants" in stats.text
    assert "Day 3: 1 comment · 1 participant" in stats.text
    [chart] = stats.files
    assert chart.filename == "stats.png" and chart.data.startswith(PNG_MAGIC)

    board = await salma.runs("leaderboard")
    lines = (board.embed["description"] or "").splitlines()
    assert "**Amina**" in lines[0] and "3 days · 3 comments" in lines[0]
    assert "**Youssef**" in lines[1] and "2 days · 3 comments" in lines[1]
    # karim and salma tie (1 day, 1 comment): same rank, karim first (he spoke first).
    assert lines[2].startswith("🥉") and "**Karim**" in lines[2]
    assert lines[3].startswith("🥉") and "**Salma**" in lines[3]
    assert "#3 of 4" in board.text

    streak = await youssef.runs("streak")
    assert "Current streak: **2 days**" in streak.text  # day 3 is still open
    assert "Days done: **2 / 12**" in streak.text and f"<#{threads[3]}>" in streak.text
    assert emulator.recorder.pinging() == []


# --- completion roles ----------------------------------------------------------------------


async def test_the_completion_role_is_given_exactly_once(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    threads = {day: emulator.open_day_thread(day) for day in range(1, 13)}
    path = bot_runner.make_settings().database_location
    await declare_days(path, emulator.guild_id, threads)
    amina = emulator.member("amina")
    await insert_comments(
        path, emulator.guild_id, [(d, int(threads[d]), amina.id, "amina") for d in range(1, 12)]
    )
    finisher = emulator.role("Challenge Finisher")["id"]
    champion = emulator.role("Challenge Champion")["id"]
    await bot_runner.start(
        extensions=EXTENSIONS,
        series_id=SERIES,
        completion_role_id=int(finisher),
        completion_tier_role_id=int(champion),
        completion_tier_days=6,
    )

    await amina.says(threads[12], "My last answer!")
    congratulation = await wait_for(lambda: emulator.bot_messages(threads[12]))
    assert "Congratulations **Amina**" in congratulation[0]["content"]
    assert "all 12 days" in congratulation[0]["content"]
    assert {finisher, champion} <= set(amina.member["roles"])

    await amina.says(threads[12], "One more thought")
    await amina.says(threads[5], "Back to day 5")
    await bot_runner.settle()
    grants = emulator.recorder.rest("PUT", "/guilds/*/members/*/roles/*")
    assert sorted(call.path.rsplit("/", 1)[-1] for call in grants) == sorted([finisher, champion])
    assert len(emulator.bot_messages(threads[12])) == 1
    assert emulator.recorder.pinging() == []


async def test_a_refused_role_is_a_warning_not_a_crash(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    threads = {1: emulator.open_day_thread(1)}
    await declare_days(bot_runner.make_settings().database_location, emulator.guild_id, threads)
    emulator.faults.forbidden("PUT", "/guilds/*/members/*/roles/*")
    await bot_runner.start(
        extensions=EXTENSIONS,
        series_id=SERIES,
        completion_tier_role_id=int(emulator.role("Challenge Champion")["id"]),
        completion_tier_days=1,
    )
    with caplog.at_level(logging.WARNING, logger="bot.members.completion"):
        await emulator.member("karim").says(threads[1], "Hello")
        await wait_for(lambda: "Manage Roles" in caplog.text)
    await bot_runner.settle()
    assert emulator.bot_messages(threads[1]) == []  # no congratulation for a role not given


# --- recap -------------------------------------------------------------------------------


async def post_day_2(bot: ChallengeBot, guild: int, thread: str) -> None:
    """What posting day 2 records, then the wake-up that follows a post."""
    now = z(datetime.now(UTC))
    await bot.db.execute(
        "UPDATE series_days SET state = 'posted', posted_at = ?, thread_id = ? "
        "WHERE guild_id = ? AND day = 2",
        (now, int(thread), guild),
    )
    assert bot.series is not None
    await bot.series.wake(guild)


async def test_the_recap_names_the_most_reacted_comments_once(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    threads = {1: emulator.open_day_thread(1)}
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, threads
    )  # day 2 in 1 h
    bot = await bot_runner.start(extensions=EXTENSIONS, series_id=SERIES)
    amina, youssef, karim, salma = (
        emulator.member(n) for n in ("amina", "youssef", "karim", "salma")
    )
    quiet = await amina.says(threads[1], "A quiet idea")
    loved = await youssef.says(threads[1], "Federated learning for hospitals")
    liked = await karim.says(threads[1], "Arabic speech datasets")
    for actor in (amina, karim, salma):
        await actor.reacts(loved, "👍")
    await amina.reacts(liked, "🔥")

    store = CommentStore(bot.db)
    writer = bot.get_cog("Comments").service.writer

    async def reactions_recorded() -> bool:
        await writer.flush()
        found = await store.get(int(loved["id"]))
        return found is not None and found.reactions == 3

    await wait_for(reactions_recorded)
    await recorded(bot, 3)

    guild = int(emulator.guild_id)
    assert emulator.bot_messages(threads[1]) == []  # day 1 runs until day 2 is posted
    await post_day_2(bot, guild, emulator.open_day_thread(2))
    [recap] = await wait_for(lambda: emulator.bot_messages(threads[1]))
    text = recap["embeds"][0]["description"]
    assert recap["embeds"][0]["title"] == "Day 1 recap: Title 1"
    assert "3 comments" in text and "3 participants" in text
    first = f"https://discord.com/channels/{guild}/{threads[1]}/{loved['id']}"
    second = f"https://discord.com/channels/{guild}/{threads[1]}/{liked['id']}"
    assert first in text and second in text and text.index(first) < text.index(second)
    assert "**Youssef**" in text and str(quiet["id"]) not in text

    await bot.series.wake(guild)  # another wake-up finds nothing due
    await bot_runner.settle()
    assert len(emulator.bot_messages(threads[1])) == 1
    assert emulator.recorder.pinging() == []


async def test_the_last_day_is_recapped_one_interval_after_its_post(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    threads = {day: emulator.open_day_thread(day) for day in range(1, 13)}
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, threads
    )  # day 12: 5 min ago
    await bot_runner.start(extensions=EXTENSIONS, series_id=SERIES, series_interval="1m")
    [recap] = await wait_for(lambda: emulator.bot_messages(threads[12]))
    assert recap["embeds"][0]["title"] == "Day 12 recap: Title 12"
    assert "No comments were recorded" in recap["embeds"][0]["description"]
    assert all(emulator.bot_messages(threads[day]) == [] for day in range(1, 12))


async def test_a_late_reschedule_moves_the_last_days_recap(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    threads = {day: emulator.open_day_thread(day) for day in range(1, 13)}
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, threads
    )  # day 12: 5 min ago
    bot = await bot_runner.start(extensions=EXTENSIONS, series_id=SERIES)  # interval 1d
    await bot_runner.settle()
    assert emulator.bot_messages(threads[12]) == []  # the day runs until tomorrow

    # What `/challenge reschedule interval:1m` does: save the override, wake the series up.
    guild = int(emulator.guild_id)
    await GuildSettingsStore(bot.db).set(guild, INTERVAL_KEY, "1m")
    await bot.series.wake(guild)
    [recap] = await wait_for(lambda: emulator.bot_messages(threads[12]))
    assert recap["embeds"][0]["title"] == "Day 12 recap: Title 12"
