"""Slow companions of the CI tests: 10,000 nasty slash-command inputs, replies lost to an
invalid gateway session, and a database locked by another process at start-up."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.store import Database, StoreError
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import REPO, BotRunner
from tests.e2e.test_bad_input import run_nasty_inputs

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(900)]

DAYS = REPO / "tests" / "fixtures" / "days"


async def test_ten_thousand_nasty_inputs_end_to_end(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    outcome = await run_nasty_inputs(bot_runner, emulator, 10_000, seed=10_000)
    print(
        f"\n10,000 nasty inputs answered in {outcome.seconds:.1f}s "
        f"({outcome.choices} autocomplete choices), nobody pinged, no handler error"
    )


async def test_replies_during_an_invalid_session_are_backfilled(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    """After op 9 the bot IDENTIFYs anew: nothing said meanwhile is replayed by Discord, so
    the READY backfill must find it in the thread's history."""
    start = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    bot = await bot_runner.start(series_dir=DAYS, series_start=start, answer_delay="1d")
    service = bot.series

    async def thread_id() -> int | None:
        rows = await service.rows(bot.settings.guild_id)
        return rows[0].thread_id if rows and rows[0].thread_id else None

    thread = str(await wait_for(thread_id, timeout=10))
    amina = emulator.member("amina")
    posted = [await amina.says(thread, f"before {i}", drain=False) for i in range(5)]
    identifies = emulator.gateway.identify_count
    await emulator.invalidate_session()
    posted += [await amina.says(thread, f"while away {i}", drain=False) for i in range(20)]
    await wait_for(lambda: emulator.gateway.identify_count > identifies, timeout=15)
    await emulator.drain()
    posted += [await amina.says(thread, f"after {i}", drain=False) for i in range(5)]
    expected = sorted(int(m["id"]) for m in posted)

    async def recorded() -> bool:
        await bot.get_cog("Comments").service.writer.flush()
        rows = await bot.db.fetchall("SELECT message_id FROM comments ORDER BY message_id")
        return [int(r[0]) for r in rows] == expected

    await wait_for(recorded, timeout=15, message="replies said during the invalid session lost")


def contents(path: Path) -> bytes:
    return path.read_bytes()


@pytest.fixture
async def locked_database(tmp_path: Path) -> Any:
    """A migrated database another process holds with BEGIN EXCLUSIVE."""
    path = tmp_path / "bot.sqlite3"
    db = Database(path)
    await db.open()
    await db.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    other.execute("CREATE TABLE held_by_someone_else (x)")
    yield path
    other.execute("ROLLBACK")
    other.close()


async def test_a_locked_database_stops_run_and_start_with_a_clear_message(
    locked_database: Path, bot_process: Any, bot_runner: BotRunner
) -> None:
    before = contents(locked_database)
    process = bot_process()
    process.start()
    assert await process.wait(timeout=40) == 2
    log = process.log()
    assert f"error: DATABASE_PATH {locked_database} is locked by another process" in log
    assert "Is another copy of the bot running?" in log and "Traceback" not in log

    with pytest.raises(StoreError, match="is locked by another process"):
        await bot_runner.start()
    assert contents(locked_database) == before
