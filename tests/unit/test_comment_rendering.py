"""Comment pages and /mydata stay inside Discord's limits and never ping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.comments.model import Attachment, Comment, DayPage, DayTotals, UserDayCount, UserSummary
from bot.i18n import ENGLISH
from bot.rendering.comments import render_day_page, render_my_data, safe_name
from bot.rendering.limits import EMBED_DESCRIPTION, EMBED_TOTAL

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def comment(i: int, content: str, name: str = "Amina") -> Comment:
    return Comment(
        guild_id=1,
        day=2,
        thread_id=50,
        message_id=100 + i,
        author_id=7,
        author_name=name,
        content=content,
        created_at=T0 + timedelta(minutes=i),
        attachments=(Attachment("a.png", "https://cdn.example/a.png"),),
        reply_to=99 if i % 2 else None,
        reactions=i,
    )


def test_a_page_of_huge_comments_fits_and_links_each_message() -> None:
    comments = [comment(i, ("word " * 800) + "@everyone") for i in range(5)]
    embed = render_day_page(ENGLISH, 2, DayPage(DayTotals(2, 42, 9), comments, 3, 9))
    assert len(embed.description or "") <= EMBED_DESCRIPTION
    assert len(embed) <= EMBED_TOTAL
    assert "**42** comment(s) from **9** participant(s)" in (embed.description or "")
    for c in comments:
        assert f"https://discord.com/channels/1/50/{c.message_id}" in (embed.description or "")
    assert "@everyone" not in (embed.description or "")
    assert embed.footer.text == "Page 4/9"


def test_names_are_plain_text() -> None:
    assert safe_name("**bold** @here\nname") == "\\*\\*bold\\*\\* @\u200bhere name"
    assert len(safe_name("x" * 500)) <= 80
    assert safe_name("   ") == "?"


def test_an_empty_day_invites_people_to_reply() -> None:
    embed = render_day_page(ENGLISH, 5, DayPage(DayTotals(5, 0, 0), [], 0, 1))
    assert "No comments recorded for day 5" in (embed.description or "")


def test_my_data_lists_days_and_the_erasure() -> None:
    summary = UserSummary(
        7,
        (
            UserDayCount(1, 2, T0, T0 + timedelta(hours=1)),
            UserDayCount(3, 1, T0 + timedelta(days=2), T0 + timedelta(days=2)),
        ),
        erased_at=None,
    )
    embed = render_my_data(ENGLISH, summary, "ML & DL Morocco Challenges")
    assert "**3** comment(s) on **2** day(s)" in (embed.description or "")
    assert embed.fields[0].value == "Day 1: 2 comment(s)\nDay 3: 1 comment(s)"
    forgotten = render_my_data(ENGLISH, UserSummary(7, (), erased_at=T0), "Series")
    assert "No comments of yours" in (forgotten.description or "")
    assert "asked to be forgotten" in (forgotten.description or "")
    assert len(forgotten) <= EMBED_TOTAL
