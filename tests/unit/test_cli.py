"""The `challenge-bot` command line: exit codes and messages a user sees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in ("DISCORD_TOKEN", "GUILD_ID", "CHALLENGE_CHANNEL_ID", "SERIES_START"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("SERIES_DIR", str(REPO / "data" / "challenges"))
    monkeypatch.setenv("KEYWORDS_DIR", str(REPO / "data" / "keywords"))
    return tmp_path


def test_every_subcommand_has_help() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[union-attr]
        assert sub.format_help(), name
    assert set(subparsers.choices) >= {  # type: ignore[arg-type]
        "run",
        "check",
        "preview",
        "schedule",
        "export",
        "import-keywords",
        "invite",
        "erase-user",
    }


def test_run_without_token_says_how_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "DISCORD_TOKEN is not set" in err
    assert "discord.com/developers/applications" in err
    assert ".env" in err


def test_broken_env_file_is_reported_precisely(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (isolated / ".env").write_text(
        "DISCORD_TOKEN=x.y.z\nSERIES_TIMEZONE=Casablanca\nSERIES_INTERVAL=daily\n", encoding="utf-8"
    )
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "SERIES_TIMEZONE: expected an IANA time zone" in err
    assert "SERIES_INTERVAL: expected a duration" in err
    assert "Traceback" not in err


def test_check_passes_on_shipped_content(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check", "--offline"])
    out = capsys.readouterr().out
    assert "Challenge days" in out and "12 loaded" in out
    assert "Keyword articles" in out
    assert "Database" in out and "created at the first run" in out
    # No token and no channel are the only problems in a bare environment.
    assert code == 1
    assert out.count("✗ DISCORD_TOKEN") == 1


def test_check_names_a_broken_content_file(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    days = isolated / "days"
    days.mkdir()
    (days / "day-01.md").write_text("---\ncomments: [true\n---\n# Day 1: X\n", encoding="utf-8")
    monkeypatch.setenv("SERIES_DIR", str(days))
    assert main(["check", "--offline"]) == 1
    out = capsys.readouterr().out
    assert f"{days / 'day-01.md'}:" in out


def test_check_reports_schema_of_an_existing_database(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["check", "--offline"])
    assert not (isolated / "bot.sqlite3").exists()  # check never creates the database
    import asyncio

    from bot.store import Database

    async def create() -> None:
        db = Database(isolated / "bot.sqlite3")
        await db.open()
        await db.close()

    asyncio.run(create())
    capsys.readouterr()
    main(["check", "--offline"])
    assert "exists, schema version" in capsys.readouterr().out


def test_corrupt_database_is_reported_not_overwritten(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = isolated / "bot.sqlite3"
    db.write_bytes(b"garbage" * 1000)
    assert main(["check", "--offline"]) == 1
    assert "not a readable SQLite database" in capsys.readouterr().out
    assert db.read_bytes() == b"garbage" * 1000


def test_python_dash_m_bot_works(isolated: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "challenge-bot" in result.stdout
