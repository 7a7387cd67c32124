"""`challenge-bot export` and `challenge-bot erase-user` against a real database file."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.comments.model import Comment, Record
from bot.store import Database
from bot.store.comments import CommentStore

GUILD, OTHER = 10, 20
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def make(
    message_id: int, author: int, day: int = 1, guild: int = GUILD, reply_to: int | None = None
) -> Comment:
    return Comment(
        guild_id=guild,
        day=day,
        thread_id=500 + day,
        message_id=message_id,
        author_id=author,
        author_name=f"m{author}",
        content=f"reply {message_id}, day {day}",
        created_at=T0 + timedelta(minutes=message_id),
        reply_to=reply_to,
    )


async def _seed(path: Path) -> None:
    db = Database(path)
    await db.open()
    await CommentStore(db).apply(
        [
            Record(make(1, 7)),
            Record(make(2, 8, reply_to=1)),
            Record(make(3, 7, day=2)),
            Record(make(4, 7, guild=OTHER)),
        ]
    )
    await db.close()


async def _comments(path: Path, guild: int, user: int) -> list[Comment]:
    db = Database(path)
    await db.open()
    try:
        return await CommentStore(db).user_comments(guild, user)
    finally:
        await db.close()


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key in ("DISCORD_TOKEN", "GUILD_ID"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(path))
    asyncio.run(_seed(path))
    return path


def test_export_needs_a_server(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export"]) == 2
    assert "GUILD_ID" in capsys.readouterr().err


def test_export_json_to_stdout_nests_replies(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--guild", str(GUILD), "--day", "1"]) == 0
    document = json.loads(capsys.readouterr().out)
    (day,) = document["days"]
    (root,) = day["threads"]
    assert root["message_id"] == "1" and root["replies"][0]["message_id"] == "2"


def test_export_csv_all_days_to_a_file(
    database: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GUILD_ID", str(GUILD))
    out = tmp_path / "out" / "all.csv"
    assert main(["export", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text("utf-8"), newline="")))
    assert [(r["day"], r["message_id"]) for r in rows] == [("1", "1"), ("1", "2"), ("2", "3")]


def test_export_markdown(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--guild", str(GUILD), "--format", "md"]) == 0
    text = capsys.readouterr().out
    assert all(f"reply {i}" in text for i in (1, 2, 3))


def test_erase_user_asks_first(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert main(["erase-user", "7"]) == 1
    assert "Nothing erased" in capsys.readouterr().out
    assert len(asyncio.run(_comments(database, GUILD, 7))) == 2


def test_erase_user_in_every_server(
    database: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert main(["erase-user", "7"]) == 0
    assert "Erased 3 comment(s)" in capsys.readouterr().out
    assert asyncio.run(_comments(database, GUILD, 7)) == []
    assert asyncio.run(_comments(database, OTHER, 7)) == []
    assert len(asyncio.run(_comments(database, GUILD, 8))) == 1  # others untouched


def test_erase_user_yes_skips_the_question(database: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_questions(prompt: str) -> str:
        raise AssertionError("asked despite --yes")

    monkeypatch.setattr("builtins.input", no_questions)
    assert main(["erase-user", "8", "--yes"]) == 0
    assert asyncio.run(_comments(database, GUILD, 8)) == []
