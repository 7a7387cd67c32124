"""How every table stores a moment: fixed-width UTC ISO-8601 text, so text order is time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(moment: datetime) -> str:
    """`2026-12-01T08:00:00.000000+00:00` (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str | None) -> datetime | None:
    """The inverse of `to_db`; also reads SQLite's own `…Z` timestamps."""
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def from_db_required(text: str | None) -> datetime:
    """`from_db` for a NOT NULL column: an empty value is a corrupt row, not "no time"."""
    moment = from_db(text)
    if moment is None:
        raise ValueError("a required timestamp column is empty")
    return moment
