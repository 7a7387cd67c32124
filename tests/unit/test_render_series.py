"""The series' short answers: `/challenge day|today`, `/challenge preview` and the status embed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.i18n import ENGLISH
from bot.rendering.days import render_day_bundle
from bot.rendering.limits import EMBED_TOTAL, MESSAGE_CONTENT
from bot.rendering.series import (
    PREVIEW_MESSAGES,
    render_channel_set,
    render_day_view,
    render_paused,
    render_preview,
    render_status,
)
from bot.series.config import effective_config
from bot.series.loader import load_series
from bot.series.model import DayRow, Series
from bot.series.service import DayView, SeriesStatus
from bot.settings import Settings
from bot.store.series import Run
from tests.fakes import day_row

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "days"
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def series() -> Series:
    return load_series(FIXTURES)


def row(day: int, state: str, **changes: object) -> DayRow:
    return day_row(day, state, AT, **changes)


def test_a_day_is_shown_only_once_posted(series: Series) -> None:
    day = series.day(2)
    assert "first one arrives <t:" in str(
        render_day_view(ENGLISH, DayView(None, 12, None, None, AT))
    )
    assert "days 1 to 12" in str(render_day_view(ENGLISH, DayView(13, 12, None, None)))
    waiting = render_day_view(ENGLISH, DayView(2, 12, day, row(2, "scheduled")))
    assert isinstance(waiting, str) and "hasn't been posted yet" in waiting and "<t:" in waiting
    skipped = render_day_view(ENGLISH, DayView(2, 12, day, row(2, "skipped")))
    assert skipped == "Day 2 wasn't posted in this server."
    posting = render_day_view(ENGLISH, DayView(2, 12, day, row(2, "posting", thread_id=5)))
    assert isinstance(posting, str)  # not finished: the question stays hidden
    shown = render_day_view(
        ENGLISH, DayView(2, 12, day, row(2, "posted", thread_id=222, posted_at=AT))
    )
    assert isinstance(shown, discord.Embed)
    assert shown.url == "https://discord.com/channels/1/222"


def test_a_preview_fits_in_ten_messages_of_at_most_2000_characters(series: Series) -> None:
    for day in series:
        bundle = render_day_bundle(
            ENGLISH, day, next_post_at=AT, series_name="S", is_last=series.is_last(day.number)
        )
        texts = render_preview(ENGLISH, day.number, bundle, timedelta(hours=3))
        assert texts[0].startswith(f"👀 **Preview of day {day.number}**")
        assert len(texts) <= PREVIEW_MESSAGES
        assert all(0 < len(text) <= MESSAGE_CONTENT for text in texts)
        expected = 3 + len(bundle.parts) + len(bundle.opening) + len(bundle.answers)
        if not bundle.answers:
            expected -= 1
        if expected > PREVIEW_MESSAGES:
            assert "`challenge-bot preview` prints them all" in texts[-1]
        else:
            assert len(texts) == expected
            assert ("posted 3h after the day" in "\n".join(texts)) == bool(bundle.answers)


def test_status_lists_days_problems_and_the_next_post() -> None:
    settings = Settings(_env_file=None, guild_id=1, challenge_channel_id=77)  # type: ignore[call-arg]
    rows = [
        row(1, "posted", thread_id=11, posted_at=AT, late=True),
        row(2, "posting", error="HTTP 503 while sending the day's message", attempts=2),
        row(3, "missed"),
        row(4, "scheduled"),
    ]
    status = SeriesStatus(
        config=effective_config(settings, {}, guild_id=1),
        rows=rows,
        total_days=4,
        next_day=2,
        next_at=AT + timedelta(days=3),
        overdue=[2],
        now=AT + timedelta(days=3),
        problems=[],
    )
    embed = render_status(ENGLISH, status, "My Series")
    assert embed.title == "My Series — status"
    text = str(embed.to_dict())
    assert "Day 2 (try 2): HTTP 503" in text and "Missed: day 3" in text
    assert "Overdue: day 2." in text and "<#77>" in text
    assert "[thread](https://discord.com/channels/1/11)" in (embed.description or "")
    assert len(embed) <= EMBED_TOTAL


def test_pause_and_channel_replies_say_what_happened() -> None:
    assert "until `/challenge resume`" in render_paused(ENGLISH, True)
    assert render_paused(ENGLISH, False) == "The series is already paused."
    assert render_channel_set(ENGLISH, "<#7>", []) == "✅ Days will be posted in <#7>."
    warned = render_channel_set(ENGLISH, "<#7>", ["Send Messages", "Create Public Threads"])
    assert warned.endswith("missing these permissions there: Send Messages, Create Public Threads.")


def _status(config: dict[str, object] | None = None, **changes: object) -> SeriesStatus:
    settings = Settings(_env_file=None, guild_id=1)  # type: ignore[call-arg]
    values: dict[str, object] = {
        "config": replace(effective_config(settings, {}, guild_id=1), **(config or {})),
        "rows": [],
        "total_days": 0,
        "next_day": None,
        "next_at": None,
        "overdue": [],
        "now": AT,
        "problems": [],
    }
    values.update(changes)
    return SeriesStatus(**values)  # type: ignore[arg-type]


def _run(edition: int, kind: str) -> Run:
    return Run(1, "r", "s", edition, kind, None, None, None, AT, None)


def _fields(embed: discord.Embed) -> dict[str, str]:
    return {str(field.name): str(field.value) for field in embed.fields}


SCHEDULE = "Start: not set ({tz})\nEvery: 1d\nChannel: not set\nMissed posts: {policy}"


def test_status_with_no_days_says_whether_any_are_loaded() -> None:
    for total, description in ((0, "No days loaded."), (12, "12 days loaded, none scheduled yet.")):
        embed = render_status(ENGLISH, _status(total_days=total), "S")
        assert (embed.title, embed.description) == ("S — status", description)
        tz = _status().config.tz.key
        assert _fields(embed) == {
            "Next post": "Nothing scheduled.",
            "Schedule": SCHEDULE.format(tz=tz, policy="late"),
            "Days": "—",
        }


def test_status_of_held_days_names_the_edition_and_leaves_overdue_to_the_buttons() -> None:
    status = _status(
        {"held": (2, 3), "paused": True},
        rows=[row(2, "scheduled"), row(3, "scheduled")],
        overdue=[2, 3],
        total_days=3,
        run=_run(2, "live"),
    )
    embed = render_status(ENGLISH, status, "S")
    assert embed.title == "S — status (edition 2)"
    fields = _fields(embed)
    assert fields["Next post"].startswith("⏸️ Holding days 2–3: the start is in the past")
    assert fields["Days"] == "2 scheduled"
    assert "⚠️ Problems" not in fields


@pytest.mark.parametrize(
    ("policy", "run", "title", "problem"),
    [
        ("late", _run(1, "rehearsal"), "S — status (rehearsal 1)", "on resume: posted late"),
        ("skip", _run(1, "live"), "S — status", "on resume: marked missed"),
    ],
)
def test_status_while_paused_says_what_resuming_does_to_passed_days(
    policy: str, run: Run, title: str, problem: str
) -> None:
    status = _status(
        {"paused": True, "missed_policy": policy},
        rows=[row(1, "scheduled")],
        overdue=[1],
        total_days=1,
        run=run,
    )
    embed = render_status(ENGLISH, status, "S")
    assert embed.title == title
    fields = _fields(embed)
    assert fields["Next post"] == "⏸️ Paused — `/challenge resume` to continue."
    assert fields["Schedule"].endswith(f"Missed posts: {policy}")
    assert fields["⚠️ Problems"] == f"• Passed while paused: day 1 ({problem})."


def test_status_next_post_when_idle_or_complete() -> None:
    idle = _status(
        rows=[row(1, "posted", error="Missing Access")], total_days=2, idle="Day 2 has no page."
    )
    fields = _fields(render_status(ENGLISH, idle, "S"))
    assert fields["Next post"] == "Day 2 has no page."
    assert fields["⚠️ Problems"] == "• Day 1: Missing Access"  # no attempt count: no "(try N)"
    complete = _status(rows=[row(1, "posted"), row(2, "skipped")], total_days=2)
    fields = _fields(render_status(ENGLISH, complete, "S"))
    assert fields["Next post"] == "The series is complete."
    assert fields["Days"] == "1 posted, 1 skipped"
