"""The fixture day pages, and copies of the first few for short series."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.series.loader import load_day

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "days"


def first_days(tmp_path: Path, count: int) -> Path:
    """A copy of the fixture series with only days 1..count."""
    target = tmp_path / f"days-{count}"
    target.mkdir()
    for path in FIXTURES.glob("*.md"):
        day, _ = load_day(path)
        if day is not None and day.number <= count:
            shutil.copy(path, target / path.name)
    return target
