"""Two series in one server: their own channels, cadences, records and commands."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from bot.members.standings import Standings
from bot.store.members import MemberStore
from bot.store.series import SeriesStore
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner
from tests.e2e.test_editions import start_fast, stored_comments
from tests.e2e.test_series import day_threads, first_days, marked, soon

pytestmark = pytest.mark.e2e

TOPIC = "topic-week"


def topic_series(tmp_path: Path, channel_id: int, start: str, days: int = 4) -> Path:
    """A second series: `days` of the fixture pages and a series.yml beside them."""
    folder = first_days(tmp_path, days)
    (folder / "series.yml").write_text(
        f"id: {TOPIC}\n"
        "name: Topic of the Week\n"
        f"channel_id: {channel_id}\n"
        f"start: '{start}'\n"
        "interval: 2s\n"
        "answer_delay: 0s\n",
        encoding="utf-8",
    )
    return folder


async def finished(bot: Any, series_id: str, count: int) -> bool:
    service = bot.all_series[series_id]
    rows = await service.rows(bot.settings.guild_id)
    return len(rows) == count and all(r.state == "posted" for r in rows)


async def test_two_series_interleave_exactly_once_and_keep_their_records(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    general = emulator.channel_id("general")
    second = topic_series(tmp_path, general, soon(1.5))
    bot = await start_fast(bot_runner, extra_series_dirs=str(second))
    main_id = bot.settings.series_id
    assert list(bot.all_series) == [main_id, TOPIC]
    await wait_for(lambda: finished(bot, TOPIC, 4), timeout=90, message="topic series stalled")
    await wait_for(lambda: finished(bot, main_id, 12), timeout=90, message="main series stalled")

    # Each series in its own channel, every day exactly once, on its own cadence.
    main_threads, topic_threads = (
        day_threads(emulator, "challenges"),
        day_threads(emulator, "general"),
    )
    assert len(main_threads) == 12 and len(topic_threads) == 4
    for channel in ("challenges", "general"):
        counts = Counter(m["content"].split("\n", 1)[0] for m in marked(emulator, channel))
        assert counts and max(counts.values()) == 1, counts
    main_rows = await bot.all_series[main_id].rows(bot.settings.guild_id)
    topic_rows = await bot.all_series[TOPIC].rows(bot.settings.guild_id)
    assert {r.channel_id for r in topic_rows} == {general}
    topic_gaps = {
        round((b.posted_at - a.posted_at).total_seconds())  # type: ignore[operator]
        for a, b in pairwise(topic_rows)
    }
    assert min(topic_gaps) >= 1  # 2 s apart, not the main series' 1 s burst
    # Interleaved: the topic series' days went out while the main one was running.
    main_span = (main_rows[0].posted_at, main_rows[-1].posted_at)
    assert any(main_span[0] < r.posted_at < main_span[1] for r in topic_rows)  # type: ignore[operator]

    # Replies are recorded to the series their thread belongs to.
    amina = emulator.member("amina")
    await amina.says(main_threads[0]["id"], "Main series, day 1")
    await amina.says(topic_threads[0]["id"], "Topic of the week, first topic")
    await amina.says(topic_threads[1]["id"], "Topic of the week, second topic")
    await wait_for(lambda: stored_comments(bot, 3), timeout=10)
    standings = Standings(MemberStore(bot.db), SeriesStore(bot.db))
    guild = bot.settings.guild_id
    assert (await standings.summary(guild, main_id)).comments == 1
    assert (await standings.summary(guild, TOPIC)).comments == 2

    # Commands: with no option, the main series; by name or id, the other one.
    admin = emulator.member("organiser")
    status = await admin.runs("challenge status", series=TOPIC)
    assert "Topic of the Week" in status.embed["title"]
    main_status = await admin.runs("challenge status")
    assert "Topic of the Week" not in main_status.embed["title"]
    today = await amina.runs("challenge today", series="topic of the week")
    assert today.ephemeral and str(topic_threads[-1]["id"]) in str(today.embed or today.text)
    names = await admin.autocomplete("challenge status", "series", "topic")
    assert [c["value"] for c in names] == [TOPIC]
    stats = await amina.runs("stats", series="Topic of the Week")
    assert "2" in str(stats.embed)
    choices = await amina.autocomplete("stats", "series", "")
    assert {c["value"] for c in choices} == {main_id, TOPIC}
    unknown = await admin.runs("challenge status", series="nope")
    assert unknown.ephemeral and "no series" in unknown.text


@pytest.mark.allow_errors("Series not run")
async def test_a_broken_series_file_costs_only_that_series(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    broken = first_days(tmp_path, 2)
    (broken / "series.yml").write_text("id: Bad Id!\nname: x\n", encoding="utf-8")
    bot = await start_fast(bot_runner, extra_series_dirs=str(broken))
    assert list(bot.all_series) == [bot.settings.series_id]
    assert any("series.yml" in p and "`id`" in p for p in bot.definition_problems)
    await wait_for(
        lambda: finished(bot, bot.settings.series_id, 12), timeout=90, message="main stalled"
    )
