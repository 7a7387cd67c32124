"""deploy/: the systemd unit passes `systemd-analyze verify` (where systemd is installed) and
the Dockerfile's install steps give a working `challenge-bot` from outside the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "challenge-bot.service"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    # The unit names the install location (/opt/challenge-bot); point it at this checkout.
    text = UNIT.read_text(encoding="utf-8")
    text = text.replace("/opt/challenge-bot/.venv/bin/challenge-bot", sys.executable)
    text = text.replace("WorkingDirectory=/opt/challenge-bot", f"WorkingDirectory={REPO}")
    copy = tmp_path / "challenge-bot.service"
    copy.write_text(text, encoding="utf-8")
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "challenge-bot.service" in line]
    assert problems == []


def test_the_unit_keeps_the_database_in_its_state_directory() -> None:
    text = UNIT.read_text(encoding="utf-8")
    for line in (
        "StateDirectory=challenge-bot",
        "Environment=DATABASE_PATH=/var/lib/challenge-bot/bot.sqlite3",
        "Restart=on-failure",
        "RestartPreventExitStatus=2",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
    ):
        assert line in text.splitlines()


def test_the_dockerfile_runs_as_a_user_with_a_volume_and_a_health_check() -> None:
    text = (REPO / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "\nUSER 10001\n" in text and 'VOLUME ["/data"]' in text and "HEALTHCHECK" in text
    for copied in ("bot", "cogs", "data/challenges", "data/keywords", "constraints.txt"):
        assert f" {copied}" in text
