"""Discord misbehaving: 429s (per route and global), 500/502s, 403s, gateway drops and
SIGKILLs while the bot posts, threads, records and answers. Nothing crashes, nothing is
posted twice, no comment is lost, members get an answer or an apology, admins see why."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.i18n import ENGLISH
from bot.rendering.days import render_answers, render_thread_opening, thread_name
from bot.series.loader import load_series
from devtools.emulator import Emulator, wait_for
from devtools.emulator.interactions import COMMAND
from devtools.emulator.runner import BotRunner
from tests.slow.crash import comparable, first_days, run_crash_series
from tests.timing import far_ahead

pytestmark = pytest.mark.e2e

APOLOGY = "Sorry, something went wrong on my side."


def nth(n: int) -> Callable[[str], bool]:
    """A fault condition true only for the n-th call matching the fault's method and route
    (each fault counts for itself; a call matching several faults consumes them all)."""
    seen = 0

    def when(path: str) -> bool:
        nonlocal seen
        seen += 1
        return seen == n

    return when


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def rows(bot: Any) -> list[Any]:
    return await bot.series.rows(bot.settings.guild_id)


def all_done(bot: Any, days: int, *, answers: bool = True) -> Any:
    async def check() -> bool:
        found = await rows(bot)
        return len(found) == days and all(
            r.state == "posted" and (not answers or r.answer_state in ("posted", "none"))
            for r in found
        )

    return check


def assert_each_day_once(emulator: Emulator, series_dir: Path) -> None:
    """One first message per day in #challenges, one thread each, each part once in it."""
    series = load_series(series_dir)
    firsts = [m for m in emulator.bot_messages("challenges") if "-# " in m["content"]]
    assert len(firsts) == len(series), [m["content"][:60] for m in firsts]
    names = {thread_name(ENGLISH, day) for day in series}
    threads = sorted(
        (t for t in emulator.threads_of("challenges") if t["name"] in names),
        key=lambda t: int(t["id"]),
    )
    assert [t["name"] for t in threads] == [thread_name(ENGLISH, day) for day in series]
    for day, thread in zip(series, threads, strict=True):
        said = Counter(comparable(m["content"]) for m in emulator.bot_messages(thread["id"]))
        for part in [*render_thread_opening(ENGLISH, day), *render_answers(day)]:
            assert said[comparable(part.content)] == 1, f"day {day.number}: {part.content[:60]}"


async def stored_comments(bot: Any) -> list[int]:
    await bot.get_cog("Comments").service.writer.flush()
    found = await bot.db.fetchall("SELECT message_id FROM comments ORDER BY message_id")
    return [int(row[0]) for row in found]


# --- posting ----------------------------------------------------------------------------------


async def test_posting_through_429s_5xx_and_gateway_drops(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    challenges = f"/channels/{emulator.channel_id('challenges')}/messages"
    faults = emulator.faults
    faults.rate_limit("POST", challenges, retry_after=0.3, when=nth(1))
    faults.rate_limit("POST", "/channels/*/messages", scope="global", when=nth(4))
    faults.server_error("POST", "/channels/*/messages/*/threads", status=502, when=nth(2))
    faults.rate_limit("POST", "/channels/*/messages/*/threads", scope="global", when=nth(3))
    days = first_days(tmp_path / "days", 3)
    bot = await bot_runner.start(
        series_dir=days,
        series_start=soon(-2),  # every day is due at start: held, then posted in a burst
        series_interval=timedelta(seconds=1),
        answer_delay=timedelta(seconds=0),
    )
    # What an admin's "Post the overdue days now" does.
    assert await bot.series.release_hold(bot.settings.guild_id, post_overdue=True)
    await emulator.drop_gateway()
    await emulator.drop_gateway(abrupt=True)
    await wait_for(all_done(bot, 3), timeout=30, message="the days were not all posted")

    assert_each_day_once(emulator, days)
    limited = emulator.recorder.statuses(429)
    assert len(limited) >= 3 and any(c.response.get("global") for c in limited)
    assert len(emulator.recorder.statuses(502)) == 1
    assert all(r.error is None for r in await rows(bot))
    assert emulator.recorder.pinging() == []


@pytest.mark.allow_errors(r"Day 1 of \S+ in server \d+ could not be posted")
async def test_a_403_is_shown_to_admins_and_the_day_posted_once_when_fixed(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    challenges = emulator.channel_id("challenges")
    blocked = emulator.faults.forbidden("POST", f"/channels/{challenges}/messages")
    days = first_days(tmp_path / "days", 1)
    bot = await bot_runner.start(
        series_dir=days,
        series_start=soon(-0.5),
        series_interval=timedelta(seconds=4),
        answer_delay=timedelta(0),
    )

    async def failed() -> bool:
        found = await rows(bot)
        return bool(found) and found[0].attempts >= 1

    await wait_for(failed, timeout=10)
    status = await emulator.admin.runs("challenge status")
    assert status.ephemeral
    assert "403 Forbidden while sending the day's message" in status.text
    assert "check the bot's permissions" in status.text
    refused = await emulator.member("amina").runs("challenge today")
    assert refused.ephemeral and "Day 1" not in refused.text

    emulator.faults.rules.remove(blocked)
    await wait_for(all_done(bot, 1), timeout=15)
    assert_each_day_once(emulator, days)
    assert (await rows(bot))[0].error is None
    status = await emulator.admin.runs("challenge status")
    assert "403 Forbidden" not in status.text  # (a snowflake may contain "403")


# --- recording --------------------------------------------------------------------------------


async def test_no_comment_lost_through_drops_resumes_and_failing_history(
    bot_runner: BotRunner, emulator: Emulator, tmp_path: Path
) -> None:
    bot = await bot_runner.start(
        series_dir=first_days(tmp_path / "days", 1),
        series_start=soon(-0.5),
        answer_delay=timedelta(days=1),
    )
    await wait_for(all_done(bot, 1, answers=False), timeout=10)
    thread = str((await rows(bot))[0].thread_id)
    members = [emulator.member(n) for n in ("amina", "youssef", "karim")]
    posted: list[dict[str, Any]] = []

    async def burst(count: int) -> None:
        for _ in range(count):
            member = members[len(posted) % 3]
            posted.append(await member.says(thread, f"reply {len(posted)}", drain=False))

    gateway = emulator.gateway

    async def reconnected(*, resumes: int | None = None, identifies: int | None = None) -> None:
        if resumes is not None:
            await wait_for(lambda: gateway.resume_count > resumes, timeout=10)
        if identifies is not None:
            await wait_for(lambda: gateway.identify_count > identifies, timeout=10)
        await emulator.drain()

    await burst(10)
    for abrupt in (False, True):  # a close, then a TCP reset: RESUME replays the events
        resumes = gateway.resume_count
        await emulator.drop_gateway(abrupt=abrupt)
        await burst(10)
        await reconnected(resumes=resumes)
    # A reconnect after which the first history read fails (403): the gap is filled later.
    emulator.faults.forbidden("GET", "/channels/*/messages", times=1)
    resumes = gateway.resume_count
    await emulator.drop_gateway(abrupt=True)
    await burst(10)
    await reconnected(resumes=resumes)
    await burst(10)
    resumes = gateway.resume_count
    await emulator.drop_gateway()
    await reconnected(resumes=resumes)
    expected = sorted(int(m["id"]) for m in posted)

    async def all_recorded() -> bool:
        return await stored_comments(bot) == expected

    await wait_for(all_recorded, timeout=15, message="some replies were never recorded")
    assert len(expected) == 50
    assert gateway.resume_count >= 4
    # The failing history read did happen (backfills run in the background after resumes).
    await wait_for(lambda: emulator.recorder.statuses(403), timeout=10)


# --- slash commands ---------------------------------------------------------------------------


async def test_commands_answer_through_429s_and_5xx(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start()
    amina = emulator.member("amina")
    emulator.faults.rate_limit("POST", "/interactions/*", retry_after=0.3, times=1)
    answer = await amina.runs("keyword", term="deep learning")
    assert "Deep Learning" in answer.text
    emulator.faults.rate_limit("*", "*", retry_after=0.2, scope="global", times=1)
    choices = await amina.autocomplete("keyword", "term", "machine")
    assert "machine-learning" in [c["value"] for c in choices], choices
    # discord.py waits ~1 s before retrying a 5xx, inside Discord's 3 s deadline: give the
    # retried callback margin on a loaded machine (the deadline itself is tested elsewhere).
    emulator.interactions.response_timeout = 8.0
    emulator.faults.server_error("POST", "/interactions/*", status=502, times=1)
    answer = await amina.runs("search", text="neural networks")
    assert "Neural Networks" in answer.text and APOLOGY not in answer.text, answer.text
    emulator.interactions.response_timeout = 3.0
    emulator.faults.rate_limit("POST", "/webhooks/*", retry_after=0.2, times=1)
    answer = await amina.runs("mydata")
    assert answer.ephemeral and answer.embeds and APOLOGY not in answer.text, answer.text
    assert emulator.recorder.count_429() == 3
    assert len(emulator.recorder.statuses(502)) == 1


@pytest.mark.allow_errors(r"Command /(challenge status|stats|comments export) failed")
async def test_a_failed_follow_up_becomes_an_apology_and_an_error_line(
    bot_runner: BotRunner, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    await bot_runner.start(series_start=far_ahead())
    admin = emulator.admin
    for line, route in (
        ("challenge status", "/webhooks/*"),
        ("comments export", "/webhooks/*"),
        ("stats", "/webhooks/*/messages/@original"),
    ):
        method = "PATCH" if route.endswith("@original") else "POST"
        emulator.faults.error(
            method, route, status=404, code=10015, message="Unknown Webhook", times=1
        )
        answer = await admin.runs(line)
        assert answer.ephemeral and APOLOGY in answer.text, f"/{line}: {answer!r}"
        assert f"Command /{line} failed" in caplog.text

    emulator.faults.forbidden("POST", "/webhooks/*")  # even the apology fails now
    emulator.faults.forbidden("PATCH", "/webhooks/*")
    record = emulator.interactions.send(
        COMMAND,
        admin.id,
        str(emulator.channel_id("general")),
        admin._command_data("challenge status", {}, str(emulator.channel_id("general"))),
    )
    await wait_for(lambda: "Could not tell the user about an error" in caplog.text, timeout=10)
    assert record.callback_type == 5  # deferred: the member sees "thinking…", no crash
    emulator.faults.clear()
    answer = await admin.runs("challenge status")
    assert "— status" in answer.text


# --- crashes ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("second_series", "seed", "posts"),
    [(False, 7, 3), (True, 11, 6)],
    ids=["one series", "two series"],
)
async def test_a_short_series_survives_sigkills(
    emulator: Emulator,
    bot_process: Any,
    tmp_path: Path,
    second_series: bool,
    seed: int,
    posts: int,
) -> None:
    """The CI-sized crash test (tests/slow/test_crash.py runs twelve days, 24 kills); with
    `second_series`, a second one (#general, every 2 s) runs beside it: each day of each
    series exactly once, every reply recorded in its own series."""
    report = await run_crash_series(
        emulator,
        bot_process,
        tmp_path,
        days=3,
        kills=4,
        seed=seed,
        interval=1,
        kill_window=(0.3, 2.5 if second_series else 2.0),
        max_life=6.0,
        second_series=second_series,
    )
    print("\n" + "\n".join(report.lines()))
    assert len(report.kills) == 4
    assert report.day_posts == posts and report.threads == posts
    assert report.member_messages == report.comments > 0
    assert report.log_errors == [], "\n".join(report.log_errors)
