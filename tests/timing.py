"""Times for tests, always relative to now: no test depends on the calendar date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def soon(seconds: float) -> str:
    """An ISO start `seconds` from now (negative: that long ago)."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def far_ahead(days: int = 400) -> str:
    """A start date so far ahead that nothing is due during a test."""
    return (datetime.now(UTC) + timedelta(days=days)).date().isoformat()
