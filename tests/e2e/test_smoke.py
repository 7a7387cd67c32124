"""The real bot against the emulator: login, command sync, answers, RESUME, bad token, /help."""

from __future__ import annotations

import discord
import pytest

from bot.bot import EXTENSIONS
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner

pytestmark = pytest.mark.e2e


async def test_bot_logs_in_syncs_answers_and_survives_a_gateway_drop(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await bot_runner.start()
    assert bot.get_guild(int(emulator.guild_id)) is not None
    synced = emulator.recorder.rest("PUT", "/applications/*/guilds/*/commands")
    assert len(synced) == 1 and synced[0].status == 200  # every command valid by Discord's rules
    names = {c["name"] for c in emulator.world.guild_commands[emulator.guild_id].values()}
    assert {"help", "about"} <= names

    answer = await emulator.member("amina").runs("about")
    assert answer.ephemeral
    assert "Twelve daily posts" in answer.text

    await emulator.drop_gateway()
    await wait_for(lambda: emulator.gateway.resume_count == 1)
    assert emulator.gateway.identify_count == 1  # resumed, not re-identified

    answer = await emulator.member("amina").runs("help")
    assert "/about" in answer.text
    assert emulator.recorder.pinging() == []


async def test_a_refused_token_is_a_login_failure(bot_runner: BotRunner) -> None:
    with pytest.raises(discord.LoginFailure):
        await bot_runner.start(token="not-the-token")


async def test_help_lists_admin_commands_only_to_admins(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start(extensions=(*EXTENSIONS, "tests.e2e.admin_probe"))

    member_help = await emulator.member("amina").runs("help")
    admin_help = await emulator.admin.runs("help")

    assert "/probe-admin" not in member_help.text
    assert "/probe-admin" in admin_help.text
    assert "/about" in member_help.text
    assert (await emulator.admin.runs("probe-admin")).content == "admin ok"
