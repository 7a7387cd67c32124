"""The series' short answers: `/challenge day|today`, `/challenge preview` and the status embed."""

from __future__ import annotations

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
