"""The schedule as the members' features see it: SeriesStore's rows as `SeriesDay`.

`series_days` is read only through SeriesStore; this converts its rows, so there is one query.
"""

from __future__ import annotations

from bot.members.participation import SeriesDay
from bot.store.series import DayRow, SeriesStore, record_key


def series_day(row: DayRow) -> SeriesDay:
    return SeriesDay(
        day=row.day,
        title=row.title,
        planned_at=row.planned_at,
        state=row.state,
        thread_id=row.thread_id,
        posted_at=row.posted_at,
        recap_posted_at=row.recap_posted_at,
    )


async def series_days(store: SeriesStore, guild_id: int, series: str) -> list[SeriesDay]:
    """A server's days in order, as `SeriesDay`."""
    return [series_day(row) for row in await store.list_days(guild_id, series)]


async def current_record(store: SeriesStore, guild_id: int, series_id: str) -> str:
    """The record of the series' current edition in a server (the first before any run)."""
    run = await store.live_run(guild_id, series_id)
    return run.record if run is not None else record_key(series_id, 1)
