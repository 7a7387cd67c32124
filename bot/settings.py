"""Settings, read from the environment and `.env`.

Every key is documented in `.env.example`. A bad value becomes one readable line
(`SettingsError`) naming the key and what was expected; the CLI turns it into exit code 2.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.i18n.catalogue import Language

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# What each setting expects, used in error messages.
EXPECTED: dict[str, str] = {
    "DISCORD_TOKEN": "the bot token from the Discord developer portal (Bot → Reset Token)",
    "DISCORD_API_URL": "an http(s) URL such as https://discord.com/api/v10",
    "DISCORD_GATEWAY_URL": "a ws(s) URL such as wss://gateway.discord.gg/",
    "GUILD_ID": "a server id (a number; Developer Mode → right-click the server → Copy ID)",
    "CHALLENGE_CHANNEL_ID": "a channel id (a number)",
    "SERIES_START": "a date (2026-12-01) or a date-time (2026-12-01T09:00 or 2026-12-01T09:00+01:00)",
    "SERIES_POST_TIME": "a local time HH:MM such as 09:00",
    "SERIES_TIMEZONE": "an IANA time zone such as Africa/Casablanca",
    "SERIES_INTERVAL": "a duration such as 30s, 10m, 2h or 1d",
    "ANSWER_DELAY": "a duration such as 0, 30s, 10m, 3h or 1d",
    "MISSED_POST_POLICY": "'late' (post missed days late, in order) or 'skip' (mark them missed)",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "BOT_LANGUAGE": "en (English), fr (Français) or ar (العربية)",
    "THREAD_AUTO_ARCHIVE_MINUTES": "60, 1440, 4320 or 10080",
    "DATABASE_PATH": "a file path",
    "DATABASE_URL": (
        "sqlite:///data/bot.sqlite3 (a file; relative to the project folder) or "
        "postgresql://user:password@host:5432/database"
    ),
    "WELCOME_DM": "true or false",
    "COMPLETION_TIER_DAYS": "a number of days from 1 to 12",
    "RECONCILE_DAYS": "a number of days from 0 to 365",
    "SHARD_COUNT": "a number of shards, 1 or more (empty: one shard, no sharding)",
    "SHARD_IDS": "shard ids below SHARD_COUNT, comma-separated (0,2) or a range (0-3); empty = all",
}


def _project_root() -> Path:
    """The base of every relative path: the checkout (or image) holding `data/`, or — for a
    `pip install .` into a virtualenv — the copy of `data/` installed under its `share/`."""
    checkout = Path(__file__).resolve().parents[1]
    installed = Path(sys.prefix) / "share" / "ml-dl-morocco-challenges-bot"
    if not (checkout / "data" / "challenges").is_dir() and (installed / "data").is_dir():
        return installed
    return checkout


PROJECT_ROOT = _project_root()
SQLITE_URL = "sqlite:///"


def is_postgres_url(location: str) -> bool:
    """A PostgreSQL connection URL (what DATABASE_URL and `migrate-to` take for it)."""
    return location.startswith(("postgresql://", "postgres://"))


class SettingsError(Exception):
    """A setting is missing or invalid. `str()` is a message fit for a user."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def parse_duration(value: str | int | float | timedelta) -> timedelta:
    """Parse `30s`, `10m`, `2h`, `1d` (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        text = str(value).strip()
        if re.fullmatch(r"\d+(?:\.\d+)?", text):
            seconds = float(text)
        else:
            match = _DURATION.match(text)
            if not match:
                raise ValueError(f"{value!r} is not a duration")
            seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds < 0:
        raise ValueError("a duration can't be negative")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    """The inverse of `parse_duration` for whole units: 86400 s → `1d`."""
    seconds = int(delta.total_seconds())
    for unit in ("d", "h", "m"):
        size = _UNIT_SECONDS[unit]
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_shard_ids(text: str) -> list[int]:
    """`0,2`, `0-3` or both (`0-1,4`) → the distinct shard ids, sorted; empty → []."""
    found: set[int] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+))?", part)
        if match is None:
            raise ValueError(f"{part!r} is not a shard id or a range like 0-3")
        first = int(match[1])
        last = int(match[2]) if match[2] is not None else first
        if last < first:
            raise ValueError(f"the range {part!r} goes backwards")
        found.update(range(first, last + 1))
    return sorted(found)


def parse_series_start(value: str) -> date | datetime:
    """A date (`2026-12-01`) or a date-time, with or without a UTC offset."""
    text = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Settings(BaseSettings):
    """All configuration. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        # The project folder's .env, then one in the working directory (which wins).
        env_file=(PROJECT_ROOT / ".env", ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    # Discord
    discord_token: SecretStr | None = None
    discord_api_url: str = DEFAULT_API_URL
    discord_gateway_url: str = DEFAULT_GATEWAY_URL
    guild_id: int | None = None
    challenge_channel_id: int | None = None
    ping_role_id: int | None = None
    admin_channel_id: int | None = None  # where the bot reports what needs a human
    # Sharding (several processes, or a very large bot): None = one shard, no sharding
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: str = ""  # the shards this process runs; empty = all of SHARD_COUNT
    # REST calls a second for the whole bot (Discord's global limit is 50; shared by shards)
    rest_requests_per_second: int = Field(default=45, ge=1, le=10_000)

    # Storage and content
    database_path: Path = Path("data/bot.sqlite3")
    # sqlite:///… (same as DATABASE_PATH) or postgresql://… (several processes share it)
    database_url: SecretStr | None = None
    series_dir: Path = Path("data/challenges")
    keywords_dir: Path = Path("data/keywords")
    extra_series_dirs: str = (
        ""  # more series: folders with day pages and a series.yml, comma-separated
    )
    backup_dir: Path | None = None  # set: a verified backup there every night at 04:00
    backup_keep: int = Field(default=14, ge=1)  # nightly backups kept

    # Schedule
    series_name: str = "ML & DL Morocco Challenges"
    series_id: str = "ml-dl-morocco"
    series_start: str | None = None
    series_post_time: time = time(9, 0)
    series_timezone: str = "Africa/Casablanca"
    series_interval: timedelta = timedelta(days=1)
    answer_delay: timedelta = timedelta(hours=3)
    missed_post_policy: Literal["late", "skip"] = "late"
    thread_auto_archive_minutes: Literal[60, 1440, 4320, 10080] = 10080

    # Comments
    reconcile_days: int = Field(default=3, ge=0, le=365)

    # Members
    welcome_channel_id: int | None = None
    welcome_dm: bool = False
    welcome_message: str | None = None
    welcome_burst_threshold: int = Field(default=10, ge=1)
    completion_role_id: int | None = None
    completion_tier_role_id: int | None = None
    completion_tier_days: int = Field(default=6, ge=1, le=12)

    # Commands
    command_cooldown_rate: int = Field(default=10, ge=1)
    command_cooldown_seconds: float = Field(default=60.0, gt=0)

    # The language of public posts and the default for members (they may choose their own)
    bot_language: Language = Language.ENGLISH

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("bot_language", mode="before")
    @classmethod
    def _language(cls, value: object) -> object:
        if isinstance(value, str):
            found = Language.parse(value)
            if found is None and value.strip():
                raise ValueError(f"{value!r} is not a language the bot speaks")
            return found or Language.ENGLISH
        return value

    @field_validator("thread_auto_archive_minutes", mode="before")
    @classmethod
    def _int_minutes(cls, value: object) -> object:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator(
        "discord_token",
        "guild_id",
        "challenge_channel_id",
        "ping_role_id",
        "admin_channel_id",
        "welcome_channel_id",
        "completion_role_id",
        "completion_tier_role_id",
        "shard_count",
        "series_start",
        "welcome_message",
        "backup_dir",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("shard_ids")
    @classmethod
    def _check_shard_ids(cls, value: str, info: ValidationInfo) -> str:
        ids = parse_shard_ids(value)
        if not ids or "shard_count" not in info.data:  # a bad SHARD_COUNT is reported itself
            return value.strip()
        count = info.data["shard_count"]
        if count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT")
        if ids[-1] >= count:
            raise ValueError(
                f"shard {ids[-1]} doesn't exist with SHARD_COUNT={count} (0 to {count - 1})"
            )
        return value.strip()

    @field_validator("discord_api_url")
    @classmethod
    def _check_api_url(cls, value: str) -> str:
        if not re.match(r"^https?://\S+$", value):
            raise ValueError("not an http(s) URL")
        return value.rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _check_gateway_url(cls, value: str) -> str:
        if not re.match(r"^wss?://\S+$", value):
            raise ValueError("not a ws(s) URL")
        return value

    @field_validator("series_timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("series_interval", "answer_delay", mode="before")
    @classmethod
    def _parse_duration(cls, value: object) -> timedelta:
        if isinstance(value, str | int | float | timedelta):
            return parse_duration(value)
        raise ValueError(f"expected a duration such as 30s, 10m, 2h or 1d, not {value!r}")

    @field_validator("series_interval")
    @classmethod
    def _positive_interval(cls, value: timedelta) -> timedelta:
        if value.total_seconds() < 1:
            raise ValueError("the interval must be at least 1s")
        return value

    @field_validator("series_post_time", mode="before")
    @classmethod
    def _parse_time(cls, value: object) -> object:
        if isinstance(value, str):
            if not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
                raise ValueError(f"{value!r} is not HH:MM")
            hours, minutes = (int(part) for part in value.strip().split(":"))
            return time(hours, minutes)
        return value

    @field_validator("series_start")
    @classmethod
    def _check_start(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_series_start(value)
            except ValueError as exc:
                raise ValueError(f"{value!r} is not a date or date-time") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        url = value.get_secret_value().strip()
        if url.startswith(SQLITE_URL) and len(url) > len(SQLITE_URL):
            return SecretStr(url)
        if is_postgres_url(url):
            return SecretStr(url)
        raise ValueError("expected sqlite:///path or postgresql://… (the value is not shown)")

    @field_validator("database_path", "series_dir", "keywords_dir", "backup_dir")
    @classmethod
    def _from_the_project_folder(cls, value: Path | None) -> Path | None:
        """Relative paths are relative to the project folder (where README.md and the shipped
        data/ are), never to wherever the bot was started from."""
        if value is None or value.is_absolute():
            return value
        return PROJECT_ROOT / value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.series_timezone)

    @property
    def start(self) -> date | datetime | None:
        return parse_series_start(self.series_start) if self.series_start else None

    @property
    def extra_series_folders(self) -> list[Path]:
        """EXTRA_SERIES_DIRS as folders (relative ones from the project folder)."""
        folders = []
        for part in self.extra_series_dirs.split(","):
            if part.strip():
                folder = Path(part.strip()).expanduser()
                folders.append(folder if folder.is_absolute() else PROJECT_ROOT / folder)
        return folders

    @property
    def database_location(self) -> str | Path:
        """Where the bot's state lives: a PostgreSQL URL, or the SQLite file (DATABASE_URL
        `sqlite:///…` wins over DATABASE_PATH)."""
        if self.database_url is None:
            return self.database_path
        url = self.database_url.get_secret_value()
        if url.startswith(SQLITE_URL):
            path = Path(url.removeprefix(SQLITE_URL)).expanduser()
            return path if path.is_absolute() else PROJECT_ROOT / path
        return url

    @property
    def shards(self) -> list[int] | None:
        """The shards this process runs (None: all of SHARD_COUNT, or no sharding)."""
        return parse_shard_ids(self.shard_ids) or None

    def require_token(self) -> str:
        if self.discord_token is None or not self.discord_token.get_secret_value().strip():
            raise SettingsError([missing_token_message()])
        return self.discord_token.get_secret_value().strip()


def missing_token_message() -> str:
    return (
        "DISCORD_TOKEN is not set. Create an application at https://discord.com/developers/applications, "
        "open Bot → Reset Token, copy the token and put it in a file named .env next to the Makefile: "
        "DISCORD_TOKEN=your-token (see .env.example for every setting)."
    )


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment/.env; raise SettingsError with readable lines."""
    try:
        # Overrides are fields by name (tests, CLI flags); pydantic checks their types.
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> list[str]:
    problems = []
    for error in exc.errors():
        key = str(error["loc"][0]).upper() if error["loc"] else "SETTINGS"
        expected = EXPECTED.get(key, "a valid value")
        given = error.get("input")
        secret = key in ("DISCORD_TOKEN", "DATABASE_URL")  # never echoed: a token, a password
        shown = "" if secret or given is None else f", got {str(given)!r}"
        reason = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{key}: expected {expected}{shown} ({reason})")
    return problems
