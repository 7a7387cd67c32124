"""Sharding against the emulator: two servers on the two shards of SHARD_COUNT=2. A process
running one shard sees, answers and schedules only its server; one running both serves both."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from discord.ext import commands

from bot.bot import ShardedChallengeBot
from bot.sharding import shard_of
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner
from tests.days import FIXTURES

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
