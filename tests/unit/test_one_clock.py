"""Every time decision goes through bot.clock: nothing else in bot/ or cogs/ reads the time."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Reading the system time, in any of its spellings.
FORBIDDEN = re.compile(
    r"\b(datetime\.now|datetime\.utcnow|datetime\.today|date\.today|time\.time|"
    r"time\.monotonic|time\.perf_counter|utils\.utcnow|loop\.time)\s*\("
)


def test_only_the_clock_module_reads_the_system_time() -> None:
    offenders = []
    for folder in ("bot", "cogs"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "bot" / "clock.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "read the time through bot.clock instead:\n" + "\n".join(offenders)


def test_the_check_catches_a_direct_read() -> None:
    assert FORBIDDEN.search("stamp = datetime.now(UTC)")
    assert FORBIDDEN.search("t0 = time.monotonic()")
    assert not FORBIDDEN.search("self.clock.now()")
