"""Editions and rehearsals end to end: what the README tells organisers to do works, and
runs never mix their records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.members.standings import Standings
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner
from tests.e2e.test_series import FIXTURES, all_done, day_threads, rows, service, soon
from tests.timing import far_ahead

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
    assert unknown.ephemeral and "no series, edition or rehearsal" in unknown.text
    status = await emulator.member("organiser").runs("challenge status")
    assert "edition 2" in status.embed["title"]


async def test_a_rehearsal_runs_beside_the_live_series_and_can_be_cleared(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await bot_runner.start(
        extensions=EXTENSIONS, series_dir=FIXTURES, series_start=far_ahead()
    )
    guild = bot.settings.guild_id
    live = service(bot).record(guild)
    before = [(r.day, r.planned_at, r.state) for r in await rows(bot)]
    admin, amina = emulator.member("organiser"), emulator.member("amina")

    same = await admin.runs(
        "challenge rehearse", with_options={"channel": "challenges", "interval": "1s"}
    )
    assert same.ephemeral and "live challenge channel" in same.text
    typo = await admin.runs(
        "challenge rehearse", with_options={"channel": "general", "interval": "fast"}
    )
    assert typo.ephemeral and "Nothing was started" in typo.text
    asked = await admin.runs(
        "challenge rehearse", with_options={"channel": "general", "interval": "1s"}
    )
    assert asked.ephemeral and "12 days" in asked.text and not day_threads(emulator, "general")
    await asked.click("Post 12 days in #general")

    async def rehearsed() -> bool:
        runs = await SeriesStore(bot.db).runs(guild)
        return any(r.kind == "rehearsal" and r.ended_at is not None for r in runs)

    await wait_for(rehearsed, timeout=90, message="the rehearsal did not end by itself")
    threads = day_threads(emulator, "general")
    assert len(threads) == 12
    assert "rehearsal · ref" in emulator.bot_messages("general")[0]["content"]
    await amina.says(threads[0]["id"], "Rehearsal reply")
    await wait_for(lambda: stored_comments(bot, 1), timeout=10)

    # the live series and its stats: untouched
    assert [(r.day, r.planned_at, r.state) for r in await rows(bot)] == before
    assert not day_threads(emulator, "challenges")
    standings = Standings(MemberStore(bot.db), SeriesStore(bot.db))
    assert (await standings.summary(guild, live)).comments == 0
    [rehearsal] = [r for r in await SeriesStore(bot.db).runs(guild) if r.kind == "rehearsal"]
    assert (await standings.summary(guild, rehearsal.record)).comments == 1

    cleared = await admin.runs("challenge rehearse-clear")
    assert "Cleared 1 rehearsal(s) and 1 comment(s)" in cleared.text
    assert [r.kind for r in await SeriesStore(bot.db).runs(guild)] == ["live"]
    assert tuple(await bot.db.fetchone("SELECT count(*) FROM comments")) == (0,)  # type: ignore[arg-type]
    assert emulator.recorder.pinging() == []


async def start_fast(bot_runner: BotRunner, **settings: Any) -> Any:
    """The fixture series from a second from now, one day a second, answers at once."""
    return await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=FIXTURES,
        series_start=soon(1.0),
        series_interval=timedelta(seconds=1),
        answer_delay=timedelta(0),
        **settings,
    )


async def test_new_edition_asks_first_then_starts_over_with_a_fresh_record(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await start_fast(bot_runner)
    await wait_for(lambda: all_done()(bot), timeout=90)
    admin = emulator.member("organiser")
    status = await admin.runs("challenge status")
    assert "finished on" in str(status.embed) and "new edition" in str(status.embed)

    asked = await admin.runs("challenge new-edition")
    assert asked.ephemeral and "edition 2" in asked.text
    await asked.click("Cancel")
    assert service(bot).record(bot.settings.guild_id) == bot.settings.series_id

    asked = await admin.runs("challenge new-edition")
    done = await asked.click("Start edition 2")
    assert "Edition 2 begins" in done.content  # the question becomes the outcome
    # the configured start is in the past now: held for a decision, nothing posted at once
    fresh = await rows(bot)
    assert [r.state for r in fresh] == ["scheduled"] * 12
    assert len(day_threads(emulator)) == 12  # only the first edition's
    assert (await service(bot).config(bot.settings.guild_id)).held
