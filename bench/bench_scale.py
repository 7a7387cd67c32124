"""Scale: many servers each running the series, on one process and on two.

Run: `.venv/bin/python -m bench scale` (`--quick`: 50 servers). The emulator holds N servers
(1,000 by default, `SERVERS`), made with `Emulator.add_guild`, alternating between the two
shards of SHARD_COUNT=2, with Discord's real REST limits switched on (`RateLimits.enforce()`:
5 messages per 5 s per channel, 50 requests/s per other route and globally; over a limit the emulator answers 429). Before the
bot starts, each server's series is seeded in the database the way `/challenge channel`
leaves it: the challenge channel in `guild_settings` (the series definition's key of
CHANNEL_KEY) and the series' run (`SeriesStore.add_run`), so the bot starts every server
(`served_guilds`): it plans its day rows (one history read per channel to adopt earlier
posts) and sets its wake-up. The series has one day (a copy of data/challenges with day 1
only), due in every server at the same moment, SERIES_START, set far enough after the spawn
that every server has started first.

Three runs, each with a fresh emulator and database: one `python -m bot run` process on SQLite,
one process on PostgreSQL, and two processes on PostgreSQL (SHARD_COUNT=2, SHARD_IDS=0 / 1).

- start-up: spawn → `Logged in as` in every process and a day row in every server (polled);
- peak RSS: VmHWM of the bot process (the largest of the processes);
- posts/s: servers ÷ (first REST call of a day post → last call of the last server's post:
  message, thread, opening question); "due → all posted" from SERIES_START;
- exactly once: one day-1 thread in each server's channel, the day `posted` in every row and
  one "Posted day 1" log line per server, from the process that owns the server's shard;
- rate limits: 429 answers by scope (a route bucket exhausted, the global limit), and other
  refused requests (401/403/404/400).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure
from bench.scenario import SERIES_DIR, BotUnderTest, bot_settings
from bot.series.config import CHANNEL_KEY
from bot.series.definition import default_definition
from bot.series.loader import load_day
from bot.settings import Settings
from bot.store import GuildSettingsStore, database_at
from bot.store.series import SeriesStore
from devtools.emulator.server import Emulator
from devtools.postgres import TemporaryPostgres

NAME = "scale"
SERVERS = 1_000
QUICK_SERVERS = 50
SHARDS = 2
POSTED_LINE = "Posted day 1 of "
MAX_STARTUP_SECONDS = 60.0
REST_PER_SECOND = 45  # the bot's REST_REQUESTS_PER_SECOND (default), shared by its processes


def start_margin(servers: int) -> float:
    """Seconds from the spawn to SERIES_START: enough for every server to start first.

    Start-up is bound by one channel-history read per server, at REST_REQUESTS_PER_SECOND
    for the whole bot whatever the number of processes (the bot does not ask the servers'
    member lists at start-up), plus the gateway's GUILD_CREATE per server."""
    return 15.0 + 1.5 * servers / REST_PER_SECOND


@dataclass
class Server:
    guild_id: int
    channel_id: int
    shard: int  # of SHARD_COUNT=2


@dataclass
class Outcome:
    """What one run measured."""

    label: str
    servers: int
    processes: int
    startup: float = 0.0  # spawn → every process ready and every server started
    started: int = 0  # servers with their day row (planned by the bot)
    started_before_due: bool = False
    peak_rss_mib: float = 0.0
    first_post: float = 0.0  # monotonic
    last_post: float = 0.0
    due_to_done: float = 0.0
    spawn_to_done: float = 0.0
    posted_once: int = 0  # servers with exactly one day-1 thread, row posted, one log line
    wrong_process: int = 0  # posts logged by a process not owning the server's shard
    refused: Counter[str] = field(default_factory=Counter)
    errors: int = 0  # ERROR records (or tracebacks) in the bots' logs

    @property
    def rate(self) -> float:
        took = self.last_post - self.first_post
        return self.servers / took if took > 0 else 0.0


def one_day_series(folder: Path) -> Path:
    """A copy of data/challenges with day 1 only."""
    target = folder / "days-1"
    target.mkdir()
    for path in SERIES_DIR.glob("*.md"):
        day, _ = load_day(path)
        if day is not None and day.number == 1:
            shutil.copy(path, target / path.name)
    return target


def build_servers(emulator: Emulator, count: int) -> list[Server]:
    """`count` servers like the default one, alternating between the two shards."""
    servers = []
    channels = emulator.world.channels
    for i in range(count):
        guild_id = emulator.add_guild(f"Data Science Club {i}", shard=(i % SHARDS, SHARDS))
        channel = next(
            c["id"]
            for c in reversed(channels.values())
            if c["name"] == "challenges" and c["guild_id"] == guild_id
        )
        servers.append(Server(int(guild_id), int(channel), i % SHARDS))
    return servers


async def seed(location: str, settings: Settings, servers: list[Server]) -> None:
    """What `/challenge channel` stores in each server before it plans: the channel and the
    series' run (the bot then starts every server with a run)."""
    definition = default_definition(settings)
    db = database_at(location)
    await db.open()
    try:
        overrides, store = GuildSettingsStore(db), SeriesStore(db)
        at = datetime.now(UTC)
        for server in servers:
            await overrides.set(
                server.guild_id, definition.key(CHANNEL_KEY), str(server.channel_id)
            )
            await store.add_run(server.guild_id, definition.id, at=at)
    finally:
        await db.close()


async def count(location: str, sql: str) -> int:
    """One number from the bot's database, read beside the running bot."""
    if location.startswith("postgresql://"):
        import asyncpg

        connection = await asyncpg.connect(location)
        try:
            return int(await connection.fetchval(sql))
        finally:
            await connection.close()
    reader = sqlite3.connect(f"file:{location}?mode=ro", uri=True, timeout=5)
    try:
        return int(reader.execute(sql).fetchone()[0])
    finally:
        reader.close()


async def wait_until(check: Any, timeout: float, bots: list[BotUnderTest]) -> float | None:  # noqa: ASYNC109
    """Poll `check()` (async) every 50 ms; the monotonic time it became true, None if it
    did not within `timeout` (the figures then say what is missing)."""
    deadline = time.monotonic() + timeout
    while not await check():
        for bot in bots:
            popen = bot.process.process
            if popen is not None and popen.poll() is not None:
                raise RuntimeError(f"a bot process exited with {popen.returncode}:\n{bot.log()}")
        if time.monotonic() > deadline:
            return None
        await asyncio.sleep(0.05)
    return time.monotonic()


@contextlib.asynccontextmanager
async def running(bots: list[BotUnderTest]) -> AsyncIterator[None]:
    try:
        for bot in bots:
            bot.start()
        yield
    finally:
        for bot in bots:
            await bot.stop()


def refusals(emulator: Emulator) -> Counter[str]:
    """The bot's refused requests: 429 by scope, other error statuses by status."""
    found: Counter[str] = Counter()
    for call in emulator.recorder.rest():
        if call.status == 429:
            body = call.response if isinstance(call.response, dict) else {}
            found["429 global" if body.get("global") else "429 route"] += 1
        elif call.status >= 400:
            found[str(call.status)] += 1
    return found


def post_times(emulator: Emulator, servers: list[Server]) -> tuple[float, float]:
    """First and last successful REST call of the day posts (the channel and its threads)."""
    world = emulator.world
    challenge = {str(s.channel_id) for s in servers}
    day_channels = set(challenge) | {
        t["id"] for t in world.channels.values() if t.get("parent_id") in challenge
    }
    times = [
        call.time
        for call in emulator.recorder.rest()
        if call.method in ("POST", "PATCH", "PUT")
        and call.path.startswith("/channels/")
        and call.path.split("/")[2] in day_channels
        and 200 <= call.status < 300
    ]
    return (min(times), max(times)) if times else (0.0, 0.0)


def posted_once(
    emulator: Emulator, servers: list[Server], bots: list[BotUnderTest], shards: list[int | None]
) -> tuple[int, int]:
    """(servers whose day 1 is there exactly once, posts logged by the wrong process)."""
    threads: Counter[str] = Counter(
        t["parent_id"] for t in emulator.world.channels.values() if t.get("parent_id")
    )
    logs = [bot.log() for bot in bots]
    lines: Counter[int] = Counter()
    wrong = 0
    for log, shard in zip(logs, shards, strict=True):
        for line in log.splitlines():
            if POSTED_LINE in line and "in server " in line:
                guild = int(line.split("in server ", 1)[1].split()[0])
                lines[guild] += 1
                owner = (guild >> 22) % SHARDS
                if shard is not None and owner != shard:
                    wrong += 1
    once = sum(1 for s in servers if threads[str(s.channel_id)] == 1 and lines[s.guild_id] == 1)
    return once, wrong


async def measure(
    label: str,
    servers_count: int,
    folder: Path,
    *,
    database_url: str | None,
    shards: list[int | None],
    margin: float,
) -> Outcome:
    """One run: a fresh emulator with `servers_count` servers, the database seeded, the bot
    processes (`shards`: [None] = one unsharded process; [0, 1] = one per shard of two)."""
    work = folder / label.replace(" ", "-")
    work.mkdir()
    days = one_day_series(work)
    emulator = Emulator()
    await emulator.start()
    try:
        servers = build_servers(emulator, servers_count)
        emulator.rate_limits.enforce()  # Discord's limits: 429 when over
        location = database_url or str(work / "bot.sqlite3")
        due = datetime.now(UTC) + timedelta(seconds=margin)
        bots = []
        for shard in shards:
            home = work / f"process-{shard if shard is not None else 'all'}"
            home.mkdir()
            sharding: dict[str, Any] = {}
            if shard is not None:
                sharding = {"shard_count": SHARDS, "shard_ids": str(shard)}
            settings = bot_settings(
                emulator,
                work / "bot.sqlite3",
                guild_id=None,
                challenge_channel_id=None,
                database_url=database_url,
                series_dir=days,
                series_start=due.isoformat(),
                series_interval=timedelta(days=1),
                **sharding,
            )
            bots.append(BotUnderTest(emulator, settings, home))
        await seed(location, bots[0].process.settings, servers)
        outcome = Outcome(label, servers_count, len(bots))
        due_mono = time.monotonic() + (due - datetime.now(UTC)).total_seconds()
        async with running(bots):
            spawned = min(bot.spawned_at for bot in bots)

            async def started() -> bool:
                if not all("Logged in as" in bot.log() for bot in bots):
                    return False
                return await count(location, "SELECT count(*) FROM series_days") >= servers_count

            ready = await wait_until(started, margin + 30, bots)
            outcome.startup = (ready or time.monotonic()) - spawned
            outcome.started_before_due = ready is not None and ready < due_mono
            sql = "SELECT count(DISTINCT guild_id) FROM series_days"
            outcome.started = await count(location, sql)

            async def all_posted() -> bool:
                sql = "SELECT count(*) FROM series_days WHERE state = 'posted'"
                return await count(location, sql) >= servers_count

            left = max(0.0, due_mono - time.monotonic())
            # a post that failed is tried again 1 min later
            found = await wait_until(all_posted, left + 150 + servers_count / 5, bots)
            done = found or time.monotonic()
            await asyncio.sleep(1.5)  # a duplicate would show up now
            outcome.peak_rss_mib = max(bot.status("VmHWM") for bot in bots) / 1024
            outcome.due_to_done = done - due_mono
            outcome.spawn_to_done = done - spawned
            outcome.first_post, outcome.last_post = post_times(emulator, servers)
            outcome.posted_once, outcome.wrong_process = posted_once(
                emulator, servers, bots, shards
            )
            outcome.refused = refusals(emulator)
            problems = [line for bot in bots for line in bot.process.error_records()]
            outcome.errors = len(problems)
            print(f"[bench] scale: {label}: refused {dict(outcome.refused)}", file=sys.stderr)
            for line in problems[:3]:  # the figure counts them; say what they were
                print(f"[bench] scale: {label}: {line.splitlines()[0][:300]}", file=sys.stderr)
        return outcome
    finally:
        await emulator.stop()


def figures(outcome: Outcome, *, full: bool) -> list[Figure]:
    """The figures of one run; `full`: also start-up, memory and rate limits."""
    what = f"{outcome.servers:,} servers, {outcome.label}"
    result = []
    if full:
        result += [
            Figure.check(
                NAME,
                f"{what}: spawn → ready and every series started",
                outcome.startup,
                "s",
                "<=",
                MAX_STARTUP_SECONDS,
            ),
            Figure.check(
                NAME,
                f"{what}: every series started before day 1 was due (1 = yes)",
                float(outcome.started_before_due),
                "",
                ">=",
                1,
            ),
            Figure.check(
                NAME,
                f"{what}: servers never started (no day row)",
                outcome.servers - outcome.started,
                "",
                "<=",
                0,
            ),
            Figure(NAME, f"{what}: bot process peak RSS (VmHWM)", outcome.peak_rss_mib, "MiB"),
        ]
    result += [
        Figure(NAME, f"{what}: day-1 posts per second, all due at once", outcome.rate, "/s"),
        Figure(NAME, f"{what}: due → every server posted", outcome.due_to_done, "s"),
        Figure(NAME, f"{what}: wall time, spawn → every server posted", outcome.spawn_to_done, "s"),
        Figure.check(
            NAME,
            f"{what}: servers whose day 1 was not posted exactly once",
            outcome.servers - outcome.posted_once + outcome.wrong_process,
            "",
            "<=",
            0,
        ),
    ]
    if full:
        refused = outcome.refused
        others = sum(n for key, n in refused.items() if not key.startswith("429"))
        result += [
            Figure.check(
                NAME,
                f"{what}: requests made on an exhausted route bucket (429)",
                refused["429 route"],
                "",
                "<=",
                0,
            ),
            Figure.check(
                NAME,
                f"{what}: requests over the global limit, 50/s (429)",
                refused["429 global"],
                "",
                "<=",
                0,
            ),
            Figure.check(NAME, f"{what}: other refused requests (4xx)", others, "", "<=", 0),
            Figure.check(
                NAME,
                f"{what}: ERROR records in the log (e.g. a post given up after 429s)",
                outcome.errors,
                "",
                "<=",
                0,
            ),
        ]
    return result


RUNS: tuple[tuple[str, bool, list[int | None]], ...] = (
    ("one process, SQLite", False, [None]),
    ("one process, PostgreSQL", True, [None]),
    ("two processes (2 shards), PostgreSQL", True, [0, 1]),
)


async def measure_all(servers: int, folder: Path) -> list[Outcome]:
    outcomes = []
    with TemporaryPostgres() as postgres:
        for index, (label, on_postgres, shards) in enumerate(RUNS):
            url = postgres.create_database(f"scale_{index}") if on_postgres else None
            margin = start_margin(servers)
            print(f"[bench] scale: {label}, due {margin:.0f}s after the spawn", file=sys.stderr)
            outcomes.append(
                await measure(
                    label, servers, folder, database_url=url, shards=shards, margin=margin
                )
            )
    return outcomes


def run(quick: bool = False) -> list[Figure]:
    servers = QUICK_SERVERS if quick else SERVERS
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as folder:
        outcomes = asyncio.run(measure_all(servers, Path(folder)))
    result: list[Figure] = []
    for outcome in outcomes:
        result += figures(outcome, full=True)
    single, double = outcomes[1], outcomes[2]
    if single.rate > 0:
        result.append(
            Figure(
                NAME,
                "posts per second, two processes ÷ one (PostgreSQL)",
                double.rate / single.rate,
                "x",
            )
        )
    return result


if __name__ == "__main__":
    from bench.report import format_table

    print(format_table(run()))
