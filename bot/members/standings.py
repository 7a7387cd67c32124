"""Standings: what /stats, /leaderboard and /streak show, read from the store.

The maths is pure (participation.py, chart.py); this only gathers the rows for it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.i18n import Messages
from bot.members.chart import comments_chart
from bot.members.participation import (
    ParticipationSummary,
    Ranked,
    Streak,
    rank,
    streak,
    summarise,
)
from bot.series.model import DayRow, current_day
from bot.store.members import MemberStore
from bot.store.series import SeriesStore


@dataclass(frozen=True, slots=True)
class MyStreak:
    """One member's streak and where today's challenge stands for them."""

    streak: Streak
    today: DayRow | None  # the latest posted day
    answered_today: bool


class Standings:
    """Participation of one run (`record`: an edition or a rehearsal) of a series."""

    def __init__(self, store: MemberStore, schedule: SeriesStore) -> None:
        self.store = store
        self.schedule = schedule

    async def summary(self, guild_id: int, record: str) -> ParticipationSummary:
        days = await self.schedule.list_days(guild_id, record)
        return summarise(
            await self.store.day_totals(guild_id, record),
            await self.store.participants(guild_id, record),
            days,
        )

    @staticmethod
    async def chart(tr: Messages, summary: ParticipationSummary) -> bytes:
        """The per-day chart as PNG bytes (labels in `tr`'s language), drawn in a worker
        thread."""
        return await asyncio.to_thread(comments_chart, tr, summary.per_day)

    async def ranking(self, guild_id: int, record: str) -> list[Ranked]:
        return rank(await self.store.participants(guild_id, record))

    async def streak_of(self, guild_id: int, record: str, user_id: int) -> MyStreak:
        days = await self.schedule.list_days(guild_id, record)
        mine = await self.store.user_days(guild_id, record, user_id)
        today = current_day(days)
        return MyStreak(streak(mine, days), today, today is not None and today.day in mine)
