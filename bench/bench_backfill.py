"""Catch-up after downtime: 10,000 replies posted while the bot was stopped.

Run: `.venv/bin/python -m bench backfill`. Twelve posted days with their threads (the last
three within RECONCILE_DAYS, so the bot re-reads them in full); while the bot is stopped,
members post 10,000 replies spread over the threads (more on recent days), straight into
the emulator's state. Then `python -m bot run` starts and we measure:

- history requests: `GET /channels/{id}/messages` calls, against the minimum of
  ⌈replies/100⌉ per thread (a page holds 100 messages). Target: at most one request more
  per thread than that (discord.py asks once more after a full last page, and the threads
  re-read in full also hold the bot's opening question);
- seconds from spawn until all 10,000 replies are rows in the comments table (≤ 30 s).
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from datetime import timedelta

from bench.report import Figure
from bench.scenario import (
    BotUnderTest,
    bot_settings,
    count_rows,
    declare_series,
    emulated_discord,
    history_requests,
    now,
    open_thread,
    sentence,
)
from devtools.emulator.server import Emulator

NAME = "backfill"
REPLIES = 10_000
DAYS = 12
AUTHORS = 200
MAX_SECONDS = 30.0
TIMEOUT = 180.0
SEED = 7


def spread(total: int, days: int) -> list[int]:
    """Replies per day: more on recent days (weight grows with the day), summing to total."""
    weights = [1 + day / 2 for day in range(1, days + 1)]
    exact = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(days), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def post_replies(
    emulator: Emulator, thread_id: str, count: int, authors: list[str], rng: random.Random
) -> None:
    """Members' replies (one in ten answers an earlier reply), stored without any event."""
    world = emulator.world
    earlier: list[str] = []
    for _ in range(count):
        reference = None
        if earlier and rng.random() < 0.1:
            reference = {"message_id": rng.choice(earlier), "channel_id": thread_id}
        message = world.new_message(
            thread_id, rng.choice(authors), content=sentence(rng), reference=reference
        )
        world.store_message(message)
        earlier.append(message.id)


async def measure(replies: int, days: int) -> dict[str, float]:
    rng = random.Random(SEED)
    async with emulated_discord() as (emulator, folder):
        authors = [emulator.world.add_member(f"member{i}")["user"]["id"] for i in range(AUTHORS)]
        started = now()
        threads = [
            open_thread(emulator, day, started - timedelta(days=days - day, hours=1))
            for day in range(1, days + 1)
        ]
        database = folder / "bot.sqlite3"
        await declare_series(database, int(emulator.guild_id), threads)
        counts = spread(replies, days)
        for thread, count in zip(threads, counts, strict=True):
            post_replies(emulator, thread.thread_id, count, authors, rng)

        bot = BotUnderTest(emulator, bot_settings(emulator, database), folder)
        bot.start()
        try:
            ready = await bot.wait_ready()
            deadline = time.monotonic() + TIMEOUT
            while (stored := count_rows(database)) < replies:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {stored} of {replies} replies stored")
                await asyncio.sleep(0.02)
            done = time.monotonic() - bot.spawned_at
            await bot.wait_backfilled()
        finally:
            await bot.stop()
        requests = history_requests(emulator, {t.thread_id for t in threads})
    minimum = sum(math.ceil(n / 100) for n in counts)
    return {
        "threads": len(threads),
        "requests": sum(requests.values()),
        "minimum": minimum,
        "seconds": done,
        "after_ready": done - ready,
        "ready": ready,
    }


def run(quick: bool = False) -> list[Figure]:
    replies, days = (1_000, 4) if quick else (REPLIES, DAYS)
    result = asyncio.run(measure(replies, days))
    allowed = result["minimum"] + result["threads"]
    return [
        Figure(NAME, f"replies posted while stopped, in {days} threads", replies),
        Figure(NAME, "history pages needed (Σ ⌈replies/100⌉ per thread)", result["minimum"]),
        Figure.check(
            NAME,
            "history requests (≤ minimum + 1 per thread)",
            result["requests"],
            "",
            "<=",
            allowed,
        ),
        Figure.check(
            NAME, "seconds from spawn until all stored", result["seconds"], "s", "<=", MAX_SECONDS
        ),
        Figure(NAME, "of which after on_ready", result["after_ready"], "s"),
        Figure(
            NAME, "replies stored per second after on_ready", replies / result["after_ready"], "/s"
        ),
    ]


if __name__ == "__main__":
    from bench.report import format_table

    print(format_table(run()))
