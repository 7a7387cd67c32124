"""`python -m bench --quick startup` still runs end to end (keeps the bench code from rotting).

The cheapest real benchmark: the emulator, one `python -m bot run` start, the report and the
Markdown file. About 5 seconds, most of it discord.py's guild_ready_timeout.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_quick_startup_benchmark_prints_the_report_and_writes_markdown(tmp_path: Path) -> None:
    output = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "startup", "--output", str(output)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "spawn → on_ready (1 run)" in done.stdout
    assert "did not finish" not in done.stdout, done.stderr
    assert "Targets met: " in done.stdout and "Machine: " in done.stdout
    markdown = output.read_text("utf-8")
    assert markdown.startswith("# Benchmark results")
    assert "| startup | spawn → on_ready (1 run) |" in markdown
