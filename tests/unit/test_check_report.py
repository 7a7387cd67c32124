"""`challenge-bot check` tells the truth: each mistake an organiser makes in .env is named."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli.doctor import check, check_settings, schedule_problems
from bot.settings import Settings


def settings(tmp_path: Path, **values: Any) -> Settings:
    base: dict[str, Any] = {
        "discord_token": "x.y.z",
        "guild_id": 1,
        "challenge_channel_id": 2,
        "series_start": (datetime.now(UTC) + timedelta(days=30)).date().isoformat(),
        "database_path": tmp_path / "bot.sqlite3",
    }
    return Settings(_env_file=None, **{**base, **values})  # type: ignore[call-arg]


def test_a_sound_configuration_has_no_problem(tmp_path: Path) -> None:
    assert check_settings(settings(tmp_path))[1] == []


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"series_start": None}, "SERIES_START is not set"),
        ({"challenge_channel_id": -5}, "CHALLENGE_CHANNEL_ID -5 is not a Discord id"),
        ({"welcome_message": "Hi {nobody}!"}, "WELCOME_MESSAGE"),
        ({"answer_delay": "1d", "series_interval": "30s"}, "ANSWER_DELAY (1d) is longer"),
        (
            {"series_start": (datetime.now(UTC) - timedelta(days=5)).date().isoformat()},
            "is in the past",
        ),
    ],
)
def test_each_mistake_is_reported_with_its_setting(
    tmp_path: Path, values: dict[str, Any], named: str
) -> None:
    problems = check_settings(settings(tmp_path, **values))[1]
    assert any(named in problem for problem in problems), problems


def test_a_past_start_is_fine_once_the_series_runs(tmp_path: Path) -> None:
    past = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    assert schedule_problems(settings(tmp_path, series_start=past), database_exists=True) == []


def test_check_exits_1_and_never_says_all_good_with_a_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = settings(tmp_path, series_start=None)
    assert check(bad, argparse.Namespace(offline=True)) == 1
    out = capsys.readouterr().out
    assert "All good." not in out and "SERIES_START is not set" in out
    assert not (tmp_path / "bot.sqlite3").exists()  # check never creates the database


def test_a_page_that_floods_the_channel_is_named(tmp_path: Path) -> None:
    from bot.cli.doctor import check_content

    folder = tmp_path / "days"
    folder.mkdir()
    standard = Path(__file__).parents[1] / "fixtures" / "days" / "day-01-standard.md"
    sections = "".join(
        f"## **Part {n}**\n\n" + "A long paragraph. " * 110 + "\n\n" for n in range(14)
    )
    page = standard.read_text(encoding="utf-8").replace(
        "## **Join the Conversation**", sections + "## **Join the Conversation**"
    )
    (folder / "day-01.md").write_text(page, encoding="utf-8")
    found = check_content(settings(tmp_path, series_dir=folder))
    [(_, _, problems)] = [s for s in found if s[0].startswith("Challenge days")]
    assert any("day-01.md" in p and "messages" in p for p in problems), problems
