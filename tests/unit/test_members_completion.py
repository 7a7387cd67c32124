"""Completion roles: many replies checked at once still give each role exactly once.

No per-member lock is needed: each grant is claimed in the store (`claim_grant`, INSERT …
ON CONFLICT DO NOTHING) before Discord is asked, and only one claim can succeed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from bot.boundary import Grantable, MemberInfo, RefusedError
from bot.i18n import Language
from bot.i18n.choice import LanguageChoice
from bot.members.completion import CompletionRoles
from bot.store import SqlDatabase, database_at
from bot.store.languages import LanguageStore
from bot.store.members import MemberStore
from tests.fakes import FakeClock, FakeDiscord

G, USER, SERIES = 1, 10, "s"
FINISHER, CHAMPION = 501, 502
NOW = datetime(2026, 12, 13, 12, tzinfo=UTC)


THREAD = 112  # day 12's thread


def member(*role_ids: int) -> MemberInfo:
    return MemberInfo(USER, G, "Amina", role_ids=frozenset(role_ids))


def rules(
    completion_role_id: int | None = FINISHER, tier_role_id: int | None = CHAMPION
) -> SimpleNamespace:
    return SimpleNamespace(
        completion_role_id=completion_role_id,
        completion_tier_role_id=tier_role_id,
        completion_tier_days=6,
    )


def discord_with_roles(**changes: Any) -> FakeDiscord:
    fake = FakeDiscord(**changes)
    for role_id in (FINISHER, CHAMPION):
        fake.put_role(G, role_id, f"role {role_id}", Grantable.YES)
    return fake


def completion_roles(
    db: SqlDatabase, fake: FakeDiscord, series_rules: Any = None
) -> CompletionRoles:
    found = rules() if series_rules is None else series_rules
    return CompletionRoles(
        fake,
        MemberStore(db),
        english(db),
        FakeClock(NOW),
        rules=lambda record: found if record == SERIES else None,
        definitions=lambda: [found],
    )


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
    fake = discord_with_roles(role_delay=0.01)  # a Discord round trip: the others run meanwhile
    completion = completion_roles(db, fake)

    results = await asyncio.gather(
        *(completion.check(member(), SERIES, 12, THREAD) for _ in range(8))
    )

    assert sorted(rid for given in results for rid in given) == [FINISHER, CHAMPION]
    assert sorted(fake.granted) == [(G, USER, FINISHER), (G, USER, CHAMPION)]
    said = "\n".join(sent.text for sent in fake.sent)  # each role celebrated once
    assert said.count(f"role {FINISHER}") == 1 and said.count(f"role {CHAMPION}") == 1
    assert {sent.channel_id for sent in fake.sent} == {THREAD}
    assert all(sent.ping_user is None for sent in fake.sent)  # no ping: the name in bold
    assert set(await MemberStore(db).granted(G, SERIES, USER)) == {FINISHER, CHAMPION}
    assert not hasattr(completion, "_locks")
    # Once given, never again: a later reply (or a restart) gives nothing more.
    assert await completion.check(member(), SERIES, 12, THREAD) == []
    assert len(fake.granted) == 2


async def test_roles_follow_the_series_and_a_rehearsal_gives_none(db: SqlDatabase) -> None:
    fake = discord_with_roles()
    no_roles = rules(None, None)
    for service_rules in (None, no_roles):  # a rehearsal or unknown series; a series without
        completion = CompletionRoles(
            fake,
            MemberStore(db),
            english(db),
            FakeClock(NOW),
            rules=lambda _record, found=service_rules: found,
            definitions=lambda: [rules()],
        )
        assert completion.role_ids == {FINISHER, CHAMPION}  # every series' roles, for the fast path
        assert await completion.check(member(), SERIES, 12, THREAD) == []
    assert fake.granted == [] and fake.sent == []


async def test_a_role_given_by_hand_is_recorded_not_celebrated(db: SqlDatabase) -> None:
    fake = discord_with_roles()
    completion = completion_roles(db, fake)
    assert await completion.check(member(FINISHER), SERIES, 12, THREAD) == [CHAMPION]
    assert fake.granted == [(G, USER, CHAMPION)]
    [sent] = fake.sent
    assert f"role {CHAMPION}" in sent.text and f"role {FINISHER}" not in sent.text
    assert set(await MemberStore(db).granted(G, SERIES, USER)) == {FINISHER, CHAMPION}


async def test_a_role_the_bot_cannot_give_is_not_claimed(
    db: SqlDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeDiscord()
    fake.put_role(G, FINISHER, "Finisher", Grantable.TOO_HIGH)
    fake.put_role(G, CHAMPION, "Champion", Grantable.NO_PERMISSION)
    completion = completion_roles(db, fake)
    with caplog.at_level(logging.WARNING, logger="bot.members.completion"):
        assert await completion.check(member(), SERIES, 12, THREAD) == []
    assert fake.granted == [] and fake.sent == []
    assert not await MemberStore(db).granted(G, SERIES, USER)  # tried again next time
    assert "Finisher is above the bot's own role" in caplog.text
    assert "lacks Manage Roles" in caplog.text


async def test_a_refused_grant_is_released_for_a_later_try(db: SqlDatabase) -> None:
    fake = discord_with_roles(refuse_roles=[RefusedError("403 Forbidden: Missing Permissions")])
    completion = completion_roles(db, fake, rules(FINISHER, None))
    assert await completion.check(member(), SERIES, 12, THREAD) == []
    assert not await MemberStore(db).granted(G, SERIES, USER)  # the claim was undone
    assert await completion.check(member(), SERIES, 12, THREAD) == [FINISHER]
    assert fake.granted == [(G, USER, FINISHER)]


async def test_after_reply_skips_members_with_every_role_and_other_threads(db: SqlDatabase) -> None:
    fake = discord_with_roles()
    completion = completion_roles(db, fake)
    assert await completion.after_reply(member(FINISHER, CHAMPION), THREAD) == []
    assert await completion.after_reply(member(), 999) == []  # not a challenge thread
    assert fake.granted == []
    assert sorted(await completion.after_reply(member(), THREAD)) == [FINISHER, CHAMPION]
