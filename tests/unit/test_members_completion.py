"""Completion roles: many replies checked at once still give each role exactly once.

No per-member lock is needed: each grant is claimed in the store (`claim_grant`, INSERT …
ON CONFLICT DO NOTHING) before Discord is asked, and only one claim can succeed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.i18n import Language
from bot.i18n.choice import LanguageChoice
from bot.members.completion import CompletionRoles
from bot.store import SqlDatabase, database_at
from bot.store.languages import LanguageStore
from bot.store.members import MemberStore

G, USER, SERIES = 1, 10, "s"
FINISHER, CHAMPION = 501, 502
NOW = datetime(2026, 12, 13, 12, tzinfo=UTC)


class FakeMember:
    """What CompletionRoles touches on a member; add_roles yields so checks interleave."""

    def __init__(self, guild: Any) -> None:
        self.id = USER
        self.guild = guild
        self.display_name = "Amina"
        self.roles: list[int] = []
        self.add_calls = 0

    def get_role(self, role_id: int) -> object | None:
        return object() if role_id in self.roles else None

    async def add_roles(self, role: Any, *, reason: str) -> None:
        self.add_calls += 1
        await asyncio.sleep(0.01)  # a Discord round trip: the others run meanwhile
        self.roles.append(role.id)


class FakeThread:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, content: str, **kwargs: Any) -> None:
        self.sent.append(content)


@pytest.fixture
async def db(state_url: str) -> AsyncIterator[SqlDatabase]:
    """A 12-day series; the member commented on days 1-11."""
    database = database_at(state_url)
    await database.open()
    for day in range(1, 13):
        await database.execute(
            "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
            "thread_id) VALUES (?, ?, ?, ?, ?, 'posted', ?)",
            (G, SERIES, day, f"T{day}", f"2026-12-{day:02d}T08:00:00.000Z", 100 + day),
        )
        if day < 12:
            await database.execute(
                "INSERT INTO comments (message_id, guild_id, day, thread_id, author_id, "
                "author_name, content, created_at, series) "
                "VALUES (?, ?, ?, ?, ?, 'amina', 'x', ?, ?)",
                (day, G, day, 100 + day, USER, NOW.isoformat(), SERIES),
            )
    yield database
    await database.close()


def english(db: SqlDatabase) -> LanguageChoice:
    return LanguageChoice(LanguageStore(db), Language.ENGLISH)


async def test_simultaneous_replies_give_each_role_once(db: SqlDatabase) -> None:
    roles = {rid: SimpleNamespace(id=rid, name=f"role {rid}") for rid in (FINISHER, CHAMPION)}
    guild = SimpleNamespace(id=G, name="guild", me=None, get_role=roles.get)
    member = FakeMember(guild)
    settings = SimpleNamespace(
        completion_role_id=FINISHER, completion_tier_role_id=CHAMPION, completion_tier_days=6
    )
    series = SimpleNamespace(rehearsal=None, definition=settings)  # the series' roles
    bot = SimpleNamespace(
        settings=settings,
        now=lambda: NOW,
        all_series={SERIES: series},
        series_for=lambda record: series if record == SERIES else None,
    )
    completion = CompletionRoles(bot, MemberStore(db), english(db))  # type: ignore[arg-type]
    thread = FakeThread()

    results = await asyncio.gather(
        *(completion.check(member, SERIES, 12, thread) for _ in range(8))  # type: ignore[arg-type]
    )

    assert sorted(rid for given in results for rid in given) == [FINISHER, CHAMPION]
    assert member.add_calls == 2 and sorted(member.roles) == [FINISHER, CHAMPION]
    said = "\n".join(thread.sent)  # each role celebrated once, whoever won its claim
    assert said.count(f"role {FINISHER}") == 1 and said.count(f"role {CHAMPION}") == 1
    assert set(await MemberStore(db).granted(G, SERIES, USER)) == {FINISHER, CHAMPION}
    assert not hasattr(completion, "_locks")


async def test_roles_follow_the_series_and_a_rehearsal_gives_none(db: SqlDatabase) -> None:
    roles = {rid: SimpleNamespace(id=rid, name=f"role {rid}") for rid in (FINISHER, CHAMPION)}
    guild = SimpleNamespace(id=G, name="guild", me=None, get_role=roles.get)
    with_roles = SimpleNamespace(
        completion_role_id=FINISHER, completion_tier_role_id=CHAMPION, completion_tier_days=6
    )
    without = SimpleNamespace(
        completion_role_id=None, completion_tier_role_id=None, completion_tier_days=6
    )
    for service in (
        SimpleNamespace(rehearsal=object(), definition=with_roles),  # a rehearsal of it
        SimpleNamespace(rehearsal=None, definition=without),  # a series without roles
        None,  # a series no longer configured
    ):
        bot = SimpleNamespace(
            settings=with_roles,
            now=lambda: NOW,
            all_series={"main": SimpleNamespace(rehearsal=None, definition=with_roles)},
            series_for=lambda _record, service=service: service,
        )
        completion = CompletionRoles(bot, MemberStore(db), english(db))  # type: ignore[arg-type]
        assert completion.role_ids == {FINISHER, CHAMPION}  # every series' roles, for the fast path
        member = FakeMember(guild)
        assert await completion.check(member, SERIES, 12, FakeThread()) == []  # type: ignore[arg-type]
        assert member.add_calls == 0
