"""The fixture day pages, and copies of the first few for short series."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.series.loader import load_day
from bot.series.model import ChallengeDay

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "days"


def bare_day(number: int, title: str, keywords: tuple[str, ...] = ()) -> ChallengeDay:
    """A day with a number, a title and keywords, and no content: for lookups and plans."""
    return ChallengeDay(number, title, "", "", (), (), (), None, keywords=keywords)


def first_days(tmp_path: Path, count: int) -> Path:
    """A copy of the fixture series with only days 1..count."""
    target = tmp_path / f"days-{count}"
    target.mkdir()
    for path in FIXTURES.glob("*.md"):
        day, _ = load_day(path)
        if day is not None and day.number <= count:
            shutil.copy(path, target / path.name)
    return target
