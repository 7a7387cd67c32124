"""What the end-to-end benchmarks share: the emulator with a running challenge series, a
database that declares it, and the real bot as a `python -m bot run` subprocess.

The bot runs in its own process (as in production, where Discord is on the other side of a
network) so the emulator and the load generators don't steal its event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import re
import sqlite3
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.settings import Settings
from bot.store import Database
from bot.store.timestamps import to_db as iso
from devtools.emulator.ids import DISCORD_EPOCH_MS
from devtools.emulator.runner import REPO, BotProcess
from devtools.emulator.server import Emulator

SERIES_DIR = REPO / "data" / "challenges"
KEYWORDS_DIR = REPO / "data" / "keywords"
HISTORY_ROUTE = "/channels/{channel_id}/messages"

_VOCABULARY = (
    "model data training accuracy loss gradient network layer attention transformer dataset "
    "feature bias fairness Morocco Casablanca Rabat students farmers hospital clinic energy "
    "solar wind water irrigation prediction classification regression cluster embedding token "
    "language Darija Amazigh French Arabic privacy consent evaluation benchmark deployment "
    "cloud edge phone offline latency cost open-source community mentor idea prototype"
)
WORDS = _VOCABULARY.split()


@dataclass(frozen=True, slots=True)
class ChallengeThread:
    day: int
    thread_id: str
    posted_at: datetime


def sentence(rng: random.Random, low: int = 6, high: int = 60) -> str:
    """A plausible reply: a few dozen words from the challenge vocabulary."""
    text = " ".join(rng.choices(WORDS, k=rng.randint(low, high)))
    return text[0].upper() + text[1:] + rng.choice((".", "!", "?", " :)"))


def snowflake(moment: datetime, sequence: int = 0) -> int:
    """A Discord id for a moment (`sequence` keeps ids of the same millisecond apart)."""
    return ((int(moment.timestamp() * 1000) - DISCORD_EPOCH_MS) << 22) | (sequence & 0x3FFFFF)


def open_thread(
    emulator: Emulator, day: int, posted_at: datetime, *, archived: bool = False
) -> ChallengeThread:
    """Day `day`'s post in #challenges, its thread and the bot's opening question in it."""
    world = emulator.world
    bot_id = world.application_id
    challenges = emulator.channel("challenges")["id"]
    post = world.new_message(challenges, bot_id, content=f"**Day {day}**", at=posted_at)
    world.store_message(post)
    thread = world.add_thread(
        challenges, f"Day {day} discussion", owner_id=bot_id, thread_id=post.id
    )
    world.add_thread_member(thread["id"], bot_id)
    opening = world.new_message(
        thread["id"],
        bot_id,
        content="What would you build?",
        at=posted_at + timedelta(seconds=1),
    )
    world.store_message(opening)
    if archived:
        thread["thread_metadata"]["archived"] = True
    return ChallengeThread(day, str(thread["id"]), posted_at)


async def declare_series(database: Path, guild_id: int, threads: list[ChallengeThread]) -> None:
    """Create the database (migrations) and record these days as posted by the series."""
    series_id = Settings.model_fields["series_id"].default
    db = Database(database)
    await db.open()
    try:
        async with db.transaction() as conn:
            for thread in threads:
                await conn.execute(
                    "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
                    "message_id, thread_id, posted_at, answer_state) "
                    "VALUES (?, ?, ?, ?, ?, 'posted', ?, ?, ?, 'none')",
                    (
                        guild_id,
                        series_id,
                        thread.day,
                        f"Day {thread.day}",
                        iso(thread.posted_at),
                        int(thread.thread_id),
                        int(thread.thread_id),
                        iso(thread.posted_at),
                    ),
                )
    finally:
        await db.close()


@contextlib.contextmanager
def clean_environment() -> Iterator[None]:
    """The developer's DISCORD_*/SERIES_*/... variables must not leak into bench settings."""
    names = [n.upper() for n in Settings.model_fields]
    saved = {n: os.environ.pop(n) for n in names if n in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def bot_settings(emulator: Emulator, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "discord_token": emulator.world.token,
        "discord_api_url": emulator.api_url,
        "discord_gateway_url": emulator.gateway_url,
        "guild_id": int(emulator.guild_id),
        "challenge_channel_id": emulator.channel_id("challenges"),
        "database_path": database,
        "series_dir": SERIES_DIR,
        "keywords_dir": KEYWORDS_DIR,
        "log_level": "INFO",
    }
    values.update(overrides)
    with clean_environment():
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class BotUnderTest:
    """The bot as a subprocess, with its log, its timings and its memory."""

    def __init__(self, emulator: Emulator, settings: Settings, workdir: Path) -> None:
        self.emulator = emulator
        self.process = BotProcess(emulator, settings, workdir)
        self.spawned_at = 0.0  # time.monotonic(), comparable with the recorder's times
        self._log_offset = 0

    @property
    def pid(self) -> int:
        assert self.process.process is not None
        return self.process.process.pid

    def start(self) -> None:
        path = self.process.log_path
        self._log_offset = path.stat().st_size if path.exists() else 0
        self.spawned_at = time.monotonic()
        self.process.start()

    def log(self) -> str:
        """This run's log (the file is shared by restarts)."""
        return self.process.log()[self._log_offset :]

    async def wait_log(self, pattern: str, timeout: float = 60.0) -> float:  # noqa: ASYNC109
        """Seconds from spawn until a log line matches `pattern` (polled every 5 ms)."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            if regex.search(self.log()):
                return time.monotonic() - self.spawned_at
            popen = self.process.process
            if popen is not None and popen.poll() is not None:
                raise RuntimeError(f"the bot exited with {popen.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"no log line matching {pattern!r} in {timeout}s:\n{self.log()}")
            await asyncio.sleep(0.005)

    async def wait_ready(self, timeout: float = 60.0) -> float:  # noqa: ASYNC109
        """Until on_ready ran (discord.py waits guild_ready_timeout after the guilds)."""
        return await self.wait_log(r"Logged in as", timeout)

    async def wait_backfilled(self, timeout: float = 120.0) -> float:  # noqa: ASYNC109
        return await self.wait_log(r"Comment backfill", timeout)

    def status(self, field: str) -> int:
        """A /proc/<pid>/status field in KiB (VmHWM: peak resident set, VmRSS: current)."""
        text = Path(f"/proc/{self.pid}/status").read_text()
        match = re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"no {field} in /proc/{self.pid}/status")
        return int(match.group(1))

    async def stop(self) -> None:
        """SIGTERM, then SIGKILL if it lingers; wait for the emulator to see the socket go."""
        popen = self.process.process
        if popen is None or popen.poll() is not None:
            return
        self.process.terminate()
        try:
            await self.process.wait(timeout=10)
        except AssertionError:
            self.process.kill()
            await self.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while self.emulator.gateway.connections and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


@contextlib.asynccontextmanager
async def emulated_discord() -> AsyncIterator[tuple[Emulator, Path]]:
    """A started emulator and a scratch directory, both cleaned up afterwards."""
    emulator = Emulator()
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            yield emulator, Path(folder)
    finally:
        await emulator.stop()


def count_rows(database: Path, table: str = "comments") -> int:
    """Rows in a table, read beside the running bot (WAL lets readers in)."""
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        return int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        connection.close()


def history_requests(emulator: Emulator, thread_ids: set[str]) -> dict[str, int]:
    """GET /channels/{id}/messages calls the bot made, per thread."""
    counts = dict.fromkeys(thread_ids, 0)
    for call in emulator.recorder.rest("GET", HISTORY_ROUTE):
        channel = call.path.split("/")[2]
        if channel in counts:
            counts[channel] += 1
    return counts


def now() -> datetime:
    return datetime.now(UTC)


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (0.0 for no samples)."""
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
