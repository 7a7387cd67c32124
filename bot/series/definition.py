"""What a series is: id, name, content folder, channel and schedule defaults.

The `.env` settings describe the default series (so a one-series setup needs nothing else).
More series are declared by a `series.yml` beside their day pages, each folder listed in
`EXTRA_SERIES_DIRS`. Admin overrides (`/challenge reschedule`, `/challenge channel`, pause)
are per server and per series: the default series keeps the plain keys it always had, the
others append `:<id>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from bot.settings import Settings, parse_duration, parse_series_start

DEFINITION_FILE = "series.yml"
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
    try:
        return _definition(path, {str(k): v for k, v in raw.items()}, folder, settings)
    except DefinitionError as exc:  # point at the line of the key it is about
        key = str(exc).removeprefix(f"{path}: ").split(" ", 1)[0].strip("`")
        line = next(
            (n for n, ln in enumerate(text.splitlines(), 1) if re.match(rf"\s*{key}\s*:", ln)),
            None,
        )
        if line is None or not key.isidentifier():
            raise
        raise DefinitionError(str(exc).replace(f"{path}: ", f"{path}:{line}: ", 1)) from None


def _definition(
    path: Path, raw: dict[str, Any], folder: Path, settings: Settings
) -> SeriesDefinition:
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        known = ", ".join(sorted(_FIELDS))
        raise DefinitionError(f"{path}: unknown key {unknown[0]!r} (known: {known})")
    series_id = str(raw.get("id") or "").strip()
    if not ID_PATTERN.fullmatch(series_id):
        raise DefinitionError(
            f"{path}: `id` must be 1-40 lower-case letters, digits or dashes, got {series_id!r}"
        )
    base = replace(
        default_definition(settings),
        id=series_id,
        name=str(raw.get("name") or series_id).strip(),
        content_dir=folder,
        start=None,
        channel_id=None,
        ping_role_id=None,
        completion_role_id=None,
        completion_tier_role_id=None,
        default=False,
    )
    try:
        return replace(
            base,
            start=_start(raw["start"]) if raw.get("start") else None,
            post_time=_time(raw["post_time"]) if "post_time" in raw else base.post_time,
            tz=_zone(raw["timezone"]) if raw.get("timezone") else base.tz,
            interval=_duration(raw, "interval", base.interval),
            answer_delay=_duration(raw, "answer_delay", base.answer_delay),
            channel_id=_snowflake(raw, "channel_id"),
            ping_role_id=_snowflake(raw, "ping_role_id"),
            guild_id=_snowflake(raw, "guild_id") or base.guild_id,
            completion_role_id=_snowflake(raw, "completion_role_id"),
            completion_tier_role_id=_snowflake(raw, "completion_tier_role_id"),
            completion_tier_days=_days(raw, base.completion_tier_days),
        )
    except ValueError as exc:
        raise DefinitionError(f"{path}: {exc}") from None


def _start(value: object) -> date | datetime:
    try:
        return parse_series_start(str(value))
    except ValueError:
        raise ValueError(
            f"start {value!r} is not a date (2026-12-01) or a date-time (2026-12-01T09:00)"
        ) from None


def _zone(value: object) -> ZoneInfo:
    try:
        return ZoneInfo(str(value))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"timezone {value!r} is not an IANA time zone such as Africa/Casablanca"
        ) from None


def _time(value: object) -> time:
    if isinstance(value, int):  # YAML reads an unquoted 09:00 as sexagesimal minutes
        return time(value // 60, value % 60)
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", str(value))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError(f"post_time {value!r} is not a time HH:MM such as 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def _duration(raw: dict[str, Any], key: str, default: timedelta) -> timedelta:
    if key not in raw:
        return default
    try:
        value = parse_duration(str(raw[key]))
    except ValueError:
        raise ValueError(f"{key} {raw[key]!r} is not a duration such as 1d, 12h or 30s") from None
    if key == "interval" and value < timedelta(seconds=1):
        raise ValueError("interval must be at least 1s")
    return value


def _days(raw: dict[str, Any], default: int) -> int:
    value = raw.get("completion_tier_days", default)
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(str(value)) < 1:
        raise ValueError(f"completion_tier_days {value!r} is not a number of days (1 or more)")
    return int(str(value))


def _snowflake(raw: dict[str, Any], key: str) -> int | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValueError(f"{key} {value!r} is not a Discord id (digits only)")
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
