"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.store import SqlDatabase, database_at


@pytest.fixture
async def db(state_url: str) -> AsyncIterator[SqlDatabase]:
    """A migrated state database — a real SQLite file, then a real PostgreSQL database —
    closed after the test."""
    database = database_at(state_url)
    await database.open()
    try:
        yield database
    finally:
        await database.close()
