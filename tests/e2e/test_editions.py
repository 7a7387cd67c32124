"""Editions and rehearsals end to end: what the README tells organisers to do works, and
runs never mix their records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.members.standings import Standings
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from tests.e2e.test_series import FIXTURES, all_done, day_threads, rows, service, soon
from tests.emulator import Emulator, wait_for
from tests.emulator.runner import BotRunner

pytestmark = pytest.mark.e2e

EXTENSIONS = ("cogs.meta", "cogs.series", "cogs.comments", "cogs.participation")


async def stored_comments(bot: Any, count: int) -> bool:
    service_ = bot.get_cog("Comments").service
    await service_.writer.flush()
    found = await bot.db.fetchone("SELECT count(*) FROM comments WHERE deleted = 0")
    return found is not None and found[0] >= count


async def test_rehearse_fast_in_a_test_channel_then_go_live_on_the_same_database(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    amina, youssef = emulator.member("amina"), emulator.member("youssef")
    # The README's rehearsal: a fast cadence in a private test channel.
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=FIXTURES,
        challenge_channel_id=emulator.channel_id("general"),
        series_start=soon(1.0),
        series_interval=timedelta(seconds=1),
        answer_delay=timedelta(0),
    )
    await wait_for(lambda: all_done()(bot), timeout=90, message="the rehearsal did not finish")
    rehearsal_threads = day_threads(emulator, "general")
    assert len(rehearsal_threads) == 12
    await amina.says(rehearsal_threads[0]["id"], "Testing the rehearsal thread")
    await youssef.says(rehearsal_threads[1]["id"], "Me too")
    await wait_for(lambda: stored_comments(bot, 2), timeout=10)
    first = service(bot).record(bot.settings.guild_id)

    # Go live: the real channel and a new start, same database.
    bot = await bot_runner.restart(
        challenge_channel_id=emulator.channel_id("challenges"), series_start=soon(2.0)
    )
    await wait_for(lambda: all_done()(bot), timeout=90, message="the live series posted nothing")
    live = service(bot).record(bot.settings.guild_id)
    assert live != first
    live_threads = day_threads(emulator, "challenges")
    assert len(live_threads) == 12  # every day, once, in the real channel
    assert len(day_threads(emulator, "general")) == 12  # the rehearsal's posts, untouched
    assert {r.channel_id for r in await rows(bot)} == {emulator.channel_id("challenges")}

    await amina.says(live_threads[0]["id"], "Live answer for day 1")
    await wait_for(lambda: stored_comments(bot, 3), timeout=10)
    standings = Standings(MemberStore(bot.db), SeriesStore(bot.db))
    guild = bot.settings.guild_id
    live_stats = await standings.summary(guild, live)
    assert live_stats.comments == 1 and live_stats.members == 1
    rehearsal_stats = await standings.summary(guild, first)
    assert rehearsal_stats.comments == 2 and rehearsal_stats.members == 2  # kept apart

    runs = await SeriesStore(bot.db).runs(guild)
    assert [run.edition for run in runs] == [1, 2] and runs[0].ended_at is not None
    choices = await amina.autocomplete("stats", "series", "")
    assert {c["value"] for c in choices} == {first, live}
    old = await amina.runs("leaderboard", series=first)  # the rehearsal's board: both
    board = str(old.embed).casefold()
    assert "amina" in board and "youssef" in board
    now = await amina.runs("leaderboard")  # the live edition's: only amina
    board = str(now.embed).casefold()
    assert "amina" in board and "youssef" not in board
    unknown = await amina.runs("stats", series="nope")
    assert unknown.ephemeral and "no edition or rehearsal" in unknown.text
    status = await emulator.member("organiser").runs("challenge status")
    assert "edition 2" in status.embed["title"]
