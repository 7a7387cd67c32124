"""The heartbeat file and `check --live`: healthy only when fresh, connected and scheduling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.health import Beat, judge, write_beat

NOW = datetime(2001, 1, 1, tzinfo=UTC)  # the clock is passed in: any moment works


def beat_then_judge(tmp_path: Path, beat: Beat, now: datetime = NOW) -> tuple[bool, str]:
    path = tmp_path / "health.json"
    write_beat(path, beat)
    return judge(path, now)


def test_a_fresh_connected_beat_is_healthy(tmp_path: Path) -> None:
    healthy, why = beat_then_judge(tmp_path, Beat(NOW - timedelta(seconds=20), True, True))
    assert healthy and "scheduler alive" in why


def test_each_failure_is_unhealthy_and_says_why(tmp_path: Path) -> None:
    cases = [
        (Beat(NOW, connected=False, timers=True), "not connected"),
        (Beat(NOW, connected=True, timers=False), "scheduler has stopped"),
        (Beat(NOW - timedelta(minutes=5), True, True), "stuck or gone"),
        (Beat(NOW, False, False, stopped=True), "stopped"),
    ]
    for beat, said in cases:
        healthy, why = beat_then_judge(tmp_path, beat)
        assert not healthy and said in why, (beat, why)
    assert judge(tmp_path / "missing.json", NOW)[0] is False
    (tmp_path / "junk.json").write_text("{", encoding="utf-8")
    assert "unreadable" in judge(tmp_path / "junk.json", NOW)[1]
