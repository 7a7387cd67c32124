"""Comment recording benchmark: a burst of member messages through the real client.

Run: `.venv/bin/python -m bench.bench_comments`. Starts the Discord emulator (devtools/emulator)
and the real bot with the comments cog, declares three challenge threads, injects 20,000
MESSAGE_CREATE events through the emulator's gateway as fast as it can, and measures
comments recorded per second from the first event sent to the last row committed. In the
same run it measures the raw aiosqlite single-row autocommit insert rate on the same schema
(a fresh database) for comparison, and prints the peak RSS.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/bench_comments.py` as well as `-m`
    sys.path.insert(0, str(ROOT))

from bench.scenario import declare_series, now, open_thread  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.store import Database  # noqa: E402
from bot.store.comments import CommentStore  # noqa: E402
from bot.store.timestamps import to_db as iso  # noqa: E402
from devtools.emulator.server import Emulator  # noqa: E402

MESSAGES = 20_000
RAW_INSERTS = 20_000
THREADS = 3
TIMEOUT = 300.0
MIN_RATE = 2_000.0
MIN_SHARE_OF_RAW = 0.30

RAW_INSERT = (
    "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, author_name, "
    "content, attachments, reply_to, created_at, edited_at, deleted, reactions) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, '[]', NULL, ?, NULL, 0, 0)"
)


def peak_rss_mb() -> float:
    kilobytes = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kilobytes / 1024


async def raw_insert_rate(directory: Path, count: int = RAW_INSERTS) -> float:
    """Single-row autocommit INSERTs through aiosqlite into a fresh database."""
    db = Database(directory / "raw.sqlite3")
    await db.open()
    try:
        created = iso(now())
        started = time.perf_counter()
        for i in range(count):
            await db.conn.execute(
                RAW_INSERT, (10**15 + i, 1, 1, 7, i % 500, "member", f"reply number {i}", created)
            )
        return count / (time.perf_counter() - started)
    finally:
        await db.close()


async def client_rate(directory: Path, count: int = MESSAGES) -> dict[str, Any]:
    """Messages per second from the first MESSAGE_CREATE sent to the last row committed."""
    from bot.bot import ChallengeBot

    emulator = Emulator()
    await emulator.start()
    bot: ChallengeBot | None = None
    task: asyncio.Task[None] | None = None
    try:
        days = [open_thread(emulator, day, now()) for day in range(1, THREADS + 1)]
        database = directory / "bot.sqlite3"
        await declare_series(database, int(emulator.guild_id), days)
        threads = [day.thread_id for day in days]
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            discord_token=emulator.world.token,
            discord_api_url=emulator.api_url,
            discord_gateway_url=emulator.gateway_url,
            guild_id=int(emulator.guild_id),
            database_path=database,
        )
        bot = ChallengeBot(settings, extensions=("cogs.comments",), guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(emulator.world.token))
        await asyncio.wait_for(bot.wait_until_ready(), timeout=20)
        service = bot.get_cog("Comments").service  # type: ignore[union-attr]
        await service.wait_backfill()
        store = CommentStore(bot.db)

        world = emulator.world
        authors = [emulator.member(n).id for n in ("amina", "youssef", "karim", "salma", "omar")]
        messages = []
        for i in range(count):  # built beforehand: what a member's client would have sent
            stored = world.new_message(
                threads[i % THREADS], authors[i % len(authors)], content=f"reply number {i}"
            )
            messages.append(world.store_message(stored))
        payloads = [emulator.messages.payload(m) for m in messages]

        # Straight into the bot's session: `emulator.dispatch` deep-copies every payload for
        # each session (Discord's own work, not the bot's), which would dominate the timing.
        (session,) = emulator.gateway.connected_sessions
        started = time.perf_counter()
        for payload in payloads:
            emulator.gateway._dispatch_to(session, "MESSAGE_CREATE", payload)
        sent = time.perf_counter() - started
        async with asyncio.timeout(TIMEOUT):
            while await store.count() < count:  # noqa: ASYNC110 - rows on disk are the measure
                await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        if task.done():
            raise RuntimeError(f"the bot's gateway task ended: {task.exception()!r}")
        return {
            "messages": count,
            "seconds": elapsed,
            "rate": count / elapsed,
            "dispatch_seconds": sent,
            "transactions": service.writer.batches,
        }
    finally:
        if bot is not None:
            await bot.close()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        await emulator.stop()


async def _run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        raw = await raw_insert_rate(directory)
        client = await client_rate(directory)
    share = client["rate"] / raw
    return {
        "client": client,
        "raw_insert_rate": raw,
        "share_of_raw": share,
        "peak_rss_mb": peak_rss_mb(),
        "targets": {
            f"≥ {MIN_RATE:,.0f} comments/s": client["rate"] >= MIN_RATE,
            f"≥ {MIN_SHARE_OF_RAW:.0%} of the raw insert rate": share >= MIN_SHARE_OF_RAW,
        },
    }


def run() -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    return asyncio.run(_run())


def main() -> int:
    result = run()
    client = result["client"]
    print(f"Comments through the real client: {client['messages']:,} in {client['seconds']:.2f}s")
    print(f"  recorded per second:        {client['rate']:,.0f}")
    print(f"  (events handed to the emulator's gateway in {client['dispatch_seconds']:.2f}s)")
    print(f"  write transactions:         {client['transactions']:,}")
    print(f"Raw aiosqlite autocommit insert: {result['raw_insert_rate']:,.0f} rows/s")
    print(f"Client rate / raw rate:          {result['share_of_raw']:.0%}")
    print(f"Peak RSS:                        {result['peak_rss_mb']:.0f} MiB")
    for name, passed in result["targets"].items():
        print(f"  {'PASS' if passed else 'FAIL'}  {name}")
    return 0 if all(result["targets"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
