"""Fixtures shared by the unit tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.store import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database in a real SQLite file, closed after the test."""
    database = Database(tmp_path / "bot.sqlite3")
    await database.open()
    try:
        yield database
    finally:
        await database.close()
