"""Slash-command round-trip while the challenge threads are busy.

Run: `.venv/bin/python -m bench roundtrip`. The bot runs as `python -m bot run` against the
emulator with three posted days. A load generator sends MESSAGE_CREATE events into the
three threads at a steady 1,000 per second (members replying), and meanwhile members run
/keyword (a random article name) and /challenge today one after the other. A round-trip is
the time from the emulator queuing INTERACTION_CREATE to the bot's callback arriving at
`POST /interactions/{id}/{token}/callback` (both on the emulator's clock).

Target: p99 ≤ 500 ms, well under Discord's 3 s interaction deadline. The member cooldown
on commands is raised for the run (the same few members run hundreds of commands).
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import timedelta
from typing import Any

from bench.report import Figure
from bench.scenario import (
    KEYWORDS_DIR,
    BotUnderTest,
    bot_settings,
    count_rows,
    declare_series,
    emulated_discord,
    now,
    open_thread,
    percentile,
    sentence,
)
from devtools.emulator.server import Emulator

NAME = "roundtrip"
RATE = 1_000  # MESSAGE_CREATE per second
SECONDS = 20.0
DAYS = 3
MEMBERS = 50
COMMAND_GAP = 0.05  # pause between one member's answer and the next command
MAX_P99_MS = 500.0
CALLBACK = "/interactions/{interaction_id}/{token}/callback"
APOLOGY = "something went wrong"  # bot.bot.CommandTree.on_error's answer
SEED = 11


def keyword_terms() -> list[str]:
    try:
        from bot.keywords.loader import load_articles

        return [name for article in load_articles(KEYWORDS_DIR) for name in article.names]
    except Exception:  # the content is someone else's: any problem, fall back
        return ["deep learning", "machine learning", "transformer", "overfitting"]


class LoadGenerator:
    """Replies sent as gateway events at a steady rate (built beforehand, like a client)."""

    def __init__(self, emulator: Emulator, threads: list[str], authors: list[str], count: int):
        rng = random.Random(SEED)
        world = emulator.world
        self.emulator = emulator
        self.payloads = []
        for i in range(count):
            message = world.new_message(
                threads[i % len(threads)], rng.choice(authors), content=sentence(rng)
            )
            self.payloads.append(emulator.messages.payload(world.store_message(message)))
        self.sent = 0
        self.seconds = 0.0

    async def run(self, rate: float, stop: asyncio.Event) -> None:
        started = time.monotonic()
        while not stop.is_set() and self.sent < len(self.payloads):
            due = min(len(self.payloads), int((time.monotonic() - started) * rate))
            while self.sent < due:
                self.emulator.dispatch("MESSAGE_CREATE", self.payloads[self.sent])
                self.sent += 1
            await asyncio.sleep(0.002)
        self.seconds = time.monotonic() - started


async def commands(
    emulator: Emulator, members: list[str], stop: asyncio.Event, *, limit: int | None = None
) -> tuple[list[str], int]:
    """Run commands one after the other until `stop`; returns interaction ids and failures."""
    rng = random.Random(SEED)
    terms = keyword_terms()
    sent: list[str] = []
    failures = 0
    while not stop.is_set() and (limit is None or len(sent) < limit):
        actor = emulator.member(rng.choice(members))
        line, options = ("keyword", {"term": rng.choice(terms)})
        if len(sent) % 2:
            line, options = "challenge today", {}
        try:
            answer = await actor.runs(line, channel="general", settle=False, **options)
        except AssertionError:  # no answer in 5 s, or Discord refused it
            failures += 1
        else:
            sent.append(answer.record.id)
            failures += APOLOGY in answer.text  # answered, but the command failed
        await asyncio.sleep(COMMAND_GAP)
    return sent, failures


def round_trips(emulator: Emulator, interaction_ids: list[str]) -> list[float]:
    """Seconds from INTERACTION_CREATE queued to the callback received, per interaction."""
    created = {i: emulator.interactions.records[i].created for i in interaction_ids}
    found = []
    for call in emulator.recorder.calls:
        if call.method == "POST" and call.route == CALLBACK:
            interaction_id = call.path.split("/")[2]
            if interaction_id in created:
                found.append(call.time - created.pop(interaction_id))
    return found


async def measure(seconds: float, rate: float) -> dict[str, Any]:
    async with emulated_discord() as (emulator, folder):
        started = now()
        threads = [
            open_thread(emulator, day, started - timedelta(days=DAYS - day, hours=1))
            for day in range(1, DAYS + 1)
        ]
        members = [f"member{i}" for i in range(MEMBERS)]
        authors = [emulator.world.add_member(name)["user"]["id"] for name in members]
        database = folder / "bot.sqlite3"
        await declare_series(database, int(emulator.guild_id), threads)
        settings = bot_settings(emulator, database, command_cooldown_rate=100_000)
        bot = BotUnderTest(emulator, settings, folder)
        bot.start()
        try:
            await bot.wait_backfilled()
            idle_ids, _ = await commands(emulator, members, asyncio.Event(), limit=40)
            idle = round_trips(emulator, idle_ids)

            load = LoadGenerator(
                emulator, [t.thread_id for t in threads], authors, int(seconds * rate)
            )
            stop = asyncio.Event()
            loader = asyncio.create_task(load.run(rate, stop))
            runner = asyncio.create_task(commands(emulator, members, stop))
            await loader
            load_end = time.monotonic()
            stop.set()
            busy_ids, failures = await runner
            busy = round_trips(emulator, busy_ids)
            deadline = load_end + 60
            while count_rows(database) < load.sent and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            lag = time.monotonic() - load_end
            stored = count_rows(database)
        finally:
            await bot.stop()
    return {
        "idle": idle,
        "busy": busy,
        "failures": failures,
        "sent": load.sent,
        "rate": load.sent / load.seconds,
        "stored": stored,
        "lag": lag,
    }


def run(quick: bool = False) -> list[Figure]:
    seconds = 3.0 if quick else SECONDS
    result = asyncio.run(measure(seconds, RATE))
    busy = [s * 1000 for s in result["busy"]]
    idle = [s * 1000 for s in result["idle"]]
    load = f"under {RATE:,} msg/s"
    return [
        Figure(NAME, "round-trip p50, idle", percentile(idle, 0.5), "ms"),
        Figure(NAME, "message load achieved (MESSAGE_CREATE/s to threads)", result["rate"], "/s"),
        Figure(NAME, f"commands answered under load ({seconds:.0f} s)", len(busy)),
        Figure(NAME, f"round-trip p50 {load}", percentile(busy, 0.5), "ms"),
        Figure.check(
            NAME, f"round-trip p99 {load}", percentile(busy, 0.99), "ms", "<=", MAX_P99_MS
        ),
        Figure(NAME, "round-trip max under load", max(busy, default=0.0), "ms"),
        Figure.check(
            NAME, "commands failed or unanswered (5 s) under load", result["failures"], "", "<=", 0
        ),
        Figure.check(
            NAME, "replies recorded / sent", 100 * result["stored"] / result["sent"], "%", ">=", 100
        ),
        Figure(NAME, "load stopped → every reply stored", result["lag"], "s"),
    ]


if __name__ == "__main__":
    from bench.report import format_table

    print(format_table(run()))
