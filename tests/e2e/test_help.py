"""/help and /about with every cog loaded: members and organisers see different commands."""

from __future__ import annotations

import pytest

from devtools.emulator import Emulator
from devtools.emulator.runner import BotRunner

pytestmark = pytest.mark.e2e

EVERYONE = ("/help", "/about", "/stats", "/leaderboard", "/streak", "/keyword", "/comments day")
# Every cog but the series (its start-up runs on after these short tests) plus a probe with
# Discord-side default permissions.
EXTENSIONS = (
    "cogs.meta",
    "cogs.comments",
    "cogs.keywords",
    "cogs.welcome",
    "cogs.participation",
    "cogs.recaps",
    "tests.e2e.admin_probe",
)


async def test_help_differs_for_organisers_and_members(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    member = await emulator.member("amina").runs("help")
    admin = await emulator.admin.runs("help")
    assert member.ephemeral and admin.ephemeral

    for name in EVERYONE:
        assert name in member.text and name in admin.text
    assert "For organisers" not in member.text
    organisers = next(f for f in admin.embed["fields"] if f["name"] == "For organisers")
    assert "/probe-admin" in organisers["value"] and "/probe-admin" not in member.text
    assert "/comments export" in organisers["value"] and "/comments export" not in member.text
    # One line per command, each within Discord's limits (the emulator checks them too).
    lines = [line for line in admin.embed["description"].splitlines() if line.startswith("`/")]
    assert len(lines) == len(set(lines))
    assert emulator.recorder.pinging() == []


async def test_about_says_what_who_and_what_is_stored(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    about = await emulator.member("youssef").runs("about")
    assert about.ephemeral
    assert "Twelve daily posts" in about.text
    assert "Moroccan AI community" in about.text
    assert "What the bot stores" in about.text and "/forgetme" in about.text
