"""Broken content files, `.env` values and database files give precise, readable errors:
`file:line: message` for content, the setting's name for `.env` (exit 2), and a clear line
for a corrupted or locked database — which is never overwritten."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.content import ContentError
from bot.keywords.loader import load_articles
from bot.series.loader import load_series
from bot.settings import Settings
from bot.store import Database

REPO = Path(__file__).resolve().parents[2]
DAYS = REPO / "data" / "challenges"
KEYWORDS = REPO / "data" / "keywords"


@pytest.fixture
def days(tmp_path: Path) -> Path:
    target = tmp_path / "challenges"
    shutil.copytree(DAYS, target)
    return target


@pytest.fixture
def keywords(tmp_path: Path) -> Path:
    target = tmp_path / "keywords"
    shutil.copytree(KEYWORDS, target)
    return target


def day_file(folder: Path, number: int) -> Path:
    return next(folder.glob(f"day-{number:02d}-*.md"))


def problems_of(loader, folder: Path) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ContentError) as caught:
        loader(folder)
    return [str(problem) for problem in caught.value.problems]


def body_of(path: Path) -> str:
    """The page without its front matter."""
    text = path.read_text("utf-8")
    assert text.startswith("---\n")
    return text.split("\n---\n", 1)[1]


# --- challenge days ---------------------------------------------------------------------------


def test_the_copies_are_sound(days: Path, keywords: Path) -> None:
    assert len(load_series(days)) == 12
    assert len(load_articles(keywords)) >= 60


def test_bad_yaml_front_matter_names_file_and_line(days: Path) -> None:
    page = day_file(days, 3)
    page.write_text(
        "---\ncomments: true\nkeywords: [remote sensing\n---\n" + body_of(page), "utf-8"
    )
    found = problems_of(load_series, days)
    assert len(found) == 2, found  # the page, and day 3 is now unknown hence missing
    assert found[0].startswith(f"{page}:3: front matter doesn't parse")
    assert found[1] == (
        f"{days}: day 3 is missing: days must run from 1 to 12 without gaps "
        "(found days 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12)"
    )


def test_unclosed_front_matter(days: Path) -> None:
    page = day_file(days, 4)
    page.write_text("---\ncomments: true\n\n# **Day 4: Finance**\n\nText.\n", "utf-8")
    assert f"{page}:1: front matter opened with --- is never closed" in problems_of(
        load_series, days
    )


def test_missing_h1(days: Path) -> None:
    page = day_file(days, 5)
    text = page.read_text("utf-8")
    lines = text.split("\n")
    h1 = next(i for i, line in enumerate(lines) if line.startswith("# "))
    lines[h1] = "Welcome without a title."
    page.write_text("\n".join(lines), "utf-8")
    found = problems_of(load_series, days)
    assert f"{page}:{h1 + 1}: no title: the page needs an H1 like '# **🧠 Day 1: Title 🧠**'" in (
        found
    )
    assert any("no day number" in p and p.startswith(f"{page}:{h1 + 1}:") for p in found)


def test_duplicate_day(days: Path) -> None:
    original = day_file(days, 2)
    copy = days / "day-02-again.md"
    shutil.copy(original, copy)
    h1 = next(
        i for i, line in enumerate(copy.read_text("utf-8").split("\n"), 1) if line[:2] == "# "
    )
    assert problems_of(load_series, days) == [
        f"{original}:{h1}: day 2 is defined twice: in {copy.name} and in {original.name}"
    ]


def test_missing_day(days: Path) -> None:
    day_file(days, 7).unlink()
    assert problems_of(load_series, days) == [
        f"{days}: day 7 is missing: days must run from 1 to 12 without gaps "
        "(found days 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)"
    ]


def test_empty_file(days: Path) -> None:
    page = day_file(days, 12)
    page.write_text(" \n\n", "utf-8")
    assert problems_of(load_series, days) == [f"{page}:1: the file is empty"]


def test_front_matter_only(days: Path) -> None:
    page = day_file(days, 12)
    page.write_text("---\nday: 12\n---\n\n", "utf-8")
    assert problems_of(load_series, days) == [f"{page}:4: the page is empty after its front matter"]


def test_non_utf8_bytes_name_the_line(days: Path) -> None:
    page = day_file(days, 9)
    raw = page.read_bytes().split(b"\n")
    raw[11] = raw[11] + b" caf\xe9 \xff"  # Latin-1 bytes on line 12
    page.write_bytes(b"\n".join(raw))
    found = problems_of(load_series, days)
    assert found[0] == f"{page}:12: not valid UTF-8 text"
    assert found[1:] == [
        f"{days}: day 9 is missing: days must run from 1 to 12 without gaps "
        "(found days 1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12)"
    ]


def test_every_problem_is_reported_at_once(days: Path) -> None:
    day_file(days, 1).write_text("", "utf-8")
    day_file(days, 6).write_bytes(b"\xff\xfe\x00")
    found = problems_of(load_series, days)
    assert f"{day_file(days, 1)}:1: the file is empty" in found
    assert f"{day_file(days, 6)}:1: not valid UTF-8 text" in found
    assert sum("is missing" in p for p in found) == 2


# --- keyword articles -----------------------------------------------------------------------


def front_matter_line(path: Path, key: str) -> int:
    lines = path.read_text("utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def test_duplicate_slug(keywords: Path) -> None:
    original = keywords / "deep-learning.md"
    copy = keywords / "zz-deep-learning-copy.md"
    text = original.read_text("utf-8").replace("title: Deep Learning", "title: Deep Learning 2")
    text = text.replace("  - DL\n", "").replace("  - apprentissage profond\n", "")
    text = text.replace("  - التعلم العميق\n", "").replace("  - deep neural nets\n", "")
    copy.write_text(text, "utf-8")
    found = problems_of(load_articles, keywords)
    assert found == [
        f"{copy}:{front_matter_line(copy, 'slug')}: slug 'deep-learning' is also used by {original}"
    ]


def test_duplicate_alias_after_normalising(keywords: Path) -> None:
    page = keywords / "machine-learning.md"
    text = page.read_text("utf-8")
    page.write_text(text.replace("aliases:\n", "aliases:\n  - DÉEP   learning!\n", 1), "utf-8")
    found = problems_of(load_articles, keywords)
    assert found == [
        f"{page}:{front_matter_line(page, 'aliases')}: alias 'DÉEP learning!' is also a name "
        f"of 'Deep Learning' ({keywords / 'deep-learning.md'}, as 'Deep Learning')"
    ]


def test_unknown_related_slug(keywords: Path) -> None:
    page = keywords / "deep-learning.md"
    text = page.read_text("utf-8")
    page.write_text(text.replace("related:\n", "related:\n  - quantum-vibes\n", 1), "utf-8")
    assert problems_of(load_articles, keywords) == [
        f"{page}:{front_matter_line(page, 'related')}: related: no article has slug 'quantum-vibes'"
    ]


def test_empty_body(keywords: Path) -> None:
    page = keywords / "edge-ai.md"
    text = page.read_text("utf-8")
    head = text.split("\n---\n", 1)[0] + "\n---\n"
    page.write_text(head + "\n   \n", "utf-8")
    line = head.count("\n") + 1
    # The article is gone, so the articles relating to it now point nowhere: reported too.
    found = problems_of(load_articles, keywords)
    assert found[0] == f"{page}:{line}: the article has no text"
    assert all("no article has slug 'edge-ai'" in p for p in found[1:])


def test_bad_keyword_front_matter(keywords: Path) -> None:
    page = keywords / "robotics.md"
    page.write_text("---\ntitle: Robotics\nslug: Robo Tics\naliases: robots\n---\nText\n", "utf-8")
    found = problems_of(load_articles, keywords)
    assert f"{page}:1: missing category" in found
    assert (
        f"{page}:3: slug 'Robo Tics' must be lowercase letters, digits and single hyphens" in found
    )
    assert f"{page}:4: aliases must be a list (one '- item' per line)" in found


# --- .env values ------------------------------------------------------------------------------


@pytest.fixture
def env_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SERIES_TIMEZONE=Morocco/Rabat", "SERIES_TIMEZONE: expected an IANA time zone"),
        ("SERIES_TIMEZONE=", "SERIES_TIMEZONE: expected an IANA time zone"),
        ("SERIES_INTERVAL=every day", "SERIES_INTERVAL: expected a duration such as 30s"),
        ("SERIES_INTERVAL=0s", "SERIES_INTERVAL: expected a duration such as 30s"),
        ("SERIES_INTERVAL=-1d", "SERIES_INTERVAL: expected a duration such as 30s"),
        ("ANSWER_DELAY=soon", "ANSWER_DELAY: expected a duration such as 0, 30s"),
        ("SERIES_POST_TIME=9h", "SERIES_POST_TIME: expected a local time HH:MM"),
        ("SERIES_POST_TIME=25:99", "SERIES_POST_TIME: expected a local time HH:MM"),
        ("SERIES_START=01/12/2026", "SERIES_START: expected a date (2026-12-01)"),
        ("SERIES_START=2026-13-01", "SERIES_START: expected a date (2026-12-01)"),
        ("GUILD_ID=my-server", "GUILD_ID: expected a server id (a number"),
        ("CHALLENGE_CHANNEL_ID=#challenges", "CHALLENGE_CHANNEL_ID: expected a channel id"),
        ("PING_ROLE_ID=@Challengers", "PING_ROLE_ID: expected a valid value"),
        ("THREAD_AUTO_ARCHIVE_MINUTES=30", "THREAD_AUTO_ARCHIVE_MINUTES: expected 60, 1440"),
        ("MISSED_POST_POLICY=never", "MISSED_POST_POLICY: expected 'late'"),
        ("LOG_LEVEL=LOUD", "LOG_LEVEL: expected one of DEBUG"),
        ("DISCORD_API_URL=discord.com", "DISCORD_API_URL: expected an http(s) URL"),
    ],
)
def test_bad_env_values_name_the_setting_and_exit_2(
    env_dir: Path, line: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (env_dir / ".env").write_text(f"DISCORD_TOKEN=x.y.z\n{line}\n", "utf-8")
    assert main(["check", "--offline"]) == 2
    err = capsys.readouterr().err
    assert expected in err, err
    assert err.startswith("error: ") and "Traceback" not in err
    assert "x.y.z" not in err  # the token is never echoed


def test_every_bad_env_value_is_reported_at_once(
    env_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (env_dir / ".env").write_text(
        "GUILD_ID=abc\nSERIES_TIMEZONE=Nowhere\nSERIES_INTERVAL=often\n", "utf-8"
    )
    assert main(["check", "--offline"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert [line.split(":")[1].strip() for line in err] == [
        "GUILD_ID",
        "SERIES_TIMEZONE",
        "SERIES_INTERVAL",
    ] or sorted(line.split(":")[1].strip() for line in err) == [
        "GUILD_ID",
        "SERIES_INTERVAL",
        "SERIES_TIMEZONE",
    ]


# --- database files ---------------------------------------------------------------------------


@pytest.fixture
def checked(env_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SERIES_DIR", str(DAYS))
    monkeypatch.setenv("KEYWORDS_DIR", str(KEYWORDS))
    database = env_dir / "bot.sqlite3"
    monkeypatch.setenv("DATABASE_PATH", str(database))
    asyncio.run(create(database))  # `check` never creates one
    return database


async def create(path: Path) -> None:
    db = Database(path)
    await db.open()
    await db.close()


def test_corrupted_database_is_reported_and_left_untouched(
    checked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--offline"]) == 1  # a good database first
    assert "schema version" in capsys.readouterr().out
    damaged = bytearray(checked.read_bytes())
    damaged[:16] = b"not sqlite here!"  # the header is gone
    checked.write_bytes(bytes(damaged))
    assert main(["check", "--offline"]) == 1
    out = capsys.readouterr().out
    assert f"✗ DATABASE_PATH {checked} is not a readable SQLite database" in out
    assert "It was left untouched" in out
    assert checked.read_bytes() == bytes(damaged)


def test_locked_database_is_reported_and_left_untouched(
    checked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--offline"]) == 1
    assert "schema version" in capsys.readouterr().out
    other = sqlite3.connect(checked, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        other.execute("CREATE TABLE held_by_someone_else (x)")
        before = checked.read_bytes()
        assert main(["check", "--offline"]) == 1
        out = capsys.readouterr().out
        assert f"✗ DATABASE_PATH {checked} is locked by another process" in out
        assert "Is another copy of the bot running?" in out
        assert checked.read_bytes() == before
    finally:
        other.execute("ROLLBACK")
        other.close()
