"""The series as admins and members see it in answers: status table and short replies."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.i18n import Messages
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
from bot.series.model import DONE_STATES, MISSED, POSTED, POSTING, SCHEDULED, SKIPPED, DayRow
from bot.store.series import REHEARSAL, Run

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


# --- words the replies share -------------------------------------------------------------------


def run_label(tr: Messages, run: Run) -> str:
    """How people name a run: "edition 2", "rehearsal 1" (lower case, inside a sentence)."""
    if run.kind == REHEARSAL:
        return tr._("rehearsal {number}", number=run.edition)
    return tr._("edition {number}", number=run.edition)


def state_name(tr: Messages, state: str) -> str:
    """A day's state as a word: scheduled, being posted, posted, skipped, missed."""
    if state == SCHEDULED:
        return tr.p_("day state", "scheduled")
    if state == POSTING:
        return tr.p_("day state", "posting")
    if state == POSTED:
        return tr.p_("day state", "posted")
    if state == SKIPPED:
        return tr.p_("day state", "skipped")
    if state == MISSED:
        return tr.p_("day state", "missed")
    return tr.p_("day state", "unknown")


def state_count(tr: Messages, state: str, count: int) -> str:
    """`2 posted`, `1 skipped`: how many days are in a state."""
    if state == SCHEDULED:
        return tr.n_("{count} scheduled", "{count} scheduled", count)
    if state == POSTING:
        return tr.n_("{count} posting", "{count} posting", count)
    if state == POSTED:
        return tr.n_("{count} posted", "{count} posted", count)
    if state == SKIPPED:
        return tr.n_("{count} skipped", "{count} skipped", count)
    return tr.n_("{count} missed", "{count} missed", count)


def start_text(tr: Messages, config: SeriesConfig) -> str:
    """The configured start: `2026-12-01 at 09:00`, a date-time, or "not set"."""
    if config.start is None:
        return tr._("not set")
    if isinstance(config.start, datetime):
        return config.start.isoformat(timespec="minutes")
    at = config.post_time.strftime("%H:%M")
    return tr._("{date} at {time}", date=config.start.isoformat(), time=at)


def _days(tr: Messages, numbers: list[int]) -> str:
    return tr.join(map(str, numbers))


def _with_link(text: str, link: str | None) -> str:
    return f"{text} {link}" if link else text


# --- /challenge status -------------------------------------------------------------------------


def day_line(tr: Messages, row: DayRow, now: datetime) -> str:
    """`✅ **Day 3** Agriculture Revolution — posted <t:…:f> · thread` (one line)."""
    icon = STATE_ICONS.get(row.state, "•")
    title = truncate(one_line(row.title), 48)
    if row.state == POSTED and row.posted_at is not None:
        at = discord_timestamp(row.posted_at, "f")
        facts = [
            tr._("posted {date} (late)", date=at) if row.late else tr._("posted {date}", date=at)
        ]
        if row.thread_id:
            facts.append(tr._("[thread]({link})", link=discord_link(row.guild_id, row.thread_id)))
        if row.answer_state == "pending":
            facts.append(tr._("answer pending"))
        when = " · ".join(facts)
    elif row.state == SCHEDULED:
        at, relative = (
            discord_timestamp(row.planned_at, "f"),
            discord_timestamp(row.planned_at, "R"),
        )
        if row.planned_at < now:
            when = tr._("{date} ({relative}) (overdue)", date=at, relative=relative)
        else:
            when = f"{at} ({relative})"
    elif row.state == POSTING:
        when = tr._("being posted (interrupted or retrying)")
    else:
        when = tr._(
            "{state} (was planned {date})",
            state=state_name(tr, row.state),
            date=discord_timestamp(row.planned_at, "f"),
        )
    warning = " ⚠️" if row.error else ""
    line = tr._(
        "{icon} **Day {day}** {title} — {status}", icon=icon, day=row.day, title=title, status=when
    )
    return line + warning


def render_status(tr: Messages, status: SeriesStatus, series_name: str) -> discord.Embed:
    """`/challenge status`: every day's state, the next post, misses and errors."""
    title = _status_title(tr, status, series_name)
    embed = discord.Embed(title=truncate(title, EMBED_TITLE), colour=BRAND_COLOUR)
    embed.description = truncate("\n".join(_status_days(tr, status)), EMBED_DESCRIPTION)
    embed.add_field(
        name=tr._("Next post"),
        value=truncate(_next_post(tr, status), EMBED_FIELD_VALUE),
        inline=False,
    )
    embed.add_field(
        name=tr._("Schedule"),
        value=truncate("\n".join(_schedule_lines(tr, status.config)), EMBED_FIELD_VALUE),
    )
    embed.add_field(name=tr._("Days"), value=_state_counts(tr, status.rows) or "—")
    trouble = [
        *status.problems,
        *_missed_line(tr, status.rows),
        *_overdue_line(tr, status.config, status.overdue),
        *_error_lines(tr, status.rows),
    ]
    if trouble:
        embed.add_field(
            name=tr._("⚠️ Problems"),
            value=truncate("\n".join(f"• {line}" for line in trouble), EMBED_FIELD_VALUE),
            inline=False,
        )
    return embed


def _status_title(tr: Messages, status: SeriesStatus, series_name: str) -> str:
    """The series' name, with the run shown unless it is the first live edition."""
    if status.run is not None and (status.run.edition > 1 or status.run.kind != "live"):
        return tr._("{series} — status ({run})", series=series_name, run=run_label(tr, status.run))
    return tr._("{series} — status", series=series_name)


def _status_days(tr: Messages, status: SeriesStatus) -> list[str]:
    """One line per scheduled day, or a word on why there is none."""
    if status.rows:
        return [day_line(tr, row, status.now) for row in status.rows]
    if status.total_days:
        return [
            tr.n_(
                "{count} day loaded, none scheduled yet.",
                "{count} days loaded, none scheduled yet.",
                status.total_days,
            )
        ]
    return [tr._("No days loaded.")]


def _next_post(tr: Messages, status: SeriesStatus) -> str:
    """The "Next post" field: held days, a pause, the next day, or why nothing comes."""
    config, rows = status.config, status.rows
    if config.held:
        return held_text(tr, config.held)
    if config.paused:
        return tr._("⏸️ Paused — `/challenge resume` to continue.")
    if status.next_day is not None and status.next_at is not None:
        return tr._(
            "Day {day} {relative} ({date})",
            day=status.next_day,
            relative=discord_timestamp(status.next_at, "R"),
            date=discord_timestamp(status.next_at, "f"),
        )
    if status.idle is not None:
        return status.idle
    if rows and all(row.state in DONE_STATES for row in rows):
        return tr._("The series is complete.")
    return tr._("Nothing scheduled.")


def _schedule_lines(tr: Messages, config: SeriesConfig) -> list[str]:
    """The "Schedule" field: start, interval, channel and missed-post policy."""
    channel = f"<#{config.channel_id}>" if config.channel_id else None
    return [
        tr._("Start: {start} ({timezone})", start=start_text(tr, config), timezone=config.tz.key),
        tr._("Every: {interval}", interval=config.interval_text),
        tr._("Channel: {channel}", channel=channel) if channel else tr._("Channel: not set"),
        tr._("Missed posts: {policy}", policy=config.missed_policy),
    ]


def _state_counts(tr: Messages, rows: list[DayRow]) -> str:
    """How many days are in each state ("" when there are no days)."""
    counts = {state: sum(1 for row in rows if row.state == state) for state in STATE_ICONS}
    return tr.join(state_count(tr, state, count) for state, count in counts.items() if count)


def _missed_line(tr: Messages, rows: list[DayRow]) -> list[str]:
    """The missed days, as a problem line (none if no day was missed)."""
    missed = [row.day for row in rows if row.state == MISSED]
    if not missed:
        return []
    return [
        tr.n_(
            "Missed: day {days} (`/challenge post N` posts one).",
            "Missed: day {days} (`/challenge post N` posts one).",
            len(missed),
            days=_days(tr, missed),
        )
    ]


def _overdue_line(tr: Messages, config: SeriesConfig, overdue: list[int]) -> list[str]:
    """Days whose time passed unposted, and what happens to them (none if there are none)."""
    if not overdue or config.held:
        return []  # held days are explained under "Next post", with the buttons to decide
    if not config.paused:
        line = tr.n_(
            "Overdue: day {days}.",
            "Overdue: day {days}.",
            len(overdue),
            days=_days(tr, overdue),
        )
    elif config.missed_policy == "late":
        line = tr.n_(
            "Passed while paused: day {days} (on resume: posted late).",
            "Passed while paused: day {days} (on resume: posted late).",
            len(overdue),
            days=_days(tr, overdue),
        )
    else:
        line = tr.n_(
            "Passed while paused: day {days} (on resume: marked missed).",
            "Passed while paused: day {days} (on resume: marked missed).",
            len(overdue),
            days=_days(tr, overdue),
        )
    return [line]


def _error_lines(tr: Messages, rows: list[DayRow]) -> list[str]:
    """The last error of each day that has one, with its attempt count when known."""
    lines = []
    for row in rows:
        if not row.error:
            continue
        error = truncate(one_line(row.error), ERROR_LINE)
        if row.attempts:
            lines.append(
                tr._(
                    "Day {day} (try {attempt}): {error}",
                    day=row.day,
                    attempt=row.attempts,
                    error=error,
                )
            )
        else:
            lines.append(tr._("Day {day}: {error}", day=row.day, error=error))
    return lines


# --- a start in the past -----------------------------------------------------------------------


def hold_kept(tr: Messages) -> str:
    return tr._("Nothing was posted. The days stay held until you choose, or change the start.")


def held_text(tr: Messages, held: tuple[int, ...]) -> str:
    """Why nothing is posted after a start in the past, and what the admin can do."""
    if len(held) > 1:
        return tr._(
            "⏸️ Holding days {first}–{last}: the start is in the past, so they would all be "
            "posted at once. Choose below — post them now, or start from the next slot — or "
            "set another start with `/challenge reschedule`.",
            first=held[0],
            last=held[-1],
        )
    return tr._(
        "⏸️ Holding day {day}: the start is in the past, so they would all be posted at once. "
        "Choose below — post them now, or start from the next slot — or set another start "
        "with `/challenge reschedule`.",
        day=held[0],
    )


def hold_result(
    tr: Messages, posted: list[int], post_overdue: bool, next_at: datetime | None
) -> str:
    if not post_overdue:
        if next_at:
            return tr._(
                "✅ The series starts from the next slot. Day 1 comes {relative}.",
                relative=discord_timestamp(next_at, "R"),
            )
        return tr._("✅ The series starts from the next slot.")
    if not posted:
        return tr._("Nothing was posted: see `/challenge status` for the problem.")
    return tr.n_(
        "✅ Posted day {days}.", "✅ Posted day {days}.", len(posted), days=_days(tr, posted)
    )


# --- /challenge today and day ------------------------------------------------------------------


def not_posted_yet(tr: Messages, number: int, planned_at: datetime | None) -> str:
    if planned_at is None:
        return tr._("Day {day} hasn't been posted yet. Stay tuned!", day=number)
    return tr._(
        "Day {day} hasn't been posted yet — it's planned for {date} ({relative}).",
        day=number,
        date=discord_timestamp(planned_at, "F"),
        relative=discord_timestamp(planned_at, "R"),
    )


def out_of_range(tr: Messages, number: int, total: int) -> str:
    if total <= 0:
        return tr._("The series isn't available right now. Please try again later.")
    return tr._("There is no day {day}: the series has days 1 to {total}.", day=number, total=total)


def nothing_posted(tr: Messages, next_at: datetime | None) -> str:
    if next_at is None:
        return tr._("No challenge has been posted yet. Stay tuned!")
    return tr._(
        "No challenge has been posted yet — the first one arrives {relative} ({date}).",
        relative=discord_timestamp(next_at, "R"),
        date=discord_timestamp(next_at, "F"),
    )


def render_day_view(tr: Messages, view: DayView) -> str | discord.Embed:
    """`/challenge today` and `/challenge day N`: a posted day's summary, or why not."""
    if view.number is None:
        return nothing_posted(tr, view.next_at)
    if view.day is None:
        return out_of_range(tr, view.number, view.total_days)
    row = view.row
    if row is None or not view.shown:
        if row is not None and row.state in (SKIPPED, MISSED):
            return tr._("Day {day} wasn't posted in this server.", day=view.number)
        planned = row.planned_at if row is not None and row.state == SCHEDULED else None
        return not_posted_yet(tr, view.number, planned)
    link = discord_link(row.guild_id, row.thread_id) if row.thread_id else None
    return render_day_summary(tr, view.day, link)


# --- /challenge post, skip, pause, resume, channel, reschedule ---------------------------------


def post_result(tr: Messages, outcome: str, row: DayRow | None, number: int) -> str:
    """The answer to `/challenge post N`, by outcome (see `Outcome` in the service)."""
    link = discord_link(row.guild_id, row.thread_id) if row is not None and row.thread_id else None
    if outcome == "posted":
        return _with_link(tr._("✅ Day {day} is posted.", day=number), link)
    if outcome == "already":
        if row is not None and row.state == POSTED:
            text = tr._("Day {day} was already posted, so it wasn't posted again.", day=number)
            return _with_link(text, link)
        state = state_name(tr, row.state if row is not None else "unknown")
        return tr._("Day {day} can't be posted now (it is {state}).", day=number, state=state)
    if outcome == "not_found":
        return tr._("There is no day {day} in the series.", day=number)
    error = row.error if row is not None and row.error else tr._("see the log")
    return tr._(
        "⚠️ Day {day} could not be posted: {error}\n"
        "It will be retried automatically; `/challenge status` shows progress.",
        day=number,
        error=truncate(one_line(error), 1500),
    )


def skip_result(tr: Messages, done: bool, row: DayRow | None, number: int) -> str:
    if row is None:
        return tr._("There is no scheduled day {day} (is a start date set?).", day=number)
    if done:
        return tr._(
            "⏭️ Day {day} is skipped; it won't be posted unless you use `/challenge post {day}`.",
            day=number,
        )
    if row.state == POSTED:
        return tr._("Day {day} was already posted; it can't be skipped.", day=number)
    if row.state == POSTING:
        return tr._("Day {day} is being posted right now, so it can't be skipped.", day=number)
    return tr._("Day {day} is already {state}.", day=number, state=state_name(tr, row.state))


def schedule_summary(tr: Messages, config: SeriesConfig, next_at: datetime | None) -> str:
    start, timezone, interval = start_text(tr, config), config.tz.key, config.interval_text
    if next_at:
        return tr._(
            "🗓️ Schedule: start {start} ({timezone}), every {interval}; next post {relative} "
            "({date}).",
            start=start,
            timezone=timezone,
            interval=interval,
            relative=discord_timestamp(next_at, "R"),
            date=discord_timestamp(next_at, "F"),
        )
    return tr._(
        "🗓️ Schedule: start {start} ({timezone}), every {interval}; nothing left to post.",
        start=start,
        timezone=timezone,
        interval=interval,
    )


def render_paused(tr: Messages, changed: bool) -> str:
    """The answer to `/challenge pause`."""
    if not changed:
        return tr._("The series is already paused.")
    return tr._("⏸️ Paused: no new day will be posted until `/challenge resume`.")


def render_channel_set(tr: Messages, mention: str, missing: list[str]) -> str:
    """The answer to `/challenge channel`, with the permissions the bot lacks there."""
    text = tr._("✅ Days will be posted in {channel}.", channel=mention)
    if missing:
        warning = tr._(
            "⚠️ I'm missing these permissions there: {permissions}.",
            permissions=tr.join(missing),
        )
        text += f"\n{warning}"
    return text


def render_resumed(tr: Messages, config: SeriesConfig, next_at: datetime | None) -> str:
    """The answer to `/challenge resume` once the series runs again."""
    schedule = schedule_summary(tr, config, next_at)
    if config.missed_policy == "late":
        return tr._(
            "▶️ Resumed (days whose time passed were posted late). {schedule}", schedule=schedule
        )
    return tr._(
        "▶️ Resumed (days whose time passed were marked missed). {schedule}", schedule=schedule
    )


# --- /challenge preview ------------------------------------------------------------------------


def render_preview(
    tr: Messages, number: int, bundle: DayBundle, answer_delay: timedelta
) -> list[str]:
    """`/challenge preview N`: the day's messages, one per ephemeral follow-up (capped)."""
    delay = duration_text(answer_delay) if answer_delay > timedelta(0) else "0"
    texts = [
        tr.n_(
            "👀 **Preview of day {day}** — {count} message(s) in the channel, then a thread "
            "named “{thread}”:",
            "👀 **Preview of day {day}** — {count} message(s) in the channel, then a thread "
            "named “{thread}”:",
            len(bundle.parts),
            day=number,
            thread=bundle.thread_name,
        ),
        *(message.content for message in bundle.parts),
        tr._("🧵 **In the thread:**"),
        *(message.content for message in bundle.opening),
    ]
    if bundle.answers:
        texts.append(tr._("🧠 **Expert answer, posted {delay} after the day:**", delay=delay))
        texts.extend(message.content for message in bundle.answers)
    if len(texts) > PREVIEW_MESSAGES:
        rest = len(texts) - (PREVIEW_MESSAGES - 1)
        texts = [
            *texts[: PREVIEW_MESSAGES - 1],
            tr.n_(
                "…and {count} more message(s); `challenge-bot preview` prints them all.",
                "…and {count} more message(s); `challenge-bot preview` prints them all.",
                rest,
            ),
        ]
    return [truncate(text, MESSAGE_CONTENT) for text in texts]


# --- the `series` option, editions and rehearsals ----------------------------------------------


def unknown_series_text(tr: Messages, requested: str) -> str:
    shown = discord.utils.escape_markdown(discord.utils.escape_mentions(one_line(requested)))
    return tr._(
        "This server has no series, edition or rehearsal called “{name}”. Pick one from the list.",
        name=truncate(shown, 80),
    )


def nothing_changed(tr: Messages) -> str:
    return tr._("Nothing was changed.")


def rehearse_elsewhere(tr: Messages) -> str:
    return tr._(
        "That is the live challenge channel. Rehearse in a private test channel, so members "
        "don't see the rehearsal posts."
    )


def new_edition_question(tr: Messages, current: Run) -> str:
    return tr._(
        "Start **edition {edition}** of the series? It runs from day 1 at the configured start "
        "with a fresh record: {current} ends, and its comments, stats and roles stay readable "
        "with the `series` option. A start in the past is held for your decision, never "
        "posted all at once.",
        edition=current.edition + 1,
        current=run_label(tr, current),
    )


def new_edition_result(
    tr: Messages, run: Run, config: SeriesConfig, next_at: datetime | None
) -> str:
    return tr._(
        "✅ Edition {edition} begins. {schedule}",
        edition=run.edition,
        schedule=schedule_summary(tr, config, next_at),
    )


def rehearsal_question(tr: Messages, channel: str, total: int, interval: timedelta) -> str:
    return tr.n_(
        "Rehearse in {channel}: {count} day, one every {interval}, starting in a few seconds, "
        "with answers and recaps on the same fast clock? Its comments and stats are kept apart "
        "from the live series, and it ends by itself.",
        "Rehearse in {channel}: {count} days, one every {interval}, starting in a few seconds, "
        "with answers and recaps on the same fast clock? Its comments and stats are kept apart "
        "from the live series, and it ends by itself.",
        total,
        channel=channel,
        interval=duration_text(interval),
    )


def rehearsal_started(tr: Messages, run: Run, channel: str, total: int, interval: timedelta) -> str:
    return tr.n_(
        "✅ Rehearsal {number} started in {channel}: {count} day, one every {interval}. "
        "`/challenge rehearse-clear` stops it and forgets its records; `/stats series:` shows "
        "it meanwhile.",
        "✅ Rehearsal {number} started in {channel}: {count} days, one every {interval}. "
        "`/challenge rehearse-clear` stops it and forgets its records; `/stats series:` shows "
        "it meanwhile.",
        total,
        number=run.edition,
        channel=channel,
        interval=duration_text(interval),
    )


def rehearsals_cleared(tr: Messages, runs: int, comments: int) -> str:
    if not runs:
        return tr._("There is no rehearsal to clear.")
    recorded = tr.n_("{count} comment(s)", "{count} comment(s)", comments)
    return tr.n_(
        "Cleared {count} rehearsal(s) and {comments} recorded in them. Their posts stay in the "
        "test channel; delete them there if you like.",
        "Cleared {count} rehearsal(s) and {comments} recorded in them. Their posts stay in the "
        "test channel; delete them there if you like.",
        runs,
        comments=recorded,
    )
