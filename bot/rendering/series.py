"""The series as admins and members see it in answers: status table and short replies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.rendering.days import DayBundle, render_day_summary
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    MESSAGE_CONTENT,
    discord_link,
    discord_timestamp,
    one_line,
    truncate,
)
from bot.rendering.meta import BRAND_COLOUR
from bot.series.config import SeriesConfig, duration_text
from bot.series.schedule import DONE_STATES, MISSED, POSTED, POSTING, SCHEDULED, SKIPPED
from bot.store.series import DayRow, Run

if TYPE_CHECKING:
    from bot.series.service import DayView, SeriesStatus

STATE_ICONS = {
    SCHEDULED: "🗓️",
    POSTING: "⏳",
    POSTED: "✅",
    SKIPPED: "⏭️",
    MISSED: "❌",
}
ERROR_LINE = 300  # characters of an error shown per day
PREVIEW_MESSAGES = 10  # at most this many ephemeral follow-ups for one preview


def day_line(row: DayRow, now: datetime) -> str:
    """`✅ **Day 3** Agriculture Revolution — posted <t:…:f> · thread` (one line)."""
    icon = STATE_ICONS.get(row.state, "•")
    title = truncate(one_line(row.title), 48)
    if row.state == POSTED and row.posted_at is not None:
        when = f"posted {discord_timestamp(row.posted_at, 'f')}"
        if row.late:
            when += " (late)"
        if row.thread_id:
            when += f" · [thread]({discord_link(row.guild_id, row.thread_id)})"
        if row.answer_state == "pending":
            when += " · answer pending"
    elif row.state == SCHEDULED:
        overdue = " (overdue)" if row.planned_at < now else ""
        when = (
            f"{discord_timestamp(row.planned_at, 'f')} "
            f"({discord_timestamp(row.planned_at, 'R')}){overdue}"
        )
    elif row.state == POSTING:
        when = "being posted (interrupted or retrying)"
    else:
        when = f"{row.state} (was planned {discord_timestamp(row.planned_at, 'f')})"
    warning = " ⚠️" if row.error else ""
    return f"{icon} **Day {row.day}** {title} — {when}{warning}"


def render_status(status: SeriesStatus, series_name: str) -> discord.Embed:
    """`/challenge status`: every day's state, the next post, misses and errors."""
    config, rows, now = status.config, status.rows, status.now
    total_days, next_day, next_at = status.total_days, status.next_day, status.next_at
    overdue, problems = status.overdue, status.problems
    channel_mention = f"<#{config.channel_id}>" if config.channel_id else None
    title = f"{series_name} — status"
    if status.run is not None and (status.run.edition > 1 or status.run.kind != "live"):
        title += f" ({status.run.label})"
    embed = discord.Embed(title=truncate(title, EMBED_TITLE), colour=BRAND_COLOUR)
    if rows:
        lines = [day_line(row, now) for row in rows]
    elif total_days:
        lines = [f"{total_days} days loaded, none scheduled yet."]
    else:
        lines = ["No days loaded."]
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)

    if config.held:
        upcoming = held_text(config.held)
    elif config.paused:
        upcoming = "⏸️ Paused — `/challenge resume` to continue."
    elif next_day is not None and next_at is not None:
        upcoming = (
            f"Day {next_day} {discord_timestamp(next_at, 'R')} ({discord_timestamp(next_at, 'f')})"
        )
    elif status.idle is not None:
        upcoming = status.idle
    elif rows and all(row.state in DONE_STATES for row in rows):
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
    missed = [row.day for row in rows if row.state == MISSED]
    if missed:
        trouble.append(
            f"Missed: day {', '.join(map(str, missed))} (`/challenge post N` posts one)."
        )
    if overdue and config.held:
        pass  # explained under "Next post", with the buttons to decide
    elif overdue and not config.paused:
        trouble.append(f"Overdue: day {', '.join(map(str, overdue))}.")
    elif overdue:
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


HOLD_KEPT = "Nothing was posted. The days stay held until you choose, or change the start."


def held_text(held: tuple[int, ...]) -> str:
    """Why nothing is posted after a start in the past, and what the admin can do."""
    days = f"days {held[0]}–{held[-1]}" if len(held) > 1 else f"day {held[0]}"
    return (
        f"⏸️ Holding {days}: the start is in the past, so they would all be posted at once. "
        "Choose below — post them now, or start from the next slot — or set another start "
        "with `/challenge reschedule`."
    )


def hold_result(posted: list[int], post_overdue: bool, next_at: datetime | None) -> str:
    if not post_overdue:
        when = f" Day 1 comes {discord_timestamp(next_at, 'R')}." if next_at else ""
        return "✅ The series starts from the next slot." + when
    if not posted:
        return "Nothing was posted: see `/challenge status` for the problem."
    return f"✅ Posted day {', '.join(map(str, posted))}."


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
        f" {discord_link(row.guild_id, row.thread_id)}" if row is not None and row.thread_id else ""
    )
    if outcome == "posted":
        return f"✅ Day {number} is posted.{link}"
    if outcome == "already":
        if row is not None and row.state == POSTED:
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
    if row.state == POSTED:
        return f"Day {number} was already posted; it can't be skipped."
    if row.state == POSTING:
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


def render_paused(changed: bool) -> str:
    """The answer to `/challenge pause`."""
    if not changed:
        return "The series is already paused."
    return "⏸️ Paused: no new day will be posted until `/challenge resume`."


def render_channel_set(mention: str, missing: list[str]) -> str:
    """The answer to `/challenge channel`, with the permissions the bot lacks there."""
    text = f"✅ Days will be posted in {mention}."
    if missing:
        text += f"\n⚠️ I'm missing these permissions there: {', '.join(missing)}."
    return text


def render_resumed(config: SeriesConfig, next_at: datetime | None) -> str:
    """The answer to `/challenge resume` once the series runs again."""
    policy = (
        "days whose time passed were posted late"
        if config.missed_policy == "late"
        else "days whose time passed were marked missed"
    )
    return f"▶️ Resumed ({policy}). " + schedule_summary(config, next_at)


def render_day_view(view: DayView) -> str | discord.Embed:
    """`/challenge today` and `/challenge day N`: a posted day's summary, or why not."""
    if view.number is None:
        return nothing_posted(view.next_at)
    if view.day is None:
        return out_of_range(view.number, view.total_days)
    row = view.row
    if row is None or not view.shown:
        if row is not None and row.state in (SKIPPED, MISSED):
            return f"Day {view.number} wasn't posted in this server."
        planned = row.planned_at if row is not None and row.state == SCHEDULED else None
        return not_posted_yet(view.number, planned)
    link = discord_link(row.guild_id, row.thread_id) if row.thread_id else None
    return render_day_summary(view.day, link)


def render_preview(number: int, bundle: DayBundle, answer_delay: timedelta) -> list[str]:
    """`/challenge preview N`: the day's messages, one per ephemeral follow-up (capped)."""
    delay = duration_text(answer_delay) if answer_delay > timedelta(0) else "0"
    texts = [
        f"👀 **Preview of day {number}** — {len(bundle.parts)} message(s) in the channel, "
        f"then a thread named “{bundle.thread_name}”:",
        *(message.content for message in bundle.parts),
        "🧵 **In the thread:**",
        *(message.content for message in bundle.opening),
    ]
    if bundle.answers:
        texts.append(f"🧠 **Expert answer, posted {delay} after the day:**")
        texts.extend(message.content for message in bundle.answers)
    if len(texts) > PREVIEW_MESSAGES:
        rest = len(texts) - (PREVIEW_MESSAGES - 1)
        texts = [
            *texts[: PREVIEW_MESSAGES - 1],
            f"…and {rest} more message(s); `challenge-bot preview` prints them all.",
        ]
    return [truncate(text, MESSAGE_CONTENT) for text in texts]


def unknown_series_text(requested: str) -> str:
    shown = discord.utils.escape_markdown(discord.utils.escape_mentions(one_line(requested)))
    return (
        f"This server has no series, edition or rehearsal called “{truncate(shown, 80)}”. "
        "Pick one from the list."
    )


NOTHING_CHANGED = "Nothing was changed."
REHEARSE_ELSEWHERE = (
    "That is the live challenge channel. Rehearse in a private test channel, so members "
    "don't see the rehearsal posts."
)


def new_edition_question(current: Run) -> str:
    return (
        f"Start **edition {current.edition + 1}** of the series? It runs from day 1 at the "
        f"configured start with a fresh record: {current.label} ends, and its comments, stats "
        "and roles stay readable with the `series` option. A start in the past is held for "
        "your decision, never posted all at once."
    )


def new_edition_result(run: Run, config: SeriesConfig, next_at: datetime | None) -> str:
    return f"✅ {run.label.capitalize()} begins. " + schedule_summary(config, next_at)


def rehearsal_question(channel: str, total: int, interval: timedelta) -> str:
    return (
        f"Rehearse in {channel}: {total} days, one every {duration_text(interval)}, starting "
        "in a few seconds, with answers and recaps on the same fast clock? Its comments and "
        "stats are kept apart from the live series, and it ends by itself."
    )


def rehearsal_started(run: Run, channel: str, total: int, interval: timedelta) -> str:
    return (
        f"✅ {run.label.capitalize()} started in {channel}: {total} days, one every "
        f"{duration_text(interval)}. `/challenge rehearse-clear` stops it and forgets its "
        "records; `/stats series:` shows it meanwhile."
    )


def rehearsals_cleared(runs: int, comments: int) -> str:
    if not runs:
        return "There is no rehearsal to clear."
    return (
        f"Cleared {runs} rehearsal(s) and {comments} comment(s) recorded in them. Their posts "
        "stay in the test channel; delete them there if you like."
    )
