"""The schedule as the members' features read it: one run's days, and the current record."""

from __future__ import annotations

from bot.series.model import DayRow
from bot.store.series import SeriesStore, record_key


async def series_days(store: SeriesStore, guild_id: int, series: str) -> list[DayRow]:
    """A server's days of one run (`series`: its record), in day order."""
    return await store.list_days(guild_id, series)


async def current_record(store: SeriesStore, guild_id: int, series_id: str) -> str:
    """The record of the series' current edition in a server (the first before any run)."""
    run = await store.live_run(guild_id, series_id)
    return run.record if run is not None else record_key(series_id, 1)
