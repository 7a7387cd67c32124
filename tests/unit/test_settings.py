"""Settings: parsing from a patched environment, defaults, and readable errors."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from bot.settings import (
    DEFAULT_API_URL,
    DEFAULT_GATEWAY_URL,
    PROJECT_ROOT,
    Settings,
    SettingsError,
    format_duration,
    load_settings,
    parse_duration,
    parse_shard_ids,
)

ALL_KEYS = [
    "DISCORD_TOKEN",
    "DISCORD_API_URL",
    "DISCORD_GATEWAY_URL",
    "DATABASE_PATH",
    "GUILD_ID",
    "CHALLENGE_CHANNEL_ID",
    "SERIES_DIR",
    "KEYWORDS_DIR",
    "SERIES_START",
    "SERIES_POST_TIME",
    "SERIES_TIMEZONE",
    "SERIES_INTERVAL",
    "LOG_LEVEL",
    "ANSWER_DELAY",
    "MISSED_POST_POLICY",
]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    for key in ALL_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env here…
    # …nor the developer's own in the project folder
    monkeypatch.setitem(Settings.model_config, "env_file", ".env")


def test_defaults() -> None:
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.discord_api_url == DEFAULT_API_URL
    assert settings.discord_gateway_url == DEFAULT_GATEWAY_URL
    assert settings.database_path == PROJECT_ROOT / "data" / "bot.sqlite3"  # not the cwd
    assert settings.series_dir == PROJECT_ROOT / "data" / "challenges"
    assert settings.keywords_dir == PROJECT_ROOT / "data" / "keywords"
    assert settings.series_timezone == "Africa/Casablanca"
    assert settings.series_interval == timedelta(days=1)
    assert settings.series_post_time == time(9, 0)
    assert settings.log_level == "INFO"
    assert settings.start is None


def test_reads_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def.ghi")
    monkeypatch.setenv("GUILD_ID", "123")
    monkeypatch.setenv("CHALLENGE_CHANNEL_ID", "456")
    monkeypatch.setenv("SERIES_START", "2026-12-01")
    monkeypatch.setenv("SERIES_POST_TIME", "18:30")
    monkeypatch.setenv("SERIES_INTERVAL", "30s")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.require_token() == "abc.def.ghi"
    assert settings.guild_id == 123
    assert settings.challenge_channel_id == 456
    assert settings.start == date(2026, 12, 1)
    assert settings.series_post_time == time(18, 30)
    assert settings.series_interval == timedelta(seconds=30)
    assert settings.log_level == "DEBUG"


def test_reads_dotenv_file(tmp_path) -> None:
    (tmp_path / ".env").write_text("GUILD_ID=42\nSERIES_INTERVAL=2h\n", encoding="utf-8")
    settings = load_settings()
    assert settings.guild_id == 42
    assert settings.series_interval == timedelta(hours=2)


def test_start_with_offset_is_an_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERIES_START", "2026-12-01T09:00+01:00")
    start = load_settings().start
    assert isinstance(start, datetime)
    assert start.utcoffset() == timedelta(hours=1)


def test_blank_values_mean_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUILD_ID", "")
    monkeypatch.setenv("DISCORD_TOKEN", "  ")
    settings = load_settings()
    assert settings.guild_id is None
    assert settings.discord_token is None


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("SERIES_TIMEZONE", "Mars/Olympus", "SERIES_TIMEZONE: expected an IANA time zone"),
        ("SERIES_INTERVAL", "soon", "SERIES_INTERVAL: expected a duration"),
        ("SERIES_INTERVAL", "0s", "SERIES_INTERVAL: expected a duration"),
        ("SERIES_POST_TIME", "9h", "SERIES_POST_TIME: expected a local time HH:MM"),
        ("SERIES_START", "next monday", "SERIES_START: expected a date"),
        ("GUILD_ID", "my-server", "GUILD_ID: expected a server id"),
        ("DISCORD_API_URL", "discord.com", "DISCORD_API_URL: expected an http(s) URL"),
        ("MISSED_POST_POLICY", "maybe", "MISSED_POST_POLICY: expected 'late'"),
    ],
)
def test_invalid_values_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, key: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(expected)
    assert "Traceback" not in str(caught.value)


def test_missing_token_explains_how_to_get_one() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings().require_token()
    message = str(caught.value)
    assert "DISCORD_TOKEN" in message
    assert "discord.com/developers/applications" in message
    assert ".env" in message


def test_token_never_shown_in_errors_or_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "super-secret-token")
    settings = load_settings()
    assert "super-secret-token" not in repr(settings)
    assert "super-secret-token" not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30s", 30), ("10m", 600), ("2h", 7200), ("1d", 86400), ("0", 0), ("1.5h", 5400)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text).total_seconds() == seconds


@pytest.mark.parametrize("text", ["", "1w", "-5s", "m10", "1 day"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize("text", ["30s", "10m", "2h", "1d", "90s"])
def test_format_duration_round_trips(text: str) -> None:
    assert parse_duration(format_duration(parse_duration(text))) == parse_duration(text)


def test_env_example_documents_every_setting_and_loads(tmp_path, monkeypatch) -> None:
    from pathlib import Path

    from bot.settings import Settings

    example = Path(__file__).resolve().parents[2] / ".env.example"
    lines = example.read_text(encoding="utf-8").splitlines()
    keys = [line.split("=", 1)[0] for line in lines if line and not line.startswith("#")]
    assert sorted(keys) == sorted(name.upper() for name in Settings.model_fields)
    for index, line in enumerate(lines):
        if line and not line.startswith("#"):
            assert lines[index - 1].startswith("#"), f"{line} has no comment"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.series_name == "ML & DL Morocco Challenges"


def test_shard_settings() -> None:
    assert parse_shard_ids("") == [] and parse_shard_ids(" 2, 0 ,2") == [0, 2]
    assert parse_shard_ids("0-3") == [0, 1, 2, 3] and parse_shard_ids("0-1,4") == [0, 1, 4]
    unsharded = load_settings(_env_file=None)
    assert unsharded.shard_count is None and unsharded.shards is None
    assert load_settings(_env_file=None, shard_count=4).shards is None  # all four
    assert load_settings(_env_file=None, shard_count=4, shard_ids="1-2").shards == [1, 2]
    assert load_settings(_env_file=None, shard_count="", shard_ids="").shard_count is None
    for overrides, expected in (
        ({"shard_count": 2, "shard_ids": "2"}, "SHARD_IDS: "),
        ({"shard_count": 2, "shard_ids": "0-2"}, "shard 2 doesn't exist with SHARD_COUNT=2"),
        ({"shard_count": 2, "shard_ids": "1-0"}, "SHARD_IDS: "),
        ({"shard_count": 2, "shard_ids": "one"}, "SHARD_IDS: "),
        ({"shard_ids": "0"}, "SHARD_IDS needs SHARD_COUNT"),
        ({"shard_count": 0}, "SHARD_COUNT: "),
    ):
        with pytest.raises(SettingsError) as raised:
            load_settings(_env_file=None, **overrides)
        assert len(raised.value.problems) == 1 and expected in raised.value.problems[0]
