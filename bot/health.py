"""A heartbeat file for supervisors: the running bot says every 30 s whether it is connected
to the gateway and its timers run; `challenge-bot check --live` reads it (Docker's health
check, a monitoring script). A file older than two minutes means the bot is stuck or gone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

BEAT_EVERY = timedelta(seconds=30)
STALE_AFTER = timedelta(minutes=2)


def health_path(database_path: Path) -> Path:
    return Path(database_path).with_name("health.json")


@dataclass(frozen=True, slots=True)
class Beat:
    at: datetime
    connected: bool
    timers: bool
    stopped: bool = False


def write_beat(path: Path, beat: Beat) -> None:
    data = {
        "at": beat.at.isoformat(),
        "connected": beat.connected,
        "timers": beat.timers,
        "stopped": beat.stopped,
    }
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(path)  # never a half-written file


def judge(path: Path, now: datetime) -> tuple[bool, str]:
    """(healthy, one line saying why)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        beat = Beat(
            datetime.fromisoformat(data["at"]),
            bool(data["connected"]),
            bool(data["timers"]),
            bool(data.get("stopped")),
        )
    except FileNotFoundError:
        return False, f"no heartbeat at {path}: the bot is not running (or never connected)"
    except (ValueError, KeyError, TypeError) as exc:
        return False, f"unreadable heartbeat {path}: {exc}"
    age = now - beat.at
    if beat.stopped:
        return False, f"the bot stopped {age.total_seconds():.0f}s ago"
    if age > STALE_AFTER:
        return False, f"last heartbeat {age.total_seconds():.0f}s ago: the bot is stuck or gone"
    if not beat.connected:
        return False, "running, but not connected to Discord's gateway"
    if not beat.timers:
        return False, "running, but its scheduler has stopped: nothing will be posted"
    return True, f"connected, scheduler alive (heartbeat {age.total_seconds():.0f}s ago)"
