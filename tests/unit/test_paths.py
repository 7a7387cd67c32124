"""Paths don't depend on the working directory: a systemd unit without WorkingDirectory, or an
organiser in another folder, finds the shipped content, and read-only commands create nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT, Settings

REPO = Path(__file__).resolve().parents[2]


def run_cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SERIES"))}
    environment.update({"PYTHONPATH": str(REPO), **env})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_relative_paths_are_taken_from_the_project_folder(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_path="state/x.sqlite3")  # type: ignore[call-arg]
    assert settings.database_path == PROJECT_ROOT / "state" / "x.sqlite3"
    assert settings.series_dir == PROJECT_ROOT / "data" / "challenges"
    absolute = Settings(_env_file=None, database_path=tmp_path / "y.sqlite3")  # type: ignore[call-arg]
    assert absolute.database_path == tmp_path / "y.sqlite3"


def test_check_from_another_directory_finds_the_shipped_content(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "check", "--offline", DATABASE_PATH=str(tmp_path / "db.sqlite3"))
    assert "series folder doesn't exist" not in result.stdout + result.stderr
    assert str(PROJECT_ROOT / "data" / "challenges") in result.stdout  # the absolute path
    assert "12 loaded" in result.stdout
    assert list(tmp_path.iterdir()) == []  # and no database was created


def test_read_only_commands_never_create_a_database(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "bot.sqlite3"
    for args in (("export", "--guild", "1"), ("erase-user", "42", "--yes"), ("schedule",)):
        result = run_cli(tmp_path, *args, DATABASE_PATH=str(missing))
        assert "Traceback" not in result.stderr, result.stderr
        assert not missing.exists() and not missing.parent.exists(), args
    export = run_cli(tmp_path, "export", "--guild", "1", DATABASE_PATH=str(missing))
    assert export.returncode == 2 and "doesn't exist" in export.stderr


def test_schedule_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SERIES"))}
    environment.update(
        {
            "PYTHONPATH": str(REPO),
            "SERIES_START": "2030-06-01",
            "DATABASE_PATH": str(tmp_path / "x"),
        }
    )
    # The reader stops after one line, like `challenge-bot schedule | head -1`.
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "schedule"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert b"BrokenPipeError" not in err and b"Traceback" not in err
