"""`challenge-bot check` reaching Discord (the emulator) over REST."""

from __future__ import annotations

import pytest

from bot.cli.doctor import check_discord

pytestmark = pytest.mark.e2e


async def test_check_reports_a_channel_with_every_permission(emulator, make_settings) -> None:
    ok, problems = await check_discord(make_settings())
    assert problems == []
    assert any("logged in as" in line for line in ok)
    assert any("CHALLENGE_CHANNEL_ID #challenges: all needed permissions" in line for line in ok)


async def test_check_names_the_missing_permissions(emulator, make_settings) -> None:
    settings = make_settings(welcome_channel_id=emulator.channel_id("staff"))
    _, problems = await check_discord(settings)
    assert len(problems) == 1
    assert problems[0].startswith("WELCOME_CHANNEL_ID")
    assert "View Channel" in problems[0] or "not visible" in problems[0]


async def test_check_reports_a_refused_token(emulator, make_settings) -> None:
    _, problems = await check_discord(make_settings(discord_token="not-the-token"))
    assert problems == ["DISCORD_TOKEN was refused by Discord: reset it in the developer portal"]


async def test_check_reports_an_unknown_channel(emulator, make_settings) -> None:
    _, problems = await check_discord(make_settings(challenge_channel_id=1234))
    assert problems == ["CHALLENGE_CHANNEL_ID 1234: channel not found or not visible to the bot"]
