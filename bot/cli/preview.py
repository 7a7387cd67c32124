"""`challenge-bot preview [--day N]`: print exactly what each day would send, with lengths."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.cli.series import stored_schedule
from bot.clock import SYSTEM_CLOCK
from bot.content import ContentError
from bot.i18n import ENGLISH
from bot.rendering.days import RenderedMessage, render_day_bundle
from bot.rendering.limits import MESSAGE_CONTENT
from bot.series.config import SeriesConfig
from bot.series.loader import load_series
from bot.series.model import Series
from bot.series.schedule import planned_times
from bot.settings import Settings
from bot.store import StoreError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# The poster marks its first message `-# ref <16 hex digits>`; a sample keeps lengths exact.
SAMPLE_MARKER = "ref " + "0" * 16


def post_times(config: SeriesConfig, series: Series, now: datetime) -> dict[int, datetime]:
    """When each day would be posted: from the start date if set, else starting now."""
    count = max(series.numbers, default=0)
    start = config.start or now
    times = planned_times(start, config.post_time, config.tz, config.interval, count)
    return {number: times[number - 1] for number in range(1, count + 1)}


def preview(settings: Settings, args: argparse.Namespace, *, now: datetime | None = None) -> int:
    try:
        series = load_series(Path(settings.series_dir))
    except ContentError as exc:
        print(f"The day pages in {settings.series_dir} have problems:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    wanted = getattr(args, "day", None)
    if wanted is not None and series.day(wanted) is None:
        print(f"error: there is no day {wanted} (days 1–{len(series)})", file=sys.stderr)
        return EXIT_USAGE
    try:  # the server's schedule, with /challenge reschedule applied, when there is one
        config = stored_schedule(settings).config
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    times = post_times(config, series, now or SYSTEM_CLOCK.now())
    for day in series:
        if wanted is not None and day.number != wanted:
            continue
        is_last = series.is_last(day.number)
        bundle = render_day_bundle(
            ENGLISH,
            day,
            next_post_at=None if is_last else times[day.number + 1],
            series_name=settings.series_name,
            is_last=is_last,
            ping_role_id=config.ping_role_id,
            marker=SAMPLE_MARKER,
        )
        when = times[day.number].astimezone(config.tz)
        print(f"════ Day {day.number}: {day.title} — {day.source}")
        print(f"     posted {when:%Y-%m-%d %H:%M} {config.tz.key}")
        _print_messages("post", bundle.parts)
        _print_messages(f'thread "{bundle.thread_name}" · opening', bundle.opening)
        if bundle.answers:
            _print_messages("thread · expert answers", bundle.answers)
        else:
            print("──── thread · expert answers: none for this day")
        print()
    return EXIT_OK


def _print_messages(label: str, messages: Sequence[RenderedMessage]) -> None:
    for index, message in enumerate(messages, start=1):
        size = f"({len(message.content)}/{MESSAGE_CONTENT})"
        print(f"──── {label} · message {index}/{len(messages)} {size}")
        print(message.content)
