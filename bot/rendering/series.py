"""The series as admins and members see it in answers: status table and short replies."""

from __future__ import annotations

from datetime import datetime

import discord

from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    discord_link,
    discord_timestamp,
    one_line,
    truncate,
)
from bot.rendering.meta import BRAND_COLOUR
from bot.series.config import SeriesConfig
from bot.store.series import DayRow

STATE_ICONS = {
    "scheduled": "🗓️",
    "posting": "⏳",
    "posted": "✅",
    "skipped": "⏭️",
    "missed": "❌",
}
ERROR_LINE = 300  # characters of an error shown per day


def thread_link(guild_id: int, thread_id: int) -> str:
    return discord_link(guild_id, thread_id)


def day_line(row: DayRow, now: datetime) -> str:
    """`✅ **Day 3** Agriculture Revolution — posted <t:…:f> · thread` (one line)."""
    icon = STATE_ICONS.get(row.state, "•")
    title = truncate(one_line(row.title), 48)
    if row.state == "posted" and row.posted_at is not None:
        when = f"posted {discord_timestamp(row.posted_at, 'f')}"
        if row.late:
            when += " (late)"
        if row.thread_id:
            when += f" · [thread]({thread_link(row.guild_id, row.thread_id)})"
        if row.answer_state == "pending":
            when += " · answer pending"
    elif row.state == "scheduled":
        overdue = " (overdue)" if row.planned_at < now else ""
        when = (
            f"{discord_timestamp(row.planned_at, 'f')} "
            f"({discord_timestamp(row.planned_at, 'R')}){overdue}"
        )
    elif row.state == "posting":
        when = "being posted (interrupted or retrying)"
    else:
        when = f"{row.state} (was planned {discord_timestamp(row.planned_at, 'f')})"
    warning = " ⚠️" if row.error else ""
    return f"{icon} **Day {row.day}** {title} — {when}{warning}"


def render_status(
    *,
    series_name: str,
    config: SeriesConfig,
    rows: list[DayRow],
    total_days: int,
    next_day: int | None,
    next_at: datetime | None,
    overdue: list[int],
    problems: list[str],
    now: datetime,
    channel_mention: str | None,
) -> discord.Embed:
    """`/challenge status`: every day's state, the next post, misses and errors."""
    embed = discord.Embed(title=f"{series_name} — status", colour=BRAND_COLOUR)
    if rows:
        lines = [day_line(row, now) for row in rows]
    elif total_days:
        lines = [f"{total_days} days loaded, none scheduled yet."]
    else:
        lines = ["No days loaded."]
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)

    if config.paused:
        upcoming = "⏸️ Paused — `/challenge resume` to continue."
    elif next_day is not None and next_at is not None:
        upcoming = (
            f"Day {next_day} {discord_timestamp(next_at, 'R')} ({discord_timestamp(next_at, 'f')})"
        )
    elif rows and all(row.state in ("posted", "skipped", "missed") for row in rows):
        upcoming = "The series is complete."
    else:
        upcoming = "Nothing scheduled."
    embed.add_field(name="Next post", value=truncate(upcoming, EMBED_FIELD_VALUE), inline=False)

    settings_lines = [
        f"Start: {config.start_text} ({config.tz.key})",
        f"Every: {config.interval_text}",
        f"Channel: {channel_mention or 'not set'}",
        f"Missed posts: {config.missed_policy}",
    ]
    embed.add_field(name="Schedule", value=truncate("\n".join(settings_lines), EMBED_FIELD_VALUE))

    counts = {state: sum(1 for row in rows if row.state == state) for state in STATE_ICONS}
    summary = ", ".join(f"{count} {state}" for state, count in counts.items() if count)
    embed.add_field(name="Days", value=summary or "—")

    trouble = list(problems)
    missed = [row.day for row in rows if row.state == "missed"]
    if missed:
        trouble.append(
            f"Missed: day {', '.join(map(str, missed))} (`/challenge post N` posts one)."
        )
    late_overdue = [n for n in overdue if not config.paused]
    if late_overdue:
        trouble.append(f"Overdue: day {', '.join(map(str, late_overdue))}.")
    if config.paused and overdue:
        trouble.append(
            f"Passed while paused: day {', '.join(map(str, overdue))} "
            f"(on resume: {'posted late' if config.missed_policy == 'late' else 'marked missed'})."
        )
    for row in rows:
        if row.error:
            tries = f" (try {row.attempts})" if row.attempts else ""
            trouble.append(f"Day {row.day}{tries}: {truncate(one_line(row.error), ERROR_LINE)}")
    if trouble:
        embed.add_field(
            name="⚠️ Problems",
            value=truncate("\n".join(f"• {line}" for line in trouble), EMBED_FIELD_VALUE),
            inline=False,
        )
    return embed


def not_posted_yet(number: int, planned_at: datetime | None) -> str:
    if planned_at is None:
        return f"Day {number} hasn't been posted yet. Stay tuned!"
    return (
        f"Day {number} hasn't been posted yet — it's planned for "
        f"{discord_timestamp(planned_at, 'F')} ({discord_timestamp(planned_at, 'R')})."
    )


def out_of_range(number: int, total: int) -> str:
    if total <= 0:
        return "The series isn't available right now. Please try again later."
    return f"There is no day {number}: the series has days 1 to {total}."


def nothing_posted(next_at: datetime | None) -> str:
    if next_at is None:
        return "No challenge has been posted yet. Stay tuned!"
    return (
        "No challenge has been posted yet — the first one arrives "
        f"{discord_timestamp(next_at, 'R')} ({discord_timestamp(next_at, 'F')})."
    )


def post_result(outcome: str, row: DayRow | None, number: int) -> str:
    """The answer to `/challenge post N`, by outcome (see `Outcome` in the service)."""
    link = (
        f" {thread_link(row.guild_id, row.thread_id)}" if row is not None and row.thread_id else ""
    )
    if outcome == "posted":
        return f"✅ Day {number} is posted.{link}"
    if outcome == "already":
        if row is not None and row.state == "posted":
            return f"Day {number} was already posted, so it wasn't posted again.{link}"
        state = row.state if row is not None else "unknown"
        return f"Day {number} can't be posted now (it is {state})."
    if outcome == "not_found":
        return f"There is no day {number} in the series."
    error = row.error if row is not None and row.error else "see the log"
    return (
        f"⚠️ Day {number} could not be posted: {truncate(one_line(error), 1500)}\n"
        "It will be retried automatically; `/challenge status` shows progress."
    )


def skip_result(done: bool, row: DayRow | None, number: int) -> str:
    if row is None:
        return f"There is no scheduled day {number} (is a start date set?)."
    if done:
        return f"⏭️ Day {number} is skipped; it won't be posted unless you use `/challenge post {number}`."
    if row.state == "posted":
        return f"Day {number} was already posted; it can't be skipped."
    if row.state == "posting":
        return f"Day {number} is being posted right now, so it can't be skipped."
    return f"Day {number} is already {row.state}."


def schedule_summary(config: SeriesConfig, next_at: datetime | None) -> str:
    when = (
        f"next post {discord_timestamp(next_at, 'R')} ({discord_timestamp(next_at, 'F')})"
        if next_at
        else "nothing left to post"
    )
    return (
        f"🗓️ Schedule: start {config.start_text} ({config.tz.key}), every "
        f"{config.interval_text}; {when}."
    )
