"""`challenge-bot schedule` output in each situation, with the stored schedule faked."""

from __future__ import annotations

import argparse
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import series as cli
from bot.cli.series import StoredSchedule, schedule
from bot.series.config import effective_config
from bot.settings import Settings
from bot.store import StoreError
from bot.store.series import LIVE, REHEARSAL, Run, record_key
from tests.fakes import day_row

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "days"
AT = datetime(2030, 3, 4, 8, 0, tzinfo=UTC)
SERIES = "ml-dl-morocco"


def make_settings(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "guild_id": 1,
        "challenge_channel_id": 77,
        "series_dir": FIXTURES,
        "database_path": tmp_path / "bot.sqlite3",
        "series_start": "2030-03-04",
        "series_timezone": "UTC",
    }
    return Settings(_env_file=None, **{**values, **changes})  # type: ignore[arg-type]


def run(edition: int, kind: str = LIVE, ended: datetime | None = None) -> Run:
    record = record_key(SERIES, edition, kind)
    return Run(1, record, SERIES, edition, kind, None, None, None, AT, ended)


def fake_store(
    monkeypatch: pytest.MonkeyPatch, stored: StoredSchedule | Exception
) -> list[str | None]:
    """Make `stored_schedule` return (or raise) `stored`; the records asked for are kept."""
    asked: list[str | None] = []

    def stored_schedule(settings: Settings, record: str | None, definition: object) -> object:
        asked.append(record)
        if isinstance(stored, Exception):
            raise stored
        return stored

    monkeypatch.setattr(cli, "stored_schedule", stored_schedule)
    return asked


def test_broken_content_prints_each_problem_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "days"
    folder.mkdir()
    (folder / "day-1.md").write_text("# Day 1: Alone\n\nNo question here.\n", encoding="utf-8")
    assert schedule(make_settings(tmp_path, series_dir=folder), argparse.Namespace()) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{folder / 'day-1.md'}:3: no 'Join the Conversation' section")


def test_a_database_error_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_store(monkeypatch, StoreError("the database is locked"))
    assert schedule(make_settings(tmp_path), argparse.Namespace()) == 2
    assert capsys.readouterr() == ("", "error: the database is locked\n")


def test_an_unknown_run_lists_the_runs_on_stdout_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    config = effective_config(settings, {}, guild_id=1)
    wanted = f"{SERIES}#9"
    asked = fake_store(monkeypatch, StoredSchedule(1, config, [], [run(1), run(2)], wanted))
    assert schedule(settings, argparse.Namespace(series=wanted)) == 2
    assert asked == [wanted]
    assert capsys.readouterr() == (
        f"error: no run '{wanted}' in server 1 (runs: {SERIES}, {SERIES}#2)\n",
        "",
    )


def test_paused_without_a_start_or_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path, series_start=None)
    config = replace(effective_config(settings, {}, guild_id=1), paused=True)
    fake_store(monkeypatch, StoredSchedule(1, config, []))
    assert schedule(settings, argparse.Namespace()) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[:4] == [
        "ML & DL Morocco Challenges: 12 days, every 1d, start not set",
        "Paused (/challenge resume to continue).",
        "No start date: set SERIES_START in .env (or use /challenge reschedule). "
        "Nothing is scheduled.",
        "Nothing more will be posted: no start date: set SERIES_START in .env or use "
        "/challenge reschedule",
    ]
    assert lines[4] == cli.header(config)
    assert lines[5].split() == ["1", "Education", "—", "—", "not", "scheduled"]
    assert len(lines) == 5 + 12
    assert err == ""  # without a start, the warnings say nothing new


def test_a_rehearsal_shows_its_rows_states_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = make_settings(tmp_path)
    config = replace(effective_config(settings, {}, guild_id=1), paused=True)
    rehearsal = run(1, REHEARSAL)
    rows = [
        day_row(1, "posted", AT, late=True, posted_at=AT),
        day_row(2, "scheduled", AT, error="HTTP 503"),
    ]
    runs = [run(1, ended=AT), rehearsal]
    fake_store(monkeypatch, StoredSchedule(1, config, rows, runs, rehearsal.record))
    assert schedule(settings, argparse.Namespace()) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "ML & DL Morocco Challenges: 12 days, every 1d, start 2030-03-04 at 09:00",
        "Paused (/challenge resume to continue).",
        f"  edition 1     {SERIES:<32} from 2030-03-04, ended 2030-03-04",
        f"  rehearsal 1   {rehearsal.record:<32} from 2030-03-04  <- shown",
        # a rehearsal: no "Nothing more will be posted" even though the series is paused
        cli.header(config),
        cli.format_row(1, "Title 1", AT, "posted (late)", config),
        cli.format_row(2, "Title 2", rows[1].planned_at, "scheduled — HTTP 503", config),
    ]
    assert err == "(from the database, server 1)\n"
