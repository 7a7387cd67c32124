"""The bot's state on SQLite and on PostgreSQL, side by side: the same stores, the same work.

- ingest: comments written through `CommentStore.apply` in batches of 200 (what the write
  queue does under a burst), rows per second;
- reads: the queries members trigger most (`/stats` day totals, `/leaderboard`
  participants, a `/comments day` page, a stored day), p50/p99 over repeated calls;
- claims: posting claims of 12 days by two database handles racing (two processes), claims
  per second, and the number of days claimed twice (must be 0).

PostgreSQL is a throwaway local cluster (devtools/postgres.py) with fsync off, like the tests:
the figures compare the code paths, not durable disks.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.report import Figure
from bot.comments.model import Comment, Record
from bot.series.model import ChallengeDay
from bot.store import SqlDatabase, database_at
from bot.store.comments import CommentStore
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from devtools.postgres import TemporaryPostgres

BENCH = "backends"
GUILD = 1_300_000_000_000_000_001
T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def _comment(message_id: int) -> Comment:
    day = message_id % 12 + 1
    return Comment(
        guild_id=GUILD,
        day=day,
        thread_id=900 + day,
        message_id=message_id,
        author_id=message_id % 300,
        author_name=f"member {message_id % 300}",
        content=f"reply {message_id}: what machine learning could do for our farms",
        attachments=(),
        reply_to=None,
        created_at=T0 + timedelta(seconds=message_id),
        edited_at=None,
        deleted=False,
        reactions=message_id % 4,
        series="s",
    )


async def _timed(call: Callable[[], Awaitable[object]], times: int) -> tuple[float, float]:
    took = []
    for _ in range(times):
        started = time.perf_counter()
        await call()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.99))]


async def _one(kind: str, location: str, comments: int, reads: int) -> list[Figure]:
    db = database_at(location)
    await db.open()
    try:
        store = CommentStore(db)
        started = time.perf_counter()
        for first in range(1, comments + 1, 200):
            ops = [Record(_comment(i)) for i in range(first, min(first + 200, comments + 1))]
            await store.apply(ops)
        rate = comments / (time.perf_counter() - started)
        figures = [Figure(BENCH, f"{kind}: ingest, batches of 200", rate, "/s")]
        members, series = MemberStore(db), SeriesStore(db)
        await series.sync_plan(
            GUILD, "s", [(_day(n), T0 + timedelta(days=n)) for n in range(1, 13)]
        )
        queries: dict[str, Callable[[], Awaitable[object]]] = {
            "day totals (/stats)": lambda: store.day_totals(GUILD, "s"),
            "participants (/leaderboard)": lambda: members.participants(GUILD, "s"),
            "a page of a day (/comments day)": lambda: store.newest(GUILD, "s", 3, limit=5),
            "a stored day": lambda: series.get_day(GUILD, "s", 5),
        }
        for name, call in queries.items():
            p50, p99 = await _timed(call, reads)
            figures.append(Figure(BENCH, f"{kind}: {name} p50", p50, "ms"))
            figures.append(Figure(BENCH, f"{kind}: {name} p99", p99, "ms"))
        figures += await _race(kind, db, location)
        return figures
    finally:
        await db.close()


def _day(number: int) -> ChallengeDay:
    return ChallengeDay(number, f"Day {number}", "", "", (), (), (), None)


async def _race(kind: str, db: SqlDatabase, location: str) -> list[Figure]:
    """Two handles (two processes) claim the same 12 days of 50 servers at once."""
    other = database_at(location)
    await other.open()
    try:
        plan = [(_day(n), T0 + timedelta(days=n)) for n in range(1, 13)]
        servers = range(1, 51)
        for guild in servers:
            await SeriesStore(db).sync_plan(guild, "s", plan)
        started = time.perf_counter()
        claims = [
            SeriesStore(handle).claim(guild, "s", day, nonce=f"{side}{guild}-{day}", channel_id=1)
            for guild in servers
            for day in range(1, 13)
            for side, handle in (("a", db), ("b", other))
        ]
        won = await asyncio.gather(*claims)
        took = time.perf_counter() - started
        twice = sum(1 for i in range(0, len(won), 2) if won[i] and won[i + 1])
        return [
            Figure(BENCH, f"{kind}: racing claims", len(claims) / took, "/s"),
            Figure.check(BENCH, f"{kind}: days claimed twice", twice, "", "<=", 0),
        ]
    finally:
        await other.close()


def run(quick: bool) -> list[Figure]:
    comments, reads = (2_000, 30) if quick else (50_000, 200)
    with tempfile.TemporaryDirectory() as folder, TemporaryPostgres() as server:
        sqlite = str(Path(folder) / "bench.sqlite3")
        postgres = server.create_database("bench")
        figures = asyncio.run(_one("SQLite", sqlite, comments, reads))
        figures += asyncio.run(_one("PostgreSQL", postgres, comments, reads))
    figures.append(Figure(BENCH, "comments stored per backend", comments, ""))
    return figures
