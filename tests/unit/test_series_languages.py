"""Day posts in the server's language, recognised as ours in any language.

A server may change its language between a crash and the restart (or before a lost database
is rebuilt): what recognises our own posts — the marker line, thread names, the text of a part
sent just before a crash — must still find them, so nothing is posted twice. A made-up
"translation" (every message changed) stands in for French, so these tests don't depend on
what the catalogue holds.
"""

from __future__ import annotations

import gettext
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import pytest

from bot.i18n import ENGLISH, Language, Messages, messages
from bot.publishing import _MARKER, Publisher
from bot.rendering.days import (
    MARKER_MAX,
    marker_line,
    render_day_bundle,
    thread_name,
    thread_names,
)
from bot.series.loader import load_series
from bot.series.model import Series
from bot.series.posting import DayPost, marker
from tests.fakes import day_row

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "days"
AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ME = 99


class Reworded(gettext.NullTranslations):
    """Every message said differently, placeholders kept (`long`: three times as long)."""

    def __init__(self, *, long: bool = False) -> None:
        super().__init__()
        self.long = long

    def gettext(self, message: str) -> str:
        return f"« {message.replace('Day', 'Jour')} »" * (3 if self.long else 1)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return self.gettext(message)


OTHER = Messages(Language.FRENCH, Reworded())
LONG = Messages(Language.FRENCH, Reworded(long=True))


@pytest.fixture(scope="module")
def series() -> Series:
    return load_series(FIXTURES)


def bundle(tr: Messages, series: Series, number: int) -> Any:
    day = series.day(number)
    assert day is not None
    return render_day_bundle(tr, day, next_post_at=AT, series_name="S", is_last=False)


@pytest.mark.parametrize("tr", [OTHER, LONG, *(messages(lang) for lang in Language)])
def test_the_marker_line_is_recognised_in_every_language(tr: Messages) -> None:
    row = day_row(1, "posting", AT, nonce="0123456789abcdef", late=True)
    line = marker_line(marker(tr, row, rehearsal=True))  # the longest: both notes
    assert len(line) <= MARKER_MAX + 3
    assert _MARKER.search(f"# Day 1: Title\n\n…\n{line}")
    assert line.endswith(" · ref 0123456789abcdef")
    assert marker(tr, replace(row, late=False)) == "ref 0123456789abcdef"


def test_every_language_names_the_thread(series: Series) -> None:
    day = series.day(10)
    assert day is not None
    names = thread_names(day)
    assert thread_name(ENGLISH, day) in names
    assert {thread_name(messages(lang), day) for lang in Language} <= names
    assert thread_name(OTHER, day) != thread_name(ENGLISH, day)  # the stand-in differs


class FakeChannel:
    """A text channel's history, newest first, as `history()` gives it."""

    def __init__(self, contents: list[str]) -> None:
        self.messages = [
            SimpleNamespace(
                id=1000 + index,
                content=content,
                author=SimpleNamespace(id=ME),
                type=discord.MessageType.default,
                flags=SimpleNamespace(has_thread=True),
                created_at=AT,
            )
            for index, content in enumerate(contents)
        ]
        self.guild = SimpleNamespace(get_thread=lambda _id: None)

    async def history(self, **_: Any) -> AsyncIterator[Any]:
        for message in reversed(self.messages):
            yield message


def publisher() -> Publisher:
    client = SimpleNamespace(user=SimpleNamespace(id=ME))
    return Publisher(client, None)  # type: ignore[arg-type]


async def test_a_part_sent_before_the_language_changed_is_adopted(series: Series) -> None:
    english, other = bundle(ENGLISH, series, 11), bundle(OTHER, series, 11)
    assert len(english.parts) > 1 and english.parts[-1] != other.parts[-1]
    last = len(english.parts) - 1
    channel = FakeChannel([part.content for part in english.parts])
    # Resumed in the other language: its own rendering doesn't match what was sent …
    alone = DayPost(other, ping_role_id=None, archive_minutes=60)
    assert await publisher()._already_sent(channel, 0, alone.part_variants(last)) is None
    # … but the post knows the other renderings, and adopts the English part.
    post = DayPost(other, ping_role_id=None, archive_minutes=60, others=(english,))
    found = await publisher()._already_sent(channel, 0, post.part_variants(last))
    assert found is not None and found.content == english.parts[last].content
    assert english.thread_name in post.thread_names and other.thread_name in post.thread_names


async def test_a_lost_database_adopts_posts_made_in_another_language(series: Series) -> None:
    row = day_row(2, "posting", AT, nonce="00000000000000aa", late=True)
    day = series.day(2)
    assert day is not None
    first = render_day_bundle(
        OTHER,
        day,
        next_post_at=AT,
        series_name="S",
        is_last=False,
        ping_role_id=42,  # the title is on the second line
        marker=marker(OTHER, row),
    ).parts[0]
    channel = FakeChannel([first.content])
    names = {d.number: {thread_name(ENGLISH, d), thread_name(OTHER, d)} for d in series}
    found = await publisher().find_posted_days(channel, names)  # type: ignore[arg-type]
    assert list(found) == [2]
    only_english = {d.number: {thread_name(ENGLISH, d)} for d in series}
    assert await publisher().find_posted_days(channel, only_english) == {}  # type: ignore[arg-type]
