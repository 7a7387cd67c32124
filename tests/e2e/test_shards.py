"""Sharding against the emulator: two servers on the two shards of SHARD_COUNT=2. A process
running one shard sees, answers and schedules only its server; one running both serves both."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from bot.bot import ShardedChallengeBot
from bot.i18n import ENGLISH
from bot.rendering.days import thread_name
from bot.series.loader import load_series
from bot.settings import Settings
from bot.sharding import shard_of
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotProcess, BotRunner
from devtools.postgres import TemporaryPostgres
from tests.days import FIXTURES
from tests.slow.crash import DatabaseFile, day_threads

pytestmark = pytest.mark.e2e

EXTENSIONS = ("cogs.meta", "cogs.series")


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def identified_shards(emulator: Emulator) -> list[list[int]]:
    return [p["d"].get("shard") for p in emulator.recorder.received if p.get("op") == 2]


def delivered(emulator: Emulator, name: str, channel_id: int) -> list[Any]:
    """The `name` events about a channel that reached any session."""
    return [
        e for e in emulator.recorder.gateway(name) if e.data.get("channel_id") == str(channel_id)
    ]


def other_guild(emulator: Emulator) -> tuple[int, str]:
    """The default server's shard of two, and a second server on the other one."""
    mine = shard_of(int(emulator.guild_id), 2)
    return mine, emulator.add_guild("Data Science Rabat", shard=(1 - mine, 2))


@contextlib.asynccontextmanager
async def processes_on(
    emulator: Emulator, tmp_path: Path, settings: dict[str, Settings]
) -> AsyncIterator[list[BotProcess]]:
    """`python -m bot run` once per settings (each in its own folder), started and ready;
    at the end stopped, and the test fails on any ERROR line or unexpected exit."""
    processes = []
    for name, each in settings.items():
        workdir = tmp_path / name
        workdir.mkdir()
        processes.append(BotProcess(emulator, each, workdir))
    try:
        for process in processes:
            process.start()
        for process in processes:
            await process.wait_ready(timeout=30)
        yield processes
    finally:
        problems = [line for process in processes for line in process.finish()]
        for process in processes:
            problems += process.error_records()
        assert not problems, "\n".join(problems)


async def test_a_process_serves_only_the_servers_of_its_shard(
    bot_runner: BotRunner, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    mine, other = other_guild(emulator)
    caplog.set_level(logging.INFO, logger="bot")
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        guild_id=None,  # global commands: the command exists in both servers
        shard_count=2,
        shard_ids=str(mine),
        series_dir=FIXTURES,
        series_start=soon(1.0),
    )
    assert isinstance(bot, commands.AutoShardedBot)
    assert bot.shard_count == 2 and bot.shard_ids == [mine]
    assert identified_shards(emulator) == [[mine, 2]]
    assert [g.id for g in bot.guilds] == [int(emulator.guild_id)]
    assert f"Shards {mine} of SHARD_COUNT=2 run in this process" in caplog.text

    amina = emulator.member("amina")
    assert "Challenges" in (await amina.runs("about")).text
    elsewhere = emulator.channel_id("general", other)
    with pytest.raises(AssertionError, match="did not answer"):
        await amina.runs("about", channel=elsewhere)
    assert delivered(emulator, "INTERACTION_CREATE", elsewhere) == []
    await amina.says(elsewhere, "anyone here?")
    assert delivered(emulator, "MESSAGE_CREATE", elsewhere) == []

    # Its server's day 1 is posted; nothing in the other server.
    await wait_for(lambda: emulator.bot_messages("challenges"), timeout=15)
    assert emulator.bot_messages(emulator.channel("challenges", other)) == []
    assert bot.gateway_open()


async def test_guild_id_on_another_shard_is_not_scheduled_here(
    bot_runner: BotRunner, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    mine, other = other_guild(emulator)
    caplog.set_level(logging.INFO, logger="bot")
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        guild_id=int(other),
        challenge_channel_id=emulator.channel_id("challenges", other),
        shard_count=2,
        shard_ids=str(mine),
        series_dir=FIXTURES,
        series_start=soon(0.5),
    )
    assert f"GUILD_ID {other} is on shard {1 - mine}, served by another process" in caplog.text
    assert "channel not found" not in caplog.text  # its channel is checked by its own process
    assert f"in server {other}, on another shard" in caplog.text
    await bot_runner.settle(quiet=1.5)
    assert emulator.bot_messages(emulator.channel("challenges", other)) == []
    assert await bot.series.store.guilds(bot.series.series_id) == []


async def test_one_process_on_every_shard_serves_both_servers(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    _, other = other_guild(emulator)
    bot = await bot_runner.start(extensions=EXTENSIONS, guild_id=None, shard_count=2, wait=False)
    await bot_runner.wait_ready(timeout=20)  # discord.py waits 5 s between two IDENTIFYs
    assert isinstance(bot, ShardedChallengeBot) and sorted(bot.shards) == [0, 1]
    assert sorted(identified_shards(emulator)) == [[0, 2], [1, 2]]
    assert {g.id for g in bot.guilds} == {int(emulator.guild_id), int(other)}

    amina = emulator.member("amina")
    here = await amina.runs("about")
    there = await amina.runs("about", channel=emulator.channel_id("general", other))
    assert here.text == there.text and "Challenges" in there.text
    assert bot.gateway_open()


async def test_two_processes_on_two_shards_share_one_postgresql(
    emulator: Emulator,
    make_settings: Callable[..., Settings],
    postgres: TemporaryPostgres,
    tmp_path: Path,
) -> None:
    """The hosted setup: two processes, one shard each, one PostgreSQL. Each server's admin
    picks its channel; every server gets each of its twelve days exactly once, posted by the
    process that owns its shard, and the comments of both land in the one database."""
    mine, other = other_guild(emulator)
    url = postgres.create_database("two_shards")
    settings = {
        f"shard-{shard}": make_settings(
            guild_id=None,
            challenge_channel_id=None,
            shard_count=2,
            shard_ids=str(shard),
            database_url=url,
            series_dir=FIXTURES,
            series_start=soon(8),
            series_interval=timedelta(seconds=1),
        )
        for shard in (mine, 1 - mine)
    }
    async with processes_on(emulator, tmp_path, settings) as processes:
        for process in processes:  # commands synced too
            await wait_for(lambda p=process: "Synced" in p.log(), timeout=30)
        admin = emulator.admin  # Manage Server in both servers
        for guild in (emulator.guild_id, other):
            channel = emulator.channel_id("challenges", guild)
            answer = await admin.runs(
                "challenge channel", to=channel, channel=emulator.channel_id("general", guild)
            )
            assert answer.ephemeral and str(channel) in answer.text
        names = {thread_name(ENGLISH, day) for day in load_series(FIXTURES)}

        def threads(guild: str) -> list[dict[str, Any]]:
            return day_threads(emulator, names, emulator.channel("challenges", guild))

        await wait_for(
            lambda: len(threads(emulator.guild_id)) == len(threads(other)) == 12,
            timeout=60,
            message="the twelve days did not reach both servers",
        )
        await asyncio.sleep(1.5)  # nothing more may come
        for guild in (emulator.guild_id, other):
            found = threads(guild)
            assert sorted(t["name"] for t in found) == sorted(names), guild  # each day once
        amina = emulator.member("amina")
        replies = [
            await amina.says(threads(guild)[0]["id"], f"reply in {guild}")
            for guild in (emulator.guild_id, other)
        ]
        stored = DatabaseFile(url)
        await wait_for(
            lambda: {int(r["id"]) for r in replies} <= set(stored.comment_ids()),
            timeout=15,
            message="a reply was not recorded",
        )
        servers = {row[0] for row in stored.query("SELECT DISTINCT guild_id FROM series_days")}
        assert servers == {int(emulator.guild_id), int(other)}
        for process, guild, elsewhere in zip(
            processes, (emulator.guild_id, other), (other, emulator.guild_id), strict=True
        ):  # each posted in its own server only
            log = process.log()
            assert log.count(f"in server {guild} (thread") == 12, log[-3000:]
            assert f"in server {elsewhere} (thread" not in log


async def test_two_processes_wrongly_running_one_shard_still_act_once(
    emulator: Emulator,
    make_settings: Callable[..., Settings],
    postgres: TemporaryPostgres,
    tmp_path: Path,
) -> None:
    """A mistake in SHARD_IDS: two processes both run the default server's shard, so both get
    every event. The shared PostgreSQL still gives the server each day once, one greeting per
    join (a rejoin is greeted again) and one row per reply."""
    mine, _ = other_guild(emulator)
    url = postgres.create_database("same_shard")
    settings = {
        name: make_settings(
            shard_count=2,
            shard_ids=str(mine),
            database_url=url,
            series_dir=FIXTURES,
            series_start=soon(8),
            series_interval=timedelta(seconds=1),
            welcome_channel_id=emulator.channel_id("welcome"),
        )
        for name in ("first", "second")
    }
    async with processes_on(emulator, tmp_path, settings) as processes:
        names = {thread_name(ENGLISH, day) for day in load_series(FIXTURES)}
        challenges = emulator.channel("challenges")

        def threads() -> list[dict[str, Any]]:
            return day_threads(emulator, names, challenges)

        newcomer = emulator.join("newcomer")
        await wait_for(lambda: len(threads()) == 12, timeout=60, message="not all days posted")
        await asyncio.sleep(1.5)  # a second post or greeting would show up now
        assert sorted(t["name"] for t in threads()) == sorted(names)  # each day once
        greetings = [m for m in emulator.bot_messages("welcome") if newcomer.id in m["content"]]
        assert len(greetings) == 1
        reply = await emulator.member("amina").says(threads()[0]["id"], "one reply, two bots")
        stored = DatabaseFile(url)
        await wait_for(lambda: int(reply["id"]) in stored.comment_ids(), timeout=15)
        assert stored.query("SELECT count(*) FROM comments")[0][0] == 1
        logs = [process.log() for process in processes]
        assert sum(log.count("Posted day ") for log in logs) == 12, logs[0][-2000:]
        assert sum(log.count("already greeted") for log in logs) == 1
