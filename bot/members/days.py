"""Which record the members' features read when none is named: the current edition's."""

from __future__ import annotations

from bot.store.series import SeriesStore, record_key


async def current_record(store: SeriesStore, guild_id: int, series_id: str) -> str:
    """The record of the series' current edition in a server (the first before any run)."""
    run = await store.live_run(guild_id, series_id)
    return run.record if run is not None else record_key(series_id, 1)
