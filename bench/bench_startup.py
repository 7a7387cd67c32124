"""Start-up time: `python -m bot run` spawned → commands synced → on_ready.

Run: `.venv/bin/python -m bench startup`. The bot starts three times against the emulator
with the same database (the first start also creates it and imports the keyword articles,
as a first deployment does); the figure is the median. "Ready" is the bot's own
`Logged in as` log line, written by on_ready — after discord.py's guild_ready_timeout
(2 s by default) has passed without more guilds arriving.
"""

from __future__ import annotations

import asyncio
import statistics
from datetime import timedelta

from bench.report import Figure
from bench.scenario import BotUnderTest, bot_settings, declare_series, emulated_discord, now
from bench.scenario import open_thread as open_challenge_thread

NAME = "startup"
RUNS = 3
MAX_READY_SECONDS = 5.0
DAYS_POSTED = 3


async def measure(runs: int) -> dict[str, list[float]]:
    async with emulated_discord() as (emulator, folder):
        started = now()
        threads = [
            open_challenge_thread(emulator, day, started - timedelta(days=DAYS_POSTED - day))
            for day in range(1, DAYS_POSTED + 1)
        ]
        database = folder / "bot.sqlite3"
        await declare_series(database, int(emulator.guild_id), threads)
        bot = BotUnderTest(emulator, bot_settings(emulator, database), folder)
        timings: dict[str, list[float]] = {"synced": [], "identified": [], "ready": []}
        recorder = emulator.recorder
        for _ in range(runs):
            calls, events = len(recorder.calls), len(recorder.events)
            bot.start()
            try:
                timings["ready"].append(await bot.wait_ready())
                sync = next(
                    c for c in recorder.calls[calls:] if c.method == "PUT" and "/commands" in c.path
                )
                ready = next(e for e in recorder.events[events:] if e.name == "READY")
                timings["synced"].append(sync.time - bot.spawned_at)
                timings["identified"].append(ready.time - bot.spawned_at)
            finally:
                await bot.stop()
        return timings


def run(quick: bool = False) -> list[Figure]:
    runs = 1 if quick else RUNS
    timings = asyncio.run(measure(runs))
    median = {key: statistics.median(values) for key, values in timings.items()}
    label = f"median of {runs}" if runs > 1 else "1 run"
    figures = [
        Figure(NAME, f"spawn → commands synced ({label})", median["synced"], "s"),
        Figure(NAME, f"spawn → READY from the gateway ({label})", median["identified"], "s"),
        Figure.check(
            NAME, f"spawn → on_ready ({label})", median["ready"], "s", "<=", MAX_READY_SECONDS
        ),
    ]
    if runs > 1:  # the first start also creates the database and imports the articles
        figures.append(Figure(NAME, "spawn → on_ready, slowest run", max(timings["ready"]), "s"))
    return figures


if __name__ == "__main__":
    from bench.report import format_table

    print(format_table(run()))
