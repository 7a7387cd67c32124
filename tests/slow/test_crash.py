"""The full crash test (`make bench-crash`): twelve days at a 3-second cadence, 24 SIGKILLs at
seeded random moments, members replying all along.

CRASH_SEED, CRASH_KILLS and CRASH_INTERVAL change the run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from devtools.emulator import Emulator
from tests.slow.crash import run_crash_series

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.timeout(600)]

SEED = int(os.environ.get("CRASH_SEED", "20261201"))
KILLS = int(os.environ.get("CRASH_KILLS", "24"))
INTERVAL = int(os.environ.get("CRASH_INTERVAL", "3"))


async def test_twelve_days_survive_two_dozen_sigkills(
    emulator: Emulator, bot_process: Any, tmp_path: Path
) -> None:
    report = await run_crash_series(
        emulator,
        bot_process,
        tmp_path,
        days=12,
        kills=KILLS,
        seed=SEED,
        interval=INTERVAL,
        max_life=6.0,
    )
    backend = "PostgreSQL" if os.environ.get("E2E_DATABASE") == "postgresql" else "SQLite"
    print(f"\nthe bot's state in {backend}\n" + "\n".join(report.lines()))
    assert len(report.kills) >= 20
    assert report.day_posts == 12 and report.threads == 12
    assert report.member_messages == report.comments > 0
    assert report.log_errors == [], "\n".join(report.log_errors)
