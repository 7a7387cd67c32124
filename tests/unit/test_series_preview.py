"""`challenge-bot preview`: exactly what would be sent, message by message, with lengths."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.series.config import INTERVAL_KEY, START_KEY
from bot.store import Database, GuildSettingsStore

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "days"
HEADER = re.compile(r"^──── (.+) · message (\d+)/(\d+) \((\d+)/2000\)$")


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for key in ("DISCORD_TOKEN", "PING_ROLE_ID", "SERIES_NAME", "SERIES_INTERVAL"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    monkeypatch.setenv("SERIES_DIR", str(FIXTURES))
    monkeypatch.setenv("SERIES_START", "2026-12-01")
    monkeypatch.setenv("SERIES_POST_TIME", "09:00")
    monkeypatch.setenv("SERIES_TIMEZONE", "Africa/Casablanca")
    return tmp_path


def messages(out: str) -> list[tuple[str, int, str]]:
    """(label, declared length, content) for each printed message."""
    found: list[tuple[str, int, str]] = []
    lines = out.split("\n")
    headers = [i for i, line in enumerate(lines) if HEADER.match(line)]
    for index, start in enumerate(headers):
        end = headers[index + 1] if index + 1 < len(headers) else len(lines)
        body = lines[start + 1 : end]
        for cut, line in enumerate(body):
            if line.startswith(("════", "──── ")):  # the next day's banner, "answers: none"
                body = body[:cut]
                break
        while body and not body[-1]:
            body.pop()  # the blank line between days
        match = HEADER.match(lines[start])
        assert match is not None
        found.append((match.group(1), int(match.group(4)), "\n".join(body)))
    return found


def test_preview_one_day_prints_every_message_with_its_length(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview", "--day", "10"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("════ Day 10: Nurturing AI Talent — ")
    assert "posted 2026-12-10 09:00 Africa/Casablanca" in out
    printed = messages(out)
    labels = [label for label, _, _ in printed]
    assert labels == [
        "post",
        'thread "Day 10: Nurturing AI Talent" · opening',
        "thread · expert answers",
        "thread · expert answers",
    ]
    for _, declared, content in printed:
        assert declared == len(content) <= 2000
    post = printed[0][2]
    assert post.startswith("# 🧠 Day 10: Nurturing AI Talent")
    next_post = datetime(2026, 12, 11, 9, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
    stamp = int(next_post.timestamp())
    assert post.endswith(f"<t:{stamp}:F> (<t:{stamp}:R>)\n-# ref 0000000000000000")
    assert printed[1][2].startswith("## 💬 Join the Conversation")
    assert printed[2][2].startswith("### 🧠 Mr BELMADY")
    assert "Day 9" not in out and "Day 11:" not in out


def test_preview_all_days_ends_with_the_completed_series(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["preview"]) == 0
    out = capsys.readouterr().out
    assert [int(n) for n in re.findall(r"^════ Day (\d+):", out, re.M)] == list(range(1, 13))
    assert "thread · expert answers: none for this day" in out  # day 2
    assert "series is complete" in out.split("════ Day 12:")[1]
    for _, declared, content in messages(out):
        assert declared == len(content) <= 2000


def test_preview_reports_content_problems_and_exits_1(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "days"
    broken.mkdir()
    (broken / "day-1.md").write_text("# Day 1: No question\n\nHello.\n", encoding="utf-8")
    (broken / "day-3.md").write_text("# Day 3: Gap\n\n## Join the Conversation\n\nQ?\n")
    monkeypatch.setenv("SERIES_DIR", str(broken))
    assert main(["preview", "--day", "1"]) == 1
    err = capsys.readouterr().err
    assert f"{broken / 'day-1.md'}:3: no 'Join the Conversation' section" in err
    assert f"{broken}: day 2 is missing" in err


def test_preview_of_a_day_that_does_not_exist_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["preview", "--day", "13"]) == 2
    assert "there is no day 13 (days 1–12)" in capsys.readouterr().err


def test_preview_without_a_start_date_counts_from_now(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SERIES_START")
    monkeypatch.setenv("SERIES_INTERVAL", "10m")
    before = datetime.now().timestamp()
    assert main(["preview", "--day", "1"]) == 0
    stamp = int(re.findall(r"<t:(\d+):F>", capsys.readouterr().out)[0])
    assert before + 600 - 5 <= stamp <= datetime.now().timestamp() + 600


def test_preview_uses_the_servers_rescheduled_times(
    monkeypatch: pytest.MonkeyPatch, environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def reschedule() -> None:  # what `/challenge reschedule` leaves in the database
        db = Database(environment / "bot.sqlite3")
        await db.open()
        try:
            await GuildSettingsStore(db).set(7, START_KEY, "2027-01-04")
            await GuildSettingsStore(db).set(7, INTERVAL_KEY, "2d")
        finally:
            await db.close()

    asyncio.run(reschedule())
    monkeypatch.setenv("GUILD_ID", "7")
    assert main(["preview", "--day", "1"]) == 0
    out = capsys.readouterr().out
    assert "posted 2027-01-04 09:00 Africa/Casablanca" in out
    day_two = datetime(2027, 1, 6, 9, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
    assert f"<t:{int(day_two.timestamp())}:F>" in out
