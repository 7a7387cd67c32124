"""The crash test: an accelerated series run by `python -m bot run` subprocesses that are
SIGKILLed at random moments while members keep replying in the day threads.

Each life of the bot ends in one of two ways, chosen by a seeded `random.Random`:
- "timed": SIGKILL at a random moment after the process starts (during start-up, catch-up,
  backfill, posting or idling);
- "on-write": SIGKILL from inside the emulator the moment the bot's k-th write request
  arrives, so Discord applies it but the bot never learns the result (the window between
  "sent" and "recorded" that the publisher's nonce/marker adoption exists for); a life with
  no such write within `max_life` seconds is killed anyway ("idle").

Afterwards one last life runs to the end and `verify_channel()` and `verify_comments()` check: every day posted exactly
once, one thread each, each expert answer exactly once per thread, and every member
message recorded exactly once in the comments table.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import random
import re
import shutil
import sqlite3
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from bot.i18n import ENGLISH
from bot.rendering.days import render_answers, render_day, render_thread_opening, thread_name
from bot.series.loader import load_day, load_series
from bot.series.model import Series
from bot.store.dialect import postgres_statement
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import REPO, BotProcess

SHIPPED_DAYS = REPO / "data" / "challenges"
MEMBERS = ("amina", "youssef", "karim", "salma", "omar")
WRITES = re.compile(r"^/channels/\d+/(messages|threads|messages/\d+/threads)$")
SECOND_ID = "topic-week"  # the second series of the two-series crash test
_TIMESTAMP = re.compile(r"<t:-?\d+(?::[tTdDfFR])?>")


def first_days(target: Path, count: int) -> Path:
    """A copy of the shipped series with only days 1..count."""
    target.mkdir(parents=True, exist_ok=True)
    for path in SHIPPED_DAYS.glob("*.md"):
        day, _ = load_day(path)
        if day is not None and day.number <= count:
            shutil.copy(path, target / path.name)
    return target


@dataclass
class CrashReport:
    seed: int
    kills: list[str] = field(default_factory=list)  # "timed 1.83s (…)", "on-write #2", "idle …"
    member_messages: int = 0
    comments: int = 0
    day_posts: int = 0
    threads: int = 0
    answers: int = 0
    recaps: int = 0
    seconds: float = 0.0
    log_errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = Counter(k.split()[0] for k in self.kills)
        return [
            f"seed {self.seed}: {len(self.kills)} SIGKILLs ({kinds['timed']} at a random "
            f"moment, {kinds['on-write']} on a write, {kinds['idle']} idle) "
            f"in {self.seconds:.1f}s",
            f"day posts {self.day_posts}, threads {self.threads}, expert answer messages "
            f"{self.answers}, recaps {self.recaps}",
            f"member messages {self.member_messages}, comments recorded {self.comments}",
            *(f"  kill {i + 1}: {k}" for i, k in enumerate(self.kills)),
        ]


class Repliers:
    """Members replying in whichever day threads exist, every `every` seconds."""

    def __init__(
        self,
        emulator: Emulator,
        names: set[str],
        rng: random.Random,
        every: float,
        channels: tuple[str, ...] = ("challenges",),
    ) -> None:
        self.emulator = emulator
        self.names = names
        self.channels = channels
        self.rng = rng
        self.every = every
        self.posted: list[dict[str, Any]] = []
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="repliers")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    async def _run(self) -> None:
        members = [self.emulator.member(name) for name in MEMBERS]
        while not self._stop.is_set():
            threads = [
                t
                for channel in self.channels
                for t in day_threads(self.emulator, self.names, channel)
            ]
            if threads:
                thread = self.rng.choice(threads)
                earlier = [m for m in self.posted[-20:] if m["channel_id"] == thread["id"]]
                reply_to = self.rng.choice(earlier) if earlier and self.rng.random() < 0.3 else None
                text = f"reply {len(self.posted)} in {thread['name']}"
                message = await self.rng.choice(members).says(
                    thread["id"], text, reply_to=reply_to, drain=False
                )
                self.posted.append(message)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=self.every)


def day_threads(
    emulator: Emulator, names: set[str], channel: str = "challenges"
) -> list[dict[str, Any]]:
    """The bot's day threads under a channel, oldest first."""
    found = [
        t
        for t in emulator.threads_of(channel)
        if t.get("owner_id") == emulator.bot_id and t["name"] in names
    ]
    return sorted(found, key=lambda t: int(t["id"]))


class KillOnWrite:
    """An emulator hook: SIGKILL the process when its k-th write request arrives."""

    def __init__(self, emulator: Emulator) -> None:
        self.process: BotProcess | None = None
        self.remaining = 0
        self.fired = asyncio.Event()
        # A zero-second "delay" fault whose condition is the hook; it never delays anything.
        emulator.faults.delay("POST", "*", seconds=0, when=self._seen)

    def arm(self, process: BotProcess, writes: int) -> None:
        self.process, self.remaining = process, writes
        self.fired.clear()

    def disarm(self) -> None:
        self.process, self.remaining = None, 0

    def _seen(self, path: str) -> bool:
        if self.process is not None and self.remaining > 0 and WRITES.match(path):
            self.remaining -= 1
            if self.remaining == 0:
                self.process.kill()  # while the emulator goes on to apply the write
                self.fired.set()
        return False


class DatabaseFile:
    """Read-only look at the bot's state while the bot may be writing it: its SQLite file,
    or its PostgreSQL database (`location` is then the URL)."""

    def __init__(self, location: str | Path) -> None:
        self.location = location

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if isinstance(self.location, str):
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                return pool.submit(asyncio.run, self._postgres(sql, params)).result()
        if not self.location.exists():
            return []
        with contextlib.closing(sqlite3.connect(self.location, timeout=5)) as conn:
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.OperationalError as exc:  # tables not created yet
                if "no such table" in str(exc):
                    return []
                raise

    async def _postgres(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        assert isinstance(self.location, str)
        statement, args = postgres_statement(sql, params)
        connection = await asyncpg.connect(self.location)
        try:
            return [tuple(row) for row in await connection.fetch(statement, *args)]
        except asyncpg.UndefinedTableError:  # tables not created yet
            return []
        finally:
            await connection.close()

    def all_done(self, days: int) -> bool:
        """Every day of every series posted with its answers (`days` rows in all)."""
        rows = self.query("SELECT state, answer_state FROM series_days")
        return len(rows) == days and all(
            state == "posted" and answers in ("posted", "none") for state, answers in rows
        )

    def comment_ids(self) -> list[int]:
        return [row[0] for row in self.query("SELECT message_id FROM comments")]


def comparable(content: str | None) -> str:
    return _TIMESTAMP.sub("<t>", (content or "").strip())


async def run_crash_series(
    emulator: Emulator,
    bot_process: Any,
    tmp_path: Path,
    *,
    days: int,
    kills: int,
    seed: int,
    interval: int = 2,
    answer_delay: int = 1,
    kill_window: tuple[float, float] = (0.3, 6.0),
    on_write_share: float = 0.5,
    max_life: float = 10.0,
    reply_every: float = 0.05,
    finish_timeout: float = 120.0,
    second_series: bool = False,
) -> CrashReport:
    """Run the series with `kills` SIGKILLs, let it finish, verify, return the figures.
    `second_series`: a second series (the same days, its own cadence) runs beside it in
    #general, declared by a series.yml (EXTRA_SERIES_DIRS)."""
    started = time.monotonic()
    # Discord honours a nonce for minutes only; a resend after a crash must not lean on it,
    # so exactly-once here rests on the bot's own adoption of what it had already sent.
    emulator.messages.nonce_window = timedelta(0)
    rng = random.Random(seed)
    series_dir = first_days(tmp_path / "series", days) if days < 12 else SHIPPED_DAYS
    series = load_series(series_dir)
    assert len(series) == days
    # Ahead of the first life's start-up (a few seconds on a busy machine): a start already
    # in the past when the series is first planned would be held for an admin, not posted.
    start = datetime.now(UTC) + timedelta(seconds=6)
    extra: dict[str, Any] = {}
    channels: tuple[str, ...] = ("challenges",)
    if second_series:
        topic = first_days(tmp_path / "topic", days)
        (topic / "series.yml").write_text(
            f"id: {SECOND_ID}\nname: Topic of the Week\n"
            f"channel_id: {emulator.channel_id('general')}\n"
            f"start: '{(start + timedelta(seconds=0.5)).isoformat()}'\n"
            f"interval: {interval + 1}s\nanswer_delay: {answer_delay}s\n",
            encoding="utf-8",
        )
        extra["extra_series_dirs"] = str(topic)
        channels = ("challenges", "general")
    process = bot_process(
        series_dir=series_dir,
        series_start=start.isoformat(),
        series_interval=timedelta(seconds=interval),
        answer_delay=timedelta(seconds=answer_delay),
        **extra,
    )
    names = {thread_name(ENGLISH, day) for day in series}
    repliers = Repliers(emulator, names, random.Random(seed + 1), reply_every, channels)
    hook = KillOnWrite(emulator)
    report = CrashReport(seed)
    first_message_id = int(emulator.world.ids.next())  # everything after this is ours
    repliers.start()
    try:
        writes_first = round(kills * on_write_share)
        modes = ["on-write"] * writes_first + ["timed"] * (kills - writes_first)
        rng.shuffle(modes)
        for mode in modes:
            identified = emulator.gateway.identify_count
            process.start()
            if mode == "on-write":
                writes = rng.randint(1, 4)
                hook.arm(process, writes)
                try:
                    await asyncio.wait_for(hook.fired.wait(), timeout=max_life)
                    how = f"on-write #{writes}"
                except TimeoutError:  # nothing more to write in this life: kill it anyway
                    process.kill()
                    how = f"idle {max_life:.0f}s (no write #{writes} came)"
                hook.disarm()
            else:
                delay = rng.uniform(*kill_window)
                await asyncio.sleep(delay)  # the random moment of the crash
                ready = emulator.gateway.identify_count > identified
                process.kill()
                how = f"timed {delay:.2f}s ({'after identify' if ready else 'during start-up'})"
            code = await process.wait()
            assert code != 0, "the bot exited by itself instead of being killed"
            report.kills.append(how)
        process.start()
        await process.wait_ready(timeout=30)
        db = DatabaseFile(process.settings.database_location)
        await wait_for(
            lambda: db.all_done(days * len(channels)),
            timeout=finish_timeout,
            message=f"the series did not finish:\n{process.log()[-6000:]}",
        )
    finally:
        await repliers.stop()
    # Every member message must reach the database (live, or backfilled after a restart).
    expected = {int(m["id"]) for m in repliers.posted}
    await wait_for(
        lambda: set(db.comment_ids()) >= expected,
        timeout=30,
        message="some member messages were never recorded",
    )
    report.seconds = time.monotonic() - started
    for channel, record in zip(channels, (process.settings.series_id, SECOND_ID), strict=False):
        verify_channel(emulator, series, db, first_message_id, report, channel, record)
    verify_comments(emulator, series, db, repliers.posted, report, channels)
    report.log_errors = [
        line for line in process.log().splitlines() if "ERROR" in line or "Traceback" in line
    ]
    process.terminate()
    return report


def verify_channel(
    emulator: Emulator,
    series: Series,
    db: DatabaseFile,
    first_message_id: int,
    report: CrashReport,
    channel: str,
    record: str,
) -> None:
    """Exactly once in one series' channel; adds to the report's counts."""
    days = len(series)
    ours = [m for m in emulator.bot_messages(channel) if int(m["id"]) > first_message_id]
    marked = [m for m in ours if "\n-# " in m["content"] and "ref " in m["content"]]
    report.day_posts += len(marked)
    assert len(marked) == days, f"{len(marked)} day posts for {days} days in #{channel}"
    titles = Counter(line for m in marked for line in m["content"].splitlines()[:1])
    assert all(count == 1 for count in titles.values()), f"a day posted twice: {titles}"
    parts = sum(
        len(render_day(ENGLISH, day, next_post_at=None, series_name="x", is_last=False))
        for day in series
    )
    assert len(ours) == parts, f"{len(ours)} bot messages in #{channel} for {parts} parts"

    threads = day_threads(emulator, {thread_name(ENGLISH, day) for day in series}, channel)
    report.threads += len(threads)
    assert [t["name"] for t in threads] == [thread_name(ENGLISH, day) for day in series]
    rows = db.query(
        "SELECT day, thread_id, message_id FROM series_days WHERE series = ? ORDER BY day",
        (record,),
    )
    assert [r[1] for r in rows] == [int(t["id"]) for t in threads]
    assert [r[2] for r in rows] == [int(m["id"]) for m in marked]

    for day, thread in zip(series, threads, strict=True):
        said = Counter(comparable(m["content"]) for m in emulator.bot_messages(thread["id"]))
        for part in [*render_thread_opening(ENGLISH, day), *render_answers(day)]:
            count = said[comparable(part.content)]
            assert count == 1, f"day {day.number}: a part was sent {count} times: {part.content!r}"
        report.answers += len(render_answers(day))
        recaps = [
            m
            for m in emulator.bot_messages(thread["id"])
            if any("recap" in (e.get("title") or "") for e in m.get("embeds") or [])
        ]
        # A day is recapped when the next one is posted (the last one an interval later).
        expected = (0, 1) if day.number == days else (1,)
        assert len(recaps) in expected, f"day {day.number} has {len(recaps)} recaps"
        report.recaps += len(recaps)
        stored = db.query(
            "SELECT COUNT(*) FROM comments WHERE thread_id = ? AND series != ?",
            (int(thread["id"]), record),
        )
        assert stored[0][0] == 0, f"day {day.number} of {record}: comments of another series"


def verify_comments(
    emulator: Emulator,
    series: Series,
    db: DatabaseFile,
    posted: list[dict[str, Any]],
    report: CrashReport,
    channels: tuple[str, ...],
) -> None:
    """Every member message recorded exactly once, in its own thread."""
    ids = [int(m["id"]) for m in posted]
    stored = db.comment_ids()
    report.member_messages, report.comments = len(ids), len(stored)
    assert len(set(ids)) == len(ids)
    missing = set(ids) - set(stored)
    extra = set(stored) - set(ids)
    assert not missing, f"{len(missing)} member messages not recorded: {sorted(missing)[:10]}"
    assert not extra, f"{len(extra)} comments that no member posted: {sorted(extra)[:10]}"
    assert len(stored) == len(set(stored)) == len(ids)
    by_thread = Counter(m["channel_id"] for m in posted)
    names = {thread_name(ENGLISH, day) for day in series}
    for channel in channels:
        for thread in day_threads(emulator, names, channel):
            count = db.query(
                "SELECT COUNT(*) FROM comments WHERE thread_id = ?", (int(thread["id"]),)
            )
            assert count[0][0] == by_thread[thread["id"]], f"{thread['name']}: comments"
