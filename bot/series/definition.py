"""What a series is: id, name, content folder, channel and schedule defaults.

The `.env` settings describe the default series (so a one-series setup needs nothing else).
More series are declared by a `series.yml` beside their day pages, each folder listed in
`EXTRA_SERIES_DIRS`. Admin overrides (`/challenge reschedule`, `/challenge channel`, pause)
are per server and per series: the default series keeps the plain keys it always had, the
others append `:<id>`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.settings import Settings, parse_duration, parse_series_start

DEFINITION_FILE = "series.yml"
T = TypeVar("T")
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")  # no `#` or `~`: those mark runs


@dataclass(frozen=True, slots=True)
class SeriesDefinition:
    id: str
    name: str
    content_dir: Path
    start: date | datetime | None
    post_time: time
    tz: ZoneInfo
    interval: timedelta
    answer_delay: timedelta
    channel_id: int | None
    ping_role_id: int | None
    guild_id: int | None
    completion_role_id: int | None = None  # given after taking part on every day
    completion_tier_role_id: int | None = None  # given after `completion_tier_days` days
    completion_tier_days: int = 6
    default: bool = True

    def key(self, setting: str) -> str:
        """The `guild_settings` key of an admin override for this series."""
        return setting if self.default else f"{setting}:{self.id}"


class DefinitionError(ValueError):
    """A `series.yml` that can't be used; the message names the file (and line)."""


def default_definition(settings: Settings) -> SeriesDefinition:
    return SeriesDefinition(
        id=settings.series_id,
        name=settings.series_name,
        content_dir=Path(settings.series_dir),
        start=settings.start,
        post_time=settings.series_post_time,
        tz=settings.tz,
        interval=settings.series_interval,
        answer_delay=settings.answer_delay,
        channel_id=settings.challenge_channel_id,
        ping_role_id=settings.ping_role_id,
        guild_id=settings.guild_id,
        completion_role_id=settings.completion_role_id,
        completion_tier_role_id=settings.completion_tier_role_id,
        completion_tier_days=settings.completion_tier_days,
    )


_FIELDS = {
    "id", "name", "start", "post_time", "timezone", "interval", "answer_delay",
    "channel_id", "ping_role_id", "guild_id",
    "completion_role_id", "completion_tier_role_id", "completion_tier_days",
}  # fmt: skip


def load_definition(folder: Path, settings: Settings) -> SeriesDefinition:
    """The series declared by `folder/series.yml`; what it leaves out comes from `.env`
    (time zone, post time, interval, answer delay, server), never its channel or start."""
    path = folder / DEFINITION_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DefinitionError(f"{path}: can't be read ({exc.strerror or exc})") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None or mark.line >= len(text.splitlines()):  # at the end: where it began
            mark = getattr(exc, "context_mark", None) or mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise DefinitionError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if not isinstance(raw, dict):
        raise DefinitionError(f"{path}: expected `key: value` lines (id, name, channel_id, …)")
    return _definition(_Fields(path, text, {str(k): v for k, v in raw.items()}), folder, settings)


@dataclass(frozen=True, slots=True)
class _Fields:
    """The keys of one series.yml; a bad value is reported at its own line."""

    path: Path
    text: str
    raw: dict[str, Any]

    def problem(self, key: str, message: str) -> DefinitionError:
        pattern = re.compile(rf"\s*{re.escape(key)}\s*:")
        lines = self.text.splitlines()
        line = next((n for n, ln in enumerate(lines, 1) if pattern.match(ln)), None)
        where = f"{self.path}:{line}" if line else str(self.path)
        return DefinitionError(f"{where}: {message}")

    def get(self, key: str, parse: Callable[[object], T], default: T) -> T:
        """`parse(value)`, or `default` when the key is absent or empty."""
        value = self.raw.get(key)
        if value is None or value == "":
            return default
        try:
            return parse(value)
        except ValueError as exc:
            raise self.problem(key, f"{key} {value!r} {exc}") from None


def _definition(fields: _Fields, folder: Path, settings: Settings) -> SeriesDefinition:
    unknown = sorted(set(fields.raw) - _FIELDS)
    if unknown:
        known = ", ".join(sorted(_FIELDS))
        raise fields.problem(unknown[0], f"unknown key {unknown[0]!r} (known: {known})")
    series_id = str(fields.raw.get("id") or "").strip()
    if not ID_PATTERN.fullmatch(series_id):
        raise fields.problem(
            "id", f"`id` must be 1-40 lower-case letters, digits or dashes, got {series_id!r}"
        )
    env = default_definition(settings)  # what a file leaves out comes from .env
    return SeriesDefinition(
        id=series_id,
        name=str(fields.raw.get("name") or series_id).strip(),
        content_dir=folder,
        start=fields.get("start", _start, None),
        post_time=fields.get("post_time", _time, env.post_time),
        tz=fields.get("timezone", _zone, env.tz),
        interval=fields.get("interval", _interval, env.interval),
        answer_delay=fields.get("answer_delay", _duration, env.answer_delay),
        channel_id=fields.get("channel_id", _snowflake, None),
        ping_role_id=fields.get("ping_role_id", _snowflake, None),
        guild_id=fields.get("guild_id", _snowflake, env.guild_id),
        completion_role_id=fields.get("completion_role_id", _snowflake, None),
        completion_tier_role_id=fields.get("completion_tier_role_id", _snowflake, None),
        completion_tier_days=fields.get("completion_tier_days", _days, env.completion_tier_days),
        default=False,
    )


# Value parsers: a ValueError's message completes "<key> <value> …".


def _start(value: object) -> date | datetime:
    try:
        return parse_series_start(str(value))
    except ValueError:
        raise ValueError("is not a date (2026-12-01) or a date-time (2026-12-01T09:00)") from None


def _zone(value: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("is not an IANA time zone such as Africa/Casablanca") from None


def _time(value: object) -> time:
    if isinstance(value, int):  # YAML reads an unquoted 09:00 as sexagesimal minutes
        return time(value // 60, value % 60)
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("is not a time HH:MM such as 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def _duration(value: object) -> timedelta:
    try:
        return parse_duration(str(value))
    except ValueError:
        raise ValueError("is not a duration such as 1d, 12h or 30s") from None


def _interval(value: object) -> timedelta:
    interval = _duration(value)
    if interval < timedelta(seconds=1):
        raise ValueError("is too short: the interval must be at least 1s")
    return interval


def _days(value: object) -> int:
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(str(value)) < 1:
        raise ValueError("is not a number of days (1 or more)")
    return int(str(value))


def _snowflake(value: object) -> int | None:
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValueError("is not a Discord id (digits only)")
    return int(str(value).strip())


def load_definitions(settings: Settings) -> tuple[list[SeriesDefinition], list[str]]:
    """The default series, then each of `EXTRA_SERIES_DIRS`; a broken file costs only its
    series (its problem is returned), and an id used twice keeps the first."""
    found = [default_definition(settings)]
    problems: list[str] = []
    for folder in settings.extra_series_folders:
        try:
            definition = load_definition(folder, settings)
        except DefinitionError as exc:
            problems.append(str(exc))
            continue
        if any(d.id == definition.id for d in found):
            problems.append(
                f"{folder / DEFINITION_FILE}: id {definition.id!r} is already used by another "
                "series (SERIES_ID or an earlier folder); this series is not run"
            )
            continue
        found.append(definition)
    return found, problems
