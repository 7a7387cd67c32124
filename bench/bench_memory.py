"""Peak memory of the bot process with 100,000 stored comments.

Run: `.venv/bin/python -m bench memory`. The state of a big series on its last day: twelve
posted days, 300 members, 100,000 comments in the database (written through CommentStore),
the last three days' replies also in the emulator's threads, since the bot re-reads recent
threads in full at start-up to reconcile them. Then `python -m bot run` starts, loads,
reconciles, and members run /stats (with its chart), /leaderboard and /comments day a few
times. The figure is the process's peak resident set (VmHWM in /proc/<pid>/status).
Target: ≤ 300 MiB.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure
from bench.scenario import (
    BotUnderTest,
    ChallengeThread,
    bot_settings,
    count_rows,
    declare_series,
    emulated_discord,
    now,
    open_thread,
    sentence,
    snowflake,
)
from bot.comments.model import Comment, Record
from bot.store import Database
from bot.store.comments import CommentStore
from devtools.emulator.server import Emulator

NAME = "memory"
COMMENTS = 100_000
DAYS = 12
RECENT_DAYS = 3  # the bot's default RECONCILE_DAYS
MEMBERS = 300
MAX_PEAK_MIB = 300.0
BATCH = 5_000
SEED = 5
BACKFILL = re.compile(r"Comment backfill and reconcile: .*?(\d+) new, (\d+) updated, (\d+) deleted")


def old_comments(
    thread: ChallengeThread, count: int, guild_id: int, authors: list[tuple[str, str]], rng: Any
) -> list[Comment]:
    """Comments of a day the bot has long finished reading (only in the database)."""
    comments: list[Comment] = []
    for i in range(count):
        moment = thread.posted_at + timedelta(seconds=10 + i * 5)
        author_id, name = rng.choice(authors)
        reply_to = comments[rng.randrange(len(comments))].message_id if comments else None
        comments.append(
            Comment(
                guild_id=guild_id,
                day=thread.day,
                thread_id=int(thread.thread_id),
                message_id=snowflake(moment, i),
                author_id=int(author_id),
                author_name=name,
                content=sentence(rng),
                created_at=moment,
                reply_to=reply_to if rng.random() < 0.1 else None,
                reactions=rng.choice((0, 0, 0, 1, 1, 2, 3, 5)),
            )
        )
    return comments


def recent_comments(
    emulator: Emulator,
    thread: ChallengeThread,
    count: int,
    guild_id: int,
    authors: list[tuple[str, str]],
    rng: Any,
) -> list[Comment]:
    """Replies of a recent day: in the emulator's thread and, identical, in the database."""
    world = emulator.world
    comments = []
    for i in range(count):
        moment = thread.posted_at + timedelta(seconds=10 + i * 5)
        author_id, name = rng.choice(authors)
        message = world.new_message(thread.thread_id, author_id, content=sentence(rng), at=moment)
        world.store_message(message)
        comments.append(
            Comment(
                guild_id=guild_id,
                day=thread.day,
                thread_id=int(thread.thread_id),
                message_id=int(message.id),
                author_id=int(author_id),
                author_name=name,
                content=message.data["content"],
                created_at=datetime.fromisoformat(message.data["timestamp"]),
            )
        )
    return comments


async def store_comments(database: Path, comments: list[Comment], when: datetime) -> None:
    db = Database(database)
    await db.open()
    try:
        store = CommentStore(db)
        for start in range(0, len(comments), BATCH):
            await store.apply([Record(c) for c in comments[start : start + BATCH]])
        last: dict[int, tuple[int, int]] = {}
        for c in comments:
            last[c.thread_id] = (c.guild_id, max(c.message_id, last.get(c.thread_id, (0, 0))[1]))
        for thread_id, (guild_id, message_id) in last.items():
            await store.set_read_until(thread_id, guild_id, message_id, when)
    finally:
        await db.close()


async def run_commands(emulator: Emulator, members: list[str], rounds: int) -> dict[str, float]:
    """/stats, /leaderboard and /comments day, `rounds` times; the slowest answer of each."""
    slowest: dict[str, float] = {}
    for i in range(rounds):
        for line, options in (
            ("stats", {}),
            ("leaderboard", {}),
            ("comments day", {"day": DAYS - i % DAYS}),
        ):
            actor = emulator.member(members[(3 * i + len(line)) % len(members)])
            started = time.monotonic()
            await actor.runs(line, channel="general", **options)
            slowest[line] = max(slowest.get(line, 0.0), time.monotonic() - started)
    return slowest


async def measure(comments: int, rounds: int) -> dict[str, Any]:
    rng = random.Random(SEED)
    async with emulated_discord() as (emulator, folder):
        members = [f"member{i}" for i in range(MEMBERS)]
        authors = [(emulator.world.add_member(n)["user"]["id"], n) for n in members]
        guild_id = int(emulator.guild_id)
        started = now()
        threads = [
            open_thread(
                emulator,
                day,
                started - timedelta(days=DAYS - day, hours=12),
                archived=day <= DAYS - RECENT_DAYS,
            )
            for day in range(1, DAYS + 1)
        ]
        database = folder / "bot.sqlite3"
        await declare_series(database, guild_id, threads)
        per_day = [comments // DAYS + (1 if d < comments % DAYS else 0) for d in range(DAYS)]
        rows: list[Comment] = []
        for thread, count in zip(threads, per_day, strict=True):
            if thread.day > DAYS - RECENT_DAYS:
                rows += recent_comments(emulator, thread, count, guild_id, authors, rng)
            else:
                rows += old_comments(thread, count, guild_id, authors, rng)
        await store_comments(database, rows, started)
        stored = count_rows(database)
        size = sum(p.stat().st_size for p in folder.glob("bot.sqlite3*")) / 2**20

        bot = BotUnderTest(emulator, bot_settings(emulator, database), folder)
        bot.start()
        try:
            await bot.wait_ready()
            backfilled = await bot.wait_backfilled()
            after_load = bot.status("VmHWM")
            slowest = await run_commands(emulator, members, rounds)
            peak, current = bot.status("VmHWM"), bot.status("VmRSS")
            found = BACKFILL.search(bot.log())
        finally:
            await bot.stop()
    changes = tuple(int(x) for x in found.groups()) if found else None
    return {
        "stored": stored,
        "size": size,
        "backfilled": backfilled,
        "after_load": after_load / 1024,
        "peak": peak / 1024,
        "current": current / 1024,
        "slowest": slowest,
        "changes": changes,
    }


def run(quick: bool = False) -> list[Figure]:
    comments, rounds = (10_000, 1) if quick else (COMMENTS, 3)
    result = asyncio.run(measure(comments, rounds))
    if result["changes"] != (0, 0, 0):  # reconcile must agree with what we stored
        raise RuntimeError(f"unexpected reconcile result (new, updated, deleted): {result}")
    return [
        Figure(NAME, "comments stored", result["stored"]),
        Figure(NAME, "database size", result["size"], "MiB"),
        Figure(NAME, "spawn → start-up reconcile done", result["backfilled"], "s"),
        Figure(
            NAME, "bot process peak RSS after start-up and reconcile", result["after_load"], "MiB"
        ),
        *(
            Figure(NAME, f"/{line} answered in (slowest of {rounds})", seconds * 1000, "ms")
            for line, seconds in result["slowest"].items()
        ),
        Figure.check(
            NAME,
            "bot process peak RSS (VmHWM), after the commands",
            result["peak"],
            "MiB",
            "<=",
            MAX_PEAK_MIB,
        ),
        Figure(NAME, "bot process RSS at the end", result["current"], "MiB"),
    ]


if __name__ == "__main__":
    from bench.report import format_table

    print(format_table(run()))
