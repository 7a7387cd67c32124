"""The twelve days against the emulator: cadence, order, exactly once, missed posts, faults,
forum mode, role pings and the /challenge commands."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import ENGLISH
from bot.rendering.days import (
    render_answers,
    render_day,
    render_thread_opening,
    thread_name,
    title_line,
)
from bot.series.loader import load_series
from bot.series.model import DayRow
from bot.series.schedule import planned_times
from bot.series.service import LATE_NOTE
from bot.store import database_at
from bot.store.series import SeriesStore
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner
from tests.days import FIXTURES, first_days
from tests.timing import far_ahead

pytestmark = pytest.mark.e2e

# Only the cogs these tests are about, so other features' messages don't mix in.
EXTENSIONS = ("cogs.meta", "cogs.series")
SERIES = load_series(FIXTURES)


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def service(bot: Any) -> Any:
    return bot.series


async def rows(bot: Any) -> list[DayRow]:
    return await service(bot).rows(bot.settings.guild_id)


def day_threads(emulator: Emulator, channel: str = "challenges") -> list[dict[str, Any]]:
    threads = [t for t in emulator.threads_of(channel) if t["name"].startswith("Day ")]
    return sorted(threads, key=lambda t: int(t["id"]))


def marked(emulator: Emulator, channel: str = "challenges") -> list[dict[str, Any]]:
    """The bot's messages carrying a post marker (the first message of each day)."""
    return [
        m
        for m in emulator.bot_messages(channel)
        if "\n-# " in m["content"] and "ref " in m["content"]
    ]


def all_done(*, answers: bool = True) -> Any:
    async def check(bot: Any) -> bool:
        found = await rows(bot)
        return bool(found) and all(
            r.state == "posted" and (not answers or r.answer_state in ("posted", "none"))
            for r in found
        )

    return check


async def test_rehearsal_posts_twelve_days_with_threads_in_order(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=FIXTURES,
        series_start=soon(1.0),
        series_interval=timedelta(seconds=1),
        answer_delay=timedelta(seconds=1),
    )
    done = all_done()
    # ~13 s on an idle machine; the budget only matters when it fails, so leave room.
    await wait_for(lambda: done(bot), timeout=90, message="the twelve days were not all posted")

    stored = await rows(bot)
    threads = day_threads(emulator)
    assert [t["name"] for t in threads] == [thread_name(ENGLISH, day) for day in SERIES]
    assert [r.thread_id for r in stored] == [int(t["id"]) for t in threads]
    assert all(r.message_id == r.thread_id for r in stored)  # threads opened on the first message
    assert all(t["thread_metadata"]["auto_archive_duration"] == 10080 for t in threads)
    posted = [r.posted_at for r in stored]
    assert posted == sorted(posted)
    assert all(r.posted_at >= r.planned_at for r in stored)  # type: ignore[operator]

    firsts = marked(emulator)
    assert [int(m["id"]) for m in firsts] == [r.message_id for r in stored]  # once each
    assert "complete" in emulator.bot_messages("challenges")[-1]["content"]
    for row, day in zip(stored, SERIES, strict=True):
        in_thread = emulator.bot_messages(row.thread_id)
        expected = len(render_thread_opening(ENGLISH, day)) + len(render_answers(day))
        assert len(in_thread) == expected, f"day {day.number}"
        assert "Join the Conversation" in in_thread[0]["content"]
    assert stored[1].answer_state == "none" and stored[2].answer_state == "posted"
    assert emulator.recorder.pinging() == []


async def test_restart_mid_series_resumes_without_duplicates(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    days = first_days(tmp_path, 4)
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=days,
        series_start=soon(0.5),
        series_interval=timedelta(seconds=1.5),
        answer_delay=timedelta(0),
    )
    await wait_for(lambda: len(day_threads(emulator)) >= 1, timeout=10)
    # Day 4 is due 5 s after the start: the restart below really lands mid-series.
    assert len(marked(emulator)) < 4
    bot = await bot_runner.restart()
    await wait_for(lambda: all_done()(bot), timeout=30)
    await bot_runner.settle()
    assert [t["name"] for t in day_threads(emulator)] == [
        thread_name(ENGLISH, d) for d in SERIES.days[:4]
    ]
    stored = await rows(bot)
    assert [int(m["id"]) for m in marked(emulator)] == [r.message_id for r in stored]  # once each
    for row, day in zip(stored, SERIES.days[:4], strict=True):
        said = Counter(m["content"] for m in emulator.bot_messages(row.thread_id))
        parts = [*render_thread_opening(ENGLISH, day), *render_answers(day)]
        assert sum(said.values()) == len(parts), f"day {day.number}: {said}"
        assert all(said[part.content] == 1 for part in parts), f"day {day.number}: {said}"


async def test_a_crash_between_send_and_record_adopts_the_message(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    days = first_days(tmp_path, 2)
    bot = await bot_runner.start(extensions=EXTENSIONS, series_dir=days, series_start=far_ahead())
    await wait_for(lambda: _count_rows(bot, 2), timeout=5)
    guild_id, series_id = bot.settings.guild_id, bot.settings.series_id
    channel_id = emulator.channel_id("challenges")
    await bot_runner.stop()

    # The last run recorded its intent, sent day 1's first message and died before recording it.
    db = database_at(bot.settings.database_location)
    await db.open()
    try:
        store = SeriesStore(db)
        assert await store.claim(
            guild_id, series_id, 1, nonce="0123456789abcdef", channel_id=channel_id
        )
    finally:
        await db.close()
    sent = emulator.messages.create(
        str(channel_id),
        emulator.bot_id,
        {"content": "# 🎓 Day 1: Education\n\n…\n-# ref 0123456789abcdef"},
        check_permissions=False,
    )

    bot = await bot_runner.start(extensions=EXTENSIONS, series_dir=days, series_start=far_ahead())
    await wait_for(lambda: _day_posted(bot, 1), timeout=10)
    row = (await rows(bot))[0]
    assert row.message_id == int(sent.data["id"])
    assert row.thread_id == row.message_id
    assert [m["id"] for m in marked(emulator)] == [sent.data["id"]]
    assert day_threads(emulator)[0]["name"] == thread_name(ENGLISH, SERIES.days[0])
    assert (await rows(bot))[1].state == "scheduled"


async def start_far_ahead(bot_runner: BotRunner, tmp_path: Path, days: int) -> Any:
    """The bot with the first `days` days planned far ahead (nothing posts by itself)."""
    bot = await bot_runner.start(
        extensions=EXTENSIONS, series_dir=first_days(tmp_path, days), series_start=far_ahead()
    )
    await wait_for(lambda: _count_rows(bot, days), timeout=5)
    return bot


async def _answered(bot: Any, number: int) -> bool:
    return any(r.day == number and r.answer_state == "posted" for r in await rows(bot))


async def _count_rows(bot: Any, count: int) -> bool:
    return len(await rows(bot)) == count


async def _day_posted(bot: Any, number: int) -> bool:
    return any(r.day == number and r.state == "posted" for r in await rows(bot))


async def plan_ahead(
    emulator: Emulator, location: str | Path, start: datetime, interval: timedelta
) -> None:
    """The rows as a running bot planned them while the start was still ahead."""
    times = planned_times(start, time(9, 0), ZoneInfo("UTC"), interval, len(SERIES))
    db = database_at(location)
    await db.open()
    try:
        planned = list(zip(SERIES, times, strict=True))
        await SeriesStore(db).sync_plan(int(emulator.guild_id), "ml-dl-morocco", planned)
    finally:
        await db.close()


async def _start_with_three_days_past(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path, **settings: Any
) -> Any:
    """An hourly series that began 2h40 ago: days 1–3 passed while the bot was offline."""
    start = datetime.now(UTC) - timedelta(hours=2, minutes=40)
    location = bot_runner.make_settings().database_location
    await plan_ahead(emulator, location, start, timedelta(hours=1))
    return await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=FIXTURES,
        series_start=start.isoformat(),
        series_interval=timedelta(hours=1),
        **settings,
    )


async def test_missed_days_are_posted_late_in_order(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    bot = await _start_with_three_days_past(
        bot_runner, emulator, tmp_path, answer_delay=timedelta(0)
    )
    await wait_for(lambda: _day_posted(bot, 3), timeout=10)
    stored = await rows(bot)
    assert [r.state for r in stored[:4]] == ["posted", "posted", "posted", "scheduled"]
    assert all(r.late for r in stored[:3])
    firsts = marked(emulator)
    assert len(firsts) == 3 and all(LATE_NOTE in m["content"] for m in firsts)
    assert [t["name"] for t in day_threads(emulator)] == [
        thread_name(ENGLISH, d) for d in SERIES.days[:3]
    ]


async def test_missed_days_are_skipped_with_the_skip_policy(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    bot = await _start_with_three_days_past(
        bot_runner, emulator, tmp_path, missed_post_policy="skip"
    )
    await wait_for(lambda: _states(bot, 3, "missed"), timeout=10)
    assert day_threads(emulator) == [] and marked(emulator) == []
    status = await emulator.admin.runs("challenge status")
    assert "Missed: day 1, 2, 3" in status.text
    assert "Day 4" in status.text


async def _states(bot: Any, count: int, state: str) -> bool:
    return [r.state for r in (await rows(bot))[:count]] == [state] * count


@pytest.mark.allow_errors("could not be posted")
async def test_a_403_on_the_thread_is_reported_and_recovered(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.faults.forbidden("POST", "/channels/*/messages/*/threads")
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=first_days(tmp_path, 2),
        series_start=soon(-0.2),
        series_interval=timedelta(seconds=4),
        answer_delay=timedelta(0),
    )

    async def failed() -> bool:
        found = await rows(bot)
        return bool(found) and found[0].error is not None and "403" in found[0].error

    await wait_for(failed, timeout=10)
    status = await emulator.admin.runs("challenge status")
    assert "403 Forbidden while creating the day's thread" in status.text
    emulator.faults.clear()
    await wait_for(lambda: _day_posted(bot, 1), timeout=10)
    row = (await rows(bot))[0]
    assert row.error is None and row.thread_id == row.message_id
    await bot_runner.settle()
    # Day 1 once, and day 2 once if its time came (4 s in): exactly the posts recorded.
    posted = [r.message_id for r in await rows(bot) if r.state == "posted"]
    assert posted[0] == row.message_id
    assert [int(m["id"]) for m in marked(emulator)] == posted


async def test_forum_channel_mode(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=first_days(tmp_path, 2),
        series_start=soon(-0.2),
        challenge_channel_id=emulator.channel_id("challenges-forum"),
        answer_delay=timedelta(0),
    )
    await wait_for(lambda: _answered(bot, 1), timeout=10)
    row = (await rows(bot))[0]
    (post,) = day_threads(emulator, "challenges-forum")
    assert post["name"] == thread_name(ENGLISH, SERIES.days[0]) and int(post["id"]) == row.thread_id
    messages = emulator.bot_messages(row.thread_id)
    assert int(messages[0]["id"]) == row.thread_id  # the starter message
    assert "-# ref " in messages[0]["content"]
    assert any("Join the Conversation" in m["content"] for m in messages)
    answer = render_answers(SERIES.days[0])[0].content
    assert [m["content"] for m in messages].count(answer) == 1
    assert emulator.recorder.pinging() == []


async def test_challenge_commands_for_members_and_admins(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    role_id = int(emulator.role("Challengers")["id"])
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=first_days(tmp_path, 3),
        series_start=soon(-0.2),
        ping_role_id=role_id,
        answer_delay=timedelta(hours=3),
    )
    await wait_for(lambda: _day_posted(bot, 1), timeout=10)
    (ping,) = emulator.recorder.pinging()  # only day 1's first message, only the role
    assert ping.roles == [str(role_id)] and not ping.users and not ping.everyone
    assert int(ping.message_id) == (await rows(bot))[0].message_id
    first = next(m for m in emulator.bot_messages("challenges") if m["id"] == ping.message_id)
    assert first["content"].startswith(f"<@&{role_id}>")

    amina = emulator.member("amina")
    for line, options in (("challenge status", {}), ("challenge post", {"number": 2})):
        refused = await amina.runs(line, **options)
        assert refused.ephemeral and "Manage Server" in refused.text
    assert not await _day_posted(bot, 2)

    today = await amina.runs("challenge today")
    assert today.ephemeral and "Day 1" in today.text and "channels/" in today.text
    hidden = await amina.runs("challenge day", number=2)
    assert "hasn't been posted yet" in hidden.text
    assert SERIES.days[1].questions[0][:40] not in hidden.text
    assert "days 1 to 3" in (await amina.runs("challenge day", number=13)).text

    admin = emulator.admin
    assert "already posted" in (await admin.runs("challenge post", number=1)).text
    assert "is posted" in (await admin.runs("challenge post", number=2)).text
    assert len(marked(emulator)) == 2
    assert "skipped" in (await admin.runs("challenge skip", number=3)).text
    assert "already posted" in (await admin.runs("challenge skip", number=1)).text
    preview = await admin.runs("challenge preview", number=3)
    assert preview.ephemeral and "Preview of day 3" in preview.text
    bad = await admin.runs("challenge reschedule", interval="banana")
    assert "couldn't use that" in bad.text
    assert "Paused" in (await admin.runs("challenge pause")).text
    assert "Resumed" in (await admin.runs("challenge resume")).text
    moved = await admin.runs("challenge channel", to="challenges-forum")
    assert (
        "challenges-forum" in moved.text
        or str(emulator.channel_id("challenges-forum")) in moved.text
    )
    status = await admin.runs("challenge status")
    assert "2 posted" in status.text and "1 skipped" in status.text
    stored = await rows(bot)
    pings = emulator.recorder.pinging()
    assert [int(p.message_id) for p in pings] == [stored[0].message_id, stored[1].message_id]
    assert all(p.roles == [str(role_id)] and not p.users for p in pings)


async def test_an_interrupted_multi_message_post_continues_where_it_stopped(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    # A one-day series whose only day is long enough for three messages.
    folder = tmp_path / "long"
    folder.mkdir()
    text = (FIXTURES / "00-long-day-11.md").read_text("utf-8")
    (folder / "day-01.md").write_text(text.replace("Day 11:", "Day 1:"), "utf-8")
    (day,) = load_series(folder).days
    bot = await bot_runner.start(extensions=EXTENSIONS, series_dir=folder, series_start=far_ahead())
    await wait_for(lambda: _count_rows(bot, 1), timeout=5)
    settings = bot.settings
    await bot_runner.stop()

    nonce = "fedcba9876543210"
    parts = render_day(
        ENGLISH,
        day,
        next_post_at=None,
        series_name=settings.series_name,
        is_last=True,
        marker=f"ref {nonce}",
    )
    assert len(parts) == 3
    channel_id = str(emulator.channel_id("challenges"))
    first, second = (
        emulator.messages.create(
            channel_id, emulator.bot_id, {"content": p.content}, check_permissions=False
        )
        for p in parts[:2]
    )
    # Recorded: the intent and the first message; the second was sent but not recorded.
    db = database_at(settings.database_location)
    await db.open()
    try:
        store = SeriesStore(db)
        await store.claim(
            guild_id := settings.guild_id,
            settings.series_id,
            1,
            nonce=nonce,
            channel_id=int(channel_id),
        )  # type: ignore[arg-type]
        first_id = int(first.data["id"])
        await store.update(
            guild_id,
            settings.series_id,
            1,
            message_id=first_id,
            parts_sent=1,
            last_message_id=first_id,
        )  # type: ignore[arg-type]
    finally:
        await db.close()

    bot = await bot_runner.start(extensions=EXTENSIONS, series_dir=folder, series_start=far_ahead())
    await wait_for(lambda: _day_posted(bot, 1), timeout=10)
    posted = [m for m in emulator.bot_messages("challenges") if int(m["id"]) >= first_id]
    assert [m["id"] for m in posted][:2] == [first.data["id"], second.data["id"]]
    assert [m["content"] for m in posted] == [p.content for p in parts]  # part 2 not resent
    (row,) = await rows(bot)
    assert row.parts_sent == 3 and row.thread_id == first_id


async def test_a_resumed_answer_in_a_busy_thread_is_not_sent_twice(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    days = first_days(tmp_path, 1)
    start = soon(-0.2)
    bot = await bot_runner.start(
        extensions=EXTENSIONS,
        series_dir=days,
        series_start=start,
        answer_delay=timedelta(hours=3),
    )
    await wait_for(lambda: _day_posted(bot, 1), timeout=10)
    settings = bot.settings
    (row,) = await rows(bot)
    await bot_runner.stop()

    # The answer's first part went out just before a crash, after 120 replies (more than one
    # page of history); then members kept talking. The row only says "posting, 0 sent".
    thread = str(row.thread_id)
    amina = emulator.member("amina").id
    for index in range(120):
        emulator.messages.create(
            thread, amina, {"content": f"reply {index}"}, check_permissions=False
        )
    answers = render_answers(SERIES.days[0])
    emulator.messages.create(
        thread, emulator.bot_id, {"content": answers[0].content}, check_permissions=False
    )
    for index in range(5):
        emulator.messages.create(
            thread, amina, {"content": f"late {index}"}, check_permissions=False
        )
    db = database_at(settings.database_location)
    await db.open()
    try:
        assert await SeriesStore(db).claim_answers(
            settings.guild_id,  # type: ignore[arg-type]
            settings.series_id,
            1,
            nonce="00aa11bb22cc33dd",
        )
    finally:
        await db.close()

    bot = await bot_runner.start(
        extensions=EXTENSIONS, series_dir=days, series_start=start, answer_delay=timedelta(0)
    )
    await wait_for(lambda: _answered(bot, 1), timeout=10)
    sent = [m["content"] for m in emulator.bot_messages(thread)]
    assert [sent.count(part.content) for part in answers] == [1] * len(answers)


async def test_skip_answers_in_time_while_a_post_holds_the_lock(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    bot = await start_far_ahead(bot_runner, tmp_path, 3)
    lock = service(bot).lock(bot.settings.guild_id)
    await lock.acquire()  # as a long catch-up would
    try:
        asking = asyncio.create_task(emulator.admin.runs("challenge skip", number=2))
        # The emulator refuses a callback later than Discord's 3 s (404 Unknown interaction),
        # so a successful one proves the deadline was met; the poll itself gets a margin.
        await wait_for(
            lambda: [
                c
                for c in emulator.recorder.rest("POST", "/interactions/*/callback")
                if c.status in (200, 204)
            ],
            timeout=10,
            message="no answer within Discord's 3 seconds while the lock was held",
        )
    finally:
        lock.release()
    answer = await asking
    assert answer.type == 5  # deferred first
    assert "Day 2 is skipped" in answer.text
    assert [r.state for r in await rows(bot)] == ["scheduled", "skipped", "scheduled"]


async def test_sigterm_during_a_post_finishes_the_post_and_exits_cleanly(
    bot_process: Any, emulator: Emulator, tmp_path: Path
) -> None:
    """Shutting the scheduler down used to cancel the post in progress before anything
    waited for it: a `systemctl stop` mid-post left a day half posted until the next start."""
    days = first_days(tmp_path, 2)
    # Opening the thread takes 3 s: the stop comes while day 1 is half posted.
    emulator.faults.delay("POST", "/channels/*/messages/*/threads", seconds=3.0, times=1)
    process = bot_process(series_dir=days, series_start=soon(2), answer_delay=timedelta(0))
    process.start()
    await process.wait_ready(timeout=30)
    await wait_for(lambda: marked(emulator), timeout=15)  # the first message is out
    assert day_threads(emulator) == []
    process.terminate()
    assert await process.wait(timeout=20) == 0
    log = process.log()
    assert "SIGTERM received: stopping" in log and log.rstrip().endswith("Stopped")
    assert "Traceback" not in log
    [thread] = day_threads(emulator)  # the step in progress was finished, not cut
    assert thread["name"] == thread_name(ENGLISH, SERIES.days[0])
    db = database_at(process.settings.database_location)
    await db.open(check_writable=False)
    try:
        first = await SeriesStore(db).get_day(int(emulator.guild_id), process.settings.series_id, 1)
    finally:
        await db.close()
    assert first is not None and first.state == "posted" and first.thread_id == int(thread["id"])


async def test_a_start_in_the_past_posts_nothing_until_an_admin_chooses(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    """A fresh database with SERIES_START five days ago used to post days 1–6 in one second,
    each "posted late because the bot was offline" (it had never run)."""
    start = (datetime.now(UTC) - timedelta(days=5, hours=1)).date().isoformat()
    bot = await bot_runner.start(extensions=EXTENSIONS, series_dir=FIXTURES, series_start=start)
    await bot_runner.settle()
    assert marked(emulator) == []
    held = (await service(bot).config(bot.settings.guild_id)).held
    assert held[0] == 1 and len(held) >= 5
    status = await emulator.admin.runs("challenge status")
    assert "Holding days 1–" in status.text and "start is in the past" in status.text
    labels = [button["label"] for button in status.buttons()]
    assert labels[0].startswith("Post the") and "Start from the next slot" in labels
    chosen = await status.click("Start from the next slot")
    await wait_for(lambda: chosen.followups, timeout=10)
    assert "starts from the next slot" in chosen.followups[-1]["content"]
    stored = await rows(bot)
    assert all(r.state == "scheduled" for r in stored) and marked(emulator) == []
    assert stored[0].planned_at > datetime.now(UTC)  # day 1 is next, at the posting time
    assert (await service(bot).config(bot.settings.guild_id)).held == ()


async def test_a_reschedule_typo_asks_before_posting_and_post_now_has_no_late_note(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    bot = await start_far_ahead(bot_runner, tmp_path, 3)
    answer = await emulator.admin.runs("challenge reschedule", start="2020-01-01")
    assert "nothing was posted" in answer.text and "Holding days 1–3" in answer.text
    await bot_runner.settle()
    assert marked(emulator) == []  # the typo posted nothing
    chosen = await answer.click("Post the 3 overdue days now")
    await wait_for(lambda: all_done(answers=False)(bot), timeout=15)
    await wait_for(lambda: chosen.followups, timeout=10)
    assert len(marked(emulator)) == 3
    assert not any(LATE_NOTE in m["content"] for m in marked(emulator))  # nobody was offline
    assert [t["name"] for t in day_threads(emulator)] == [
        thread_name(ENGLISH, d) for d in SERIES.days[:3]
    ]
    assert "Posted day 1, 2, 3" in chosen.followups[-1]["content"]


async def test_a_fresh_database_adopts_the_days_already_in_the_channel(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    """Started against a new database (the old file lost, or DATABASE_PATH wrong), the bot
    used to post "Day 1" a second time in a channel that already had it."""
    channel = str(emulator.channel_id("challenges"))
    earlier = {}
    for day in SERIES.days[:3]:
        sent = emulator.messages.create(
            channel,
            emulator.bot_id,
            {"content": f"# {title_line(ENGLISH, day)}\n\n…\n-# ref {day.number:016x}"},
            check_permissions=False,
        )
        earlier[day.number] = int(sent.data["id"])
    start = datetime.now(UTC) - timedelta(days=3, minutes=30)  # day 4 is due now
    bot = await bot_runner.start(
        extensions=EXTENSIONS, series_dir=FIXTURES, series_start=start.isoformat()
    )
    await wait_for(lambda: _day_posted(bot, 4), timeout=15)
    stored = await rows(bot)
    assert [r.state for r in stored[:5]] == ["posted"] * 4 + ["scheduled"]
    assert [r.message_id for r in stored[:3]] == [earlier[n] for n in (1, 2, 3)]
    firsts = marked(emulator)
    assert len(firsts) == 4  # the three already there, and day 4: nothing twice
    assert title_line(ENGLISH, SERIES.days[3]) in firsts[-1]["content"]
    assert LATE_NOTE not in firsts[-1]["content"]  # day 4 is on time (within its grace)
