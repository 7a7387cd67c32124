"""Start-up as an organiser meets it: Discord unreachable at boot, a command sync refused, a
GUILD_ID the bot isn't in — the bot says so in one line and keeps going (the series posts)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import REPO, BotRunner
from tests.timing import soon

pytestmark = pytest.mark.e2e

DAYS = REPO / "tests" / "fixtures" / "days"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def forwarder(port: int, target: int) -> AsyncIterator[None]:
    """A TCP forwarder 127.0.0.1:port → 127.0.0.1:target: the network "coming up"."""

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()

    async def connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))

    server = await asyncio.start_server(connect, "127.0.0.1", port)
    try:
        yield
    finally:
        server.close()


async def test_discord_unreachable_at_boot_is_retried_then_the_series_posts(
    bot_process: Any, emulator: Emulator, tmp_path: Path
) -> None:
    port = free_port()  # nothing listens there yet: connection refused, like no network
    process = bot_process(
        series_dir=DAYS,
        series_start=soon(-0.5),
        series_interval="1d",
        discord_api_url=f"http://127.0.0.1:{port}/api/v10",
    )
    process.start()
    await wait_for(lambda: process.log().count("Discord can't be reached") >= 2, timeout=20)
    assert process.process is not None and process.process.poll() is None  # still running
    async with forwarder(port, emulator.port):
        await wait_for(lambda: emulator.bot_messages("challenges"), timeout=40)
        process.terminate()
        assert await process.wait(timeout=20) == 0
    log = process.log()
    assert "Traceback" not in log
    warnings = [line for line in log.splitlines() if "Discord can't be reached" in line]
    assert all("trying again in" in line for line in warnings)


@pytest.mark.parametrize("status", [400, 500])
async def test_a_refused_command_sync_does_not_stop_the_series(
    bot_runner: BotRunner, emulator: Emulator, error_log: Any, status: int
) -> None:
    error_log.allow("Discord refused the slash commands", "Could not register slash commands")
    emulator.faults.server_error(
        "PUT", "/applications/*/guilds/*/commands", status=status, times=None
    )
    bot = await bot_runner.start(series_dir=DAYS, series_start=soon(-0.5))
    await wait_for(lambda: emulator.bot_messages("challenges"), timeout=20)  # posted anyway
    # A 5xx is retried by discord.py itself (about 25 s) before it counts as failed.
    await wait_for(lambda: bot.command_sync_error is not None, timeout=45)
    assert bot.timers.when("command-sync") is not None  # tried again later


async def test_a_guild_the_bot_is_not_in_is_one_clear_line(
    bot_runner: BotRunner, error_log: Any
) -> None:
    error_log.allow("Could not register slash commands")
    bot = await bot_runner.start(guild_id=123456789012345678, series_dir=DAYS)
    assert bot.command_sync_error is not None
    assert "Is the bot in that server" in bot.command_sync_error
    assert "GUILD_ID 123456789012345678" in bot.command_sync_error


async def test_what_needs_a_human_is_reported_once_in_the_admin_channel(
    bot_runner: BotRunner, emulator: Emulator, error_log: Any
) -> None:
    error_log.allow("Could not register slash commands")
    staff = emulator.channel_id("general")  # a channel the bot may post in
    past = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    bot = await bot_runner.start(
        series_dir=DAYS, series_start=past, admin_channel_id=staff, guild_id=123456789012345678
    )
    await wait_for(lambda: len(emulator.bot_messages(staff)) >= 1, timeout=15)
    await bot_runner.settle()
    texts = [m["content"] for m in emulator.bot_messages(staff)]
    assert bot.command_sync_error is not None
    assert any("GUILD_ID 123456789012345678" in t for t in texts)
    assert emulator.recorder.pinging() == []
    before = len(texts)
    await bot.sync_commands_or_retry()  # the retry fails again: not reported twice
    await bot_runner.settle()
    assert len(emulator.bot_messages(staff)) == before


async def test_a_held_start_is_reported_in_the_admin_channel(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    staff = emulator.channel_id("general")  # a channel the bot may post in
    past = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    await bot_runner.start(series_dir=DAYS, series_start=past, admin_channel_id=staff)
    await wait_for(lambda: emulator.bot_messages(staff), timeout=15)
    [report] = emulator.bot_messages(staff)
    assert "is in the past" in report["content"] and "Nothing was posted" in report["content"]
    posts = [m for m in emulator.bot_messages("challenges") if "-# ref " in m["content"]]
    assert posts == []  # held: no day posted


async def test_check_live_follows_the_running_bot(bot_runner: BotRunner, tmp_path: Path) -> None:
    from bot.cli.doctor import check
    from bot.health import health_path

    bot = await bot_runner.start(series_dir=DAYS)
    path = health_path(bot.settings.database_path)
    await wait_for(path.exists, timeout=10)
    live = argparse.Namespace(live=True, offline=True)
    assert check(bot.settings, live) == 0
    await bot_runner.stop()
    assert check(bot.settings, live) == 1  # stopped: unhealthy at once


async def test_nightly_backups_are_planned_at_four_and_written(
    bot_runner: BotRunner, tmp_path: Path
) -> None:
    bot = await bot_runner.start(series_dir=DAYS, backup_dir=tmp_path / "nightly")
    at = bot.timers.when("backup")
    assert at is not None
    local = at.astimezone(bot.settings.tz)
    assert (local.hour, local.minute) == (4, 0)
    assert timedelta(0) < at - datetime.now(UTC) <= timedelta(days=1)
    await bot._nightly_backup()  # what the timer runs
    made = sorted((tmp_path / "nightly").glob("*.sqlite3"))
    assert len(made) == 1
    assert bot.timers.when("backup") is not None  # and the next night is planned
