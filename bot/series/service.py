"""SeriesService: keeps each server's twelve posts on schedule, exactly once.

The database is the timetable. A wake-up reads the rows, does what `schedule.due_work` says is
due (post days in order, expert answers, recaps), then asks `schedule.next_wakeup` when to wake
up again and sets one timer per server. Admin commands change rows and call `wake` — nothing
else decides "when".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from bot.boundary import Discord
from bot.clock import Clock
from bot.i18n import ENGLISH, Messages, messages
from bot.i18n.choice import LanguageChoice
from bot.rendering.days import DayBundle, thread_names
from bot.rendering.limits import discord_timestamp
from bot.rendering.series import run_label, start_text
from bot.series import schedule as plan
from bot.series.config import (
    CHANNEL_KEY,
    HOLD_KEY,
    INTERVAL_KEY,
    PAUSED_KEY,
    POST_TIME_KEY,
    START_KEY,
    SeriesConfig,
    duration_text,
    effective_config,
    series_config,
)
from bot.series.definition import SeriesDefinition, default_definition
from bot.series.model import DONE_STATES, MISSED, SCHEDULED, SKIPPED, DayRow, Series, current_day
from bot.series.posting import (
    LATE_NOTE,
    Dispatch,
    Outcome,
    Poster,
    Publishing,
    day_bundle,
    series_title,
)
from bot.series.status import (
    DayView,
    SeriesStatus,
    day_view,
    idle_reason,
    next_post_at,
    series_status,
)
from bot.settings import Settings
from bot.sharding import owns
from bot.store.database import SqlDatabase
from bot.store.guild_settings import GuildSettingsStore
from bot.store.series import REHEARSAL, Run, SeriesStore, record_key
from bot.timers import Timers

__all__ = ["LATE_NOTE", "DayView", "Outcome", "Report", "SeriesService", "SeriesStatus"]

log = logging.getLogger(__name__)

MAX_STEPS = 200  # actions in one wake-up at most (a full catch-up is 12 posts + answers + recaps)


class RecapPoster(Protocol):
    async def post_recap(self, row: DayRow) -> None:
        """Post (or finish posting) the recap of a posted day whose recap is due."""
        ...


# A report for the organisers: its text, or how to write it in the server's language.
Report = str | Callable[[Messages], str]
Notify = Callable[[str, Report], Awaitable[None]]
REPORT_AFTER = 3  # failed tries of a post or answer before the organisers are told
REHEARSAL_LEAD = timedelta(seconds=5)  # a rehearsal's first post, after it is asked for


class SeriesLog(logging.LoggerAdapter[logging.Logger]):
    """The service's log lines, prefixed with the series id when it is not the default one."""

    def __init__(self, logger: logging.Logger, definition: SeriesDefinition) -> None:
        super().__init__(logger, {})
        self.prefix = "" if definition.default else f"[{definition.id}] "

    def process(self, msg: object, kwargs: MutableMapping[str, Any]) -> tuple[object, Any]:
        return f"{self.prefix}{msg}", kwargs


async def _nobody(key: str, text: Report) -> None:
    return None


class SeriesService:
    def __init__(
        self,
        settings: Settings,
        db: SqlDatabase,
        series: Series | None,
        problems: list[str],
        *,
        discord: Discord,
        publisher: Publishing,
        dispatch: Dispatch,
        clock: Clock,
        timers: Timers,
        notify: Notify = _nobody,
        rehearsal: Run | None = None,
        definition: SeriesDefinition | None = None,
        languages: LanguageChoice | None = None,
    ) -> None:
        """`discord`: which servers and channels the bot sees; `publisher`: the Discord side
        of a post; `dispatch`: tells the cogs a day was posted (`challenge_posted`)."""
        self.db = db
        self.discord = discord
        self.dispatch = dispatch
        self.languages = languages  # None: every post in BOT_LANGUAGE
        self.rehearsal = rehearsal  # set: this service runs that rehearsal only
        self.settings = settings
        self.definition = definition or default_definition(settings)
        self.series_id = self.definition.id
        self.name = self.definition.name
        self.log = SeriesLog(log, self.definition)
        self.series = series
        self.content_problems = problems
        self.clock = clock
        self.timers = timers
        self.store = SeriesStore(db)
        self.overrides = GuildSettingsStore(db)
        self.poster = Poster(
            self.store,
            publisher,
            clock,
            series_name=self.name,
            dispatch=dispatch,
            language=self.public,
            on_failure=self._failure_reported,
        )
        if rehearsal is not None:  # its posts say so, so nobody takes them for the real thing
            self.poster.rehearsal = True
        self.recaps: RecapPoster | None = None
        self.tell_admins = notify
        self.guilds: set[int] = set()
        self.runs: dict[int, Run] = {}  # the current edition in each server (set by sync)
        self._explained: set[tuple[int, str]] = set()
        self._orphans_told: set[tuple[int, tuple[int, ...]]] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self.closing = False
        self.rehearsals: dict[str, SeriesService] = {}  # record → its service
        self._publisher = publisher

    async def _tell(self, key: str, report: Callable[[Messages], str]) -> None:
        """Tell the organisers, in their server's language (naming the series when the
        server has several)."""
        if self.definition.default:
            await self.tell_admins(key, report)
            return
        name = self.name

        def named(tr: Messages) -> str:
            return tr._("**{series}**: {report}", series=name, report=report(tr))

        await self.tell_admins(key, named)

    async def public(self, guild_id: int) -> Messages:
        """The language of the server's public posts (its choice, else BOT_LANGUAGE)."""
        if self.languages is None:
            return messages(self.settings.bot_language)
        return await self.languages.for_server(guild_id)

    def lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

    @asynccontextmanager
    async def guard(self, guild_id: int) -> AsyncIterator[None]:
        """One step at a time for this series in this server: within this process (the lock)
        and across processes sharing a PostgreSQL database — two that both think they own
        the server's shard take turns, and the second finds the work done."""
        async with self.lock(guild_id), self.db.exclusive(self._key(guild_id)):
            yield

    async def config(self, guild_id: int) -> SeriesConfig:
        config = await series_config(self.db, self.settings, guild_id, self.definition)
        run = self.rehearsal
        if run is None or run.interval is None:
            return config
        # A rehearsal: its own channel, start and cadence, answers scaled to the cadence, no
        # role ping, never paused or held by the live series' state.
        return replace(
            config,
            channel_id=run.channel_id,
            start=run.starts_at,
            interval=run.interval,
            answer_delay=min(config.answer_delay, run.interval / 2),
            ping_role_id=None,
            paused=False,
            held=(),
        )

    def record(self, guild_id: int) -> str:
        """The record key of the server's current edition (the first until sync knows)."""
        if self.rehearsal is not None:
            return self.rehearsal.record
        run = self.runs.get(guild_id)
        return run.record if run is not None else record_key(self.series_id, 1)

    async def current_run(self, guild_id: int) -> Run:
        """The server's current edition of the series, created (edition 1) if none."""
        if self.rehearsal is not None:
            self.runs[guild_id] = self.rehearsal
            return self.rehearsal
        run = await self.store.live_run(guild_id, self.series_id)
        if run is None:
            run = await self.store.add_run(guild_id, self.series_id, at=self.clock.now())
        self.runs[guild_id] = run
        return run

    def timing(self, config: SeriesConfig) -> plan.Timing:
        return plan.Timing(
            interval=config.interval,
            answer_delay=config.answer_delay,
            posting=(
                self.series is not None
                and config.start is not None
                and not config.paused
                and not config.held
            ),
            missed_policy=config.missed_policy,
            recaps=self.recaps is not None,
        )

    # Start-up and planning

    def served_guilds(self, stored: list[int]) -> list[int]:
        """The configured server (or the `.env` channel's) and any with rows (`stored`),
        of those this process's shards own (a server in the cache is owned)."""
        found: list[int] = []
        if self.definition.guild_id:
            if owns(self.settings, self.definition.guild_id):
                found.append(self.definition.guild_id)
        else:
            env_channel = effective_config(self.settings, {}, definition=self.definition).channel_id
            channel = self.discord.channel(env_channel) if env_channel else None
            if channel is not None and channel.guild_id is not None and not channel.thread:
                found.append(channel.guild_id)
            elif env_channel:
                self.log.warning(
                    "CHALLENGE_CHANNEL_ID %s not found and GUILD_ID not set: nothing scheduled",
                    env_channel,
                )
        for guild_id in stored:
            if guild_id not in found and self.discord.guild_name(guild_id) is not None:
                found.append(guild_id)
        return found

    async def start_all(self) -> None:
        """Start every served server; one server's failure doesn't stop the others."""
        try:
            stored = await self.store.guilds(self.series_id)
        except Exception:
            self.log.exception(
                "Could not list the servers with a schedule; starting the configured one"
            )
            stored = []
        for guild_id in self.served_guilds(stored):
            if self.closing:  # stopped while starting
                return
            await self.start(guild_id)
            if self.closing:
                return
            try:
                await self.resume_rehearsals(guild_id)
            except Exception:
                if not self.closing:
                    self.log.exception("Could not resume the rehearsals in server %d", guild_id)

    async def start(self, guild_id: int) -> None:
        """Sync the rows with the content and settings, then wake up (posts what is due)."""
        if not owns(self.settings, guild_id):  # another process's shard posts there
            self.log.warning("Server %d is not on a shard of this process: not started", guild_id)
            return
        self.guilds.add(guild_id)
        try:
            # Planning reads, then writes (the edition, the day rows, adopted posts): one
            # process at a time, or two starting together both create edition 1.
            async with self.guard(guild_id):
                await self.sync(guild_id)
        except Exception:
            if self.closing:  # the database closed under it: the next start does it
                self.log.info("Stopped before the series started in server %d", guild_id)
                return
            self.log.exception(
                "Could not start the series in server %d; trying again soon", guild_id
            )
            self._retry_soon(guild_id, self.start)
            return
        await self.wake(guild_id)

    async def sync(self, guild_id: int) -> None:
        """Rows ← content + settings."""
        config = await self.config(guild_id)
        if self.series is None:
            self.log.error("The series content didn't load, so nothing is scheduled")
            return
        if config.start is None:
            self.log.warning(
                "No start date (SERIES_START or /challenge reschedule): nothing is scheduled"
            )
            return
        # Times by day number: a day whose page is broken keeps its slot empty.
        times = plan.planned_times(
            config.start, config.post_time, config.tz, config.interval, max(self.series.numbers)
        )
        planned = [(day, times[day.number - 1]) for day in self.series]
        run = await self._edition_for(guild_id, config, min(times))
        result = await self.store.sync_plan(guild_id, run.record, planned)
        if result.created:
            self.log.info("Scheduled days %s in server %d", result.created, guild_id)
        if result.moved:
            self.log.info("Moved the planned time of days %s in server %d", result.moved, guild_id)
        first_live = run.edition == 1 and self.rehearsal is None
        if len(result.created) == len(planned) and first_live:  # a new database
            await self._adopt_existing_posts(guild_id, config)
        if (result.created or result.moved) and self.rehearsal is None:  # start in the past?
            await self._hold_if_in_the_past(guild_id, config)
        await self._explain_if_idle(guild_id, config)

    async def _edition_for(self, guild_id: int, config: SeriesConfig, first: datetime) -> Run:
        """The edition the planned times belong to. When the current one is over — every day
        done, or its posts went to another channel (a rehearsal) — and the start now lies
        after its last post, a new edition begins with its own records; the old one stays."""
        run = await self.current_run(guild_id)
        rows = await self._rows_with_content(guild_id)
        posted = [row for row in rows if row.posted_at is not None]
        if not posted or self.rehearsal is not None:
            return run
        last = max(row.posted_at for row in posted if row.posted_at is not None)
        finished = all(row.state in DONE_STATES for row in rows)
        elsewhere = config.channel_id is not None and any(
            row.channel_id not in (None, config.channel_id) for row in posted
        )
        if first <= last or not (finished or elsewhere):
            return run
        new = await self.store.add_run(guild_id, self.series_id, at=self.clock.now())
        self.runs[guild_id] = new
        moved = None if finished else posted[0].channel_id
        self.log.warning(
            "The series' %s %s (last post %s); %s starts %s with its own records "
            "(the earlier edition's comments and stats are kept apart)",
            run.label,
            "finished" if moved is None else f"was posted in channel {moved}",
            last.isoformat(timespec="minutes"),
            new.label,
            first.isoformat(timespec="minutes"),
        )

        channel = f"<#{moved}>"

        def report(tr: Messages) -> str:
            values = {
                "edition": run_label(tr, run),
                "new": run_label(tr, new),
                "date": discord_timestamp(first, "f"),
            }
            if moved is None:
                return tr._(
                    "The series' {edition} finished; {new} starts {date} with its own records. "
                    "The earlier edition's comments and stats are kept apart "
                    "(`/stats series:…`).",
                    **values,
                )
            return tr._(
                "The series' {edition} was posted in {channel}; {new} starts {date} with its "
                "own records. The earlier edition's comments and stats are kept apart "
                "(`/stats series:…`).",
                channel=channel,
                **values,
            )

        await self._tell(f"edition:{guild_id}:{new.record}", report)
        return new

    async def _explain_if_idle(self, guild_id: int, config: SeriesConfig) -> None:
        """When nothing will ever be posted, say why and what to do (once per reason)."""
        rows = await self._rows_with_content(guild_id)
        run = self.runs.get(guild_id)
        if self.rehearsal is not None:
            return
        reason = idle_reason(ENGLISH, config, rows, run, self.clock.now())  # for the log
        if reason is None or (guild_id, reason) in self._explained:
            return
        self._explained.add((guild_id, reason))
        self.log.warning("Nothing more will be posted in server %d: %s", guild_id, reason)

    async def _adopt_existing_posts(self, guild_id: int, config: SeriesConfig) -> None:
        """A lost database must not post "Day 1" again: our own posts already in the channel
        are adopted as posted before anything is sent."""
        if self.series is None or config.channel_id is None:
            return
        publisher = self.poster.publisher
        try:
            channel = await publisher.channel(config.channel_id)
            names = {day.number: thread_names(day) for day in self.series}
            found = await publisher.find_posted_days(channel, names)
        except Exception as exc:  # no channel, no access: posting will say so
            self.log.warning("Could not look for earlier posts in the channel: %s", exc)
            return
        for number, (message_id, thread_id, at) in sorted(found.items()):
            await self.store.adopt(
                guild_id,
                self.record(guild_id),
                number,
                channel_id=config.channel_id,
                message_id=message_id,
                thread_id=thread_id,
                posted_at=at,
            )
        if found:
            self.log.warning(
                "New database, but days %s were already posted in the channel: adopted them "
                "(not posted again)",
                sorted(found),
            )

    async def _failure_reported(self, row: DayRow, attempts: int, error: str) -> None:
        if attempts == REPORT_AFTER:
            await self._tell(
                f"failed:{row.guild_id}:{row.series}:{row.day}",
                lambda tr: tr.n_(
                    "Day {day} still can't be posted after {count} try: {error}. "
                    "The bot keeps retrying; `/challenge status` shows the latest error.",
                    "Day {day} still can't be posted after {count} tries: {error}. "
                    "The bot keeps retrying; `/challenge status` shows the latest error.",
                    attempts,
                    day=row.day,
                    error=error,
                ),
            )

    async def _hold_if_in_the_past(self, guild_id: int, config: SeriesConfig) -> None:
        """A start that makes several days due at once holds them for an admin's decision
        (catch-up is for days missed while the series was running)."""
        rows = await self.store.list_days(guild_id, self.record(guild_id))
        due = plan.due_at_once(rows, self.clock.now(), plan.grace_period(config.interval))
        if due:
            await self.overrides.set(
                guild_id, self.definition.key(HOLD_KEY), ",".join(map(str, due))
            )
            await self._tell(
                self.definition.key(f"hold:{guild_id}"),
                lambda tr: tr._(
                    "The series start ({start}) is in the past, so days {first}–{last} would "
                    "all be posted at once. Nothing was posted: choose in `/challenge status` "
                    "(post them now, or start from the next slot).",
                    start=start_text(tr, config),
                    first=due[0],
                    last=due[-1],
                ),
            )
            self.log.warning(
                "The start (%s) is in the past: days %d–%d would all be posted at once. Holding "
                "them: nothing is posted until an admin chooses in /challenge status (post them "
                "now, or start from the next slot), or the start is changed.",
                config.start_text,
                due[0],
                due[-1],
            )
        elif config.held:
            await self.overrides.delete(guild_id, self.definition.key(HOLD_KEY))

    async def release_hold(self, guild_id: int, *, post_overdue: bool) -> list[int]:
        """An admin's answer to a start in the past: post the held days now (in order, without
        a "late" note: nobody was offline), or start the series from the next free slot."""
        config = await self.config(guild_id)
        held = list(config.held)
        if not held:
            return []
        if post_overdue:
            posted = []
            for number in held:  # still held meanwhile, so no wake-up posts them "late"
                outcome, _ = await self.post_now(guild_id, number)
                if outcome is not Outcome.POSTED:
                    break
                posted.append(number)
            await self.overrides.delete(guild_id, self.definition.key(HOLD_KEY))
            self.log.info(
                "Held days %s posted on an admin's request in server %d", posted, guild_id
            )
            await self.wake(guild_id)
            return posted
        start = plan.next_slot(config.post_time, config.tz, config.interval, self.clock.now())
        await self.overrides.delete(guild_id, self.definition.key(HOLD_KEY))
        self.log.info("Series in server %d starts again from the next slot, %s", guild_id, start)
        await self.reschedule(guild_id, start=start)
        return []

    async def close(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop waking up and let a step in progress finish (within `timeout`): its post,
        answer or recap goes out whole, and the next start finds nothing half done."""
        self.closing = True
        for child in list(self.rehearsals.values()):
            await child.close(timeout)
        for guild_id in list(self.guilds):
            self.timers.cancel(self._key(guild_id))
        for guild_id, lock in list(self._locks.items()):
            try:
                async with asyncio.timeout(timeout):
                    await lock.acquire()
                lock.release()
            except TimeoutError:
                self.log.warning("A post in server %d was still running at shutdown", guild_id)

    # Wake-ups

    def _key(self, guild_id: int) -> str:
        if self.rehearsal is not None:
            return f"series:{guild_id}:{self.rehearsal.record}"
        return self.definition.key(f"series:{guild_id}")

    async def wake(self, guild_id: int) -> None:
        """Do what is due in this server, then set its next wake-up from the rows."""
        self.guilds.add(guild_id)
        if self.closing:
            return
        try:
            async with self.guard(guild_id):
                await self._plan_wakeup(guild_id, await self._do_due(guild_id))
        except Exception:  # a busy or broken database, say: the rows can't be read
            self.log.exception("The series in server %d could not run; trying again soon", guild_id)
            self._retry_soon(guild_id, self.wake)

    def _retry_soon(self, guild_id: int, action: Callable[[int], Awaitable[None]]) -> None:
        at = self.clock.now() + plan.RETRY_STEPS[0]
        self.timers.set(self._key(guild_id), at, lambda: action(guild_id))

    async def _plan_wakeup(
        self, guild_id: int, last_read: tuple[SeriesConfig, list[DayRow]] | None
    ) -> None:
        """Set the next wake-up from the rows as the wake-up left them (read again only when
        it stopped early)."""
        if self.closing:
            return
        if last_read is None:
            last_read = (await self.config(guild_id), await self._rows_with_content(guild_id))
        config, rows = last_read
        now = self.clock.now()
        at = plan.next_wakeup(rows, self.timing(config), now)
        if at is None:
            self.timers.cancel(self._key(guild_id))
            if self.rehearsal is not None and rows and all(r.state in DONE_STATES for r in rows):
                await self._rehearsal_over(guild_id)
            return
        if at <= now:  # due but not done (its failure could not be recorded): not in a loop
            at = now + plan.retry_delay(0, config.interval)
        self.timers.set(self._key(guild_id), at, lambda: self.wake(guild_id))

    async def _do_due(self, guild_id: int) -> tuple[SeriesConfig, list[DayRow]] | None:
        """Do what is due, one step at a time (each step re-reads the rows); return the last
        read, in which nothing was left to do (None: stopped early)."""
        tried: set[tuple[str, int]] = set()
        posting_failed = False
        for _ in range(MAX_STEPS):
            if self.closing:
                return None
            config = await self.config(guild_id)  # re-read: a pause stops a catch-up
            timing = self.timing(config)
            rows = await self._rows_with_content(guild_id)
            due = plan.due_work(rows, timing, self.clock.now())
            missed = [n for n in due.missed if ("missed", n) not in tried]
            for number in missed:
                tried.add(("missed", number))
                await self._mark_missed(guild_id, next(r for r in rows if r.day == number))
            if missed:
                continue  # the timetable changed: read it again before posting
            work = [("answer", n) for n in due.answers] + [("recap", n) for n in due.recaps]
            if due.posts and not posting_failed:
                work.append(("post", due.posts[0]))
            work = [item for item in work if item not in tried]
            if not work:
                return config, rows
            by_day = {row.day: row for row in rows}
            for kind, number in work:  # different days, or different columns of one day
                tried.add((kind, number))
                row = by_day[number]
                if kind == "post":
                    assert self.series is not None
                    outcome = await self.poster.post_day(self.series, row, config, forced=False)
                    posting_failed = outcome not in (Outcome.POSTED, Outcome.ALREADY)
                elif kind == "answer" and self.series is not None:
                    await self.poster.post_answers(self.series, row, config)
                elif kind == "recap" and self.recaps is not None:
                    await self.recaps.post_recap(row)
        return None

    async def _mark_missed(self, guild_id: int, row: DayRow) -> None:
        if await self.store.set_state(
            guild_id, self.record(guild_id), row.day, MISSED, from_states=(SCHEDULED,)
        ):
            self.log.warning(
                "Day %d (planned %s) was missed while the bot was offline or paused; "
                "marked missed (MISSED_POST_POLICY=skip). /challenge post %d posts it.",
                row.day,
                row.planned_at.isoformat(),
                row.day,
            )

    async def _rows_with_content(self, guild_id: int) -> list[DayRow]:
        """Rows of days the content still has (a day removed from the folder is left alone)."""
        rows = await self.store.list_days(guild_id, self.record(guild_id))
        if self.series is None:
            return rows
        known = set(self.series.numbers)
        orphans = tuple(r.day for r in rows if r.day not in known and r.state not in DONE_STATES)
        if orphans and (guild_id, orphans) not in self._orphans_told:
            self._orphans_told.add((guild_id, orphans))  # once, not at every wake-up
            self.log.warning(
                "Days %s are scheduled but no longer in the content: not posted", orphans
            )
        return [row for row in rows if row.day in known]

    # Admin changes: each changes rows or settings, then wakes up

    async def post_now(self, guild_id: int, number: int) -> tuple[Outcome, DayRow | None]:
        """`/challenge post N`: post (or finish posting) a day now, never a second time."""
        self.guilds.add(guild_id)
        async with self.guard(guild_id):
            if self.series is None or self.series.day(number) is None:
                return Outcome.NOT_FOUND, None
            row = await self.store.get_day(guild_id, self.record(guild_id), number)
            if row is None:  # no start date yet: plan just this day, for now
                day = self.series.day(number)
                assert day is not None
                await self.store.sync_plan(
                    guild_id,
                    self.record(guild_id),
                    [(day, self.clock.now())],
                )
                row = await self.store.get_day(guild_id, self.record(guild_id), number)
                assert row is not None
            config = await self.config(guild_id)
            outcome = await self.poster.post_day(self.series, row, config, forced=True)
            after = await self.store.get_day(guild_id, self.record(guild_id), number)
        await self.wake(guild_id)  # its answer (and the previous day's recap) follow
        return outcome, after

    async def skip(self, guild_id: int, number: int) -> tuple[bool, DayRow | None]:
        """Mark a not-yet-posted day skipped; (done, row as it is now)."""
        self.guilds.add(guild_id)
        async with self.guard(guild_id):
            done = await self.store.set_state(
                guild_id, self.record(guild_id), number, SKIPPED, from_states=(SCHEDULED, MISSED)
            )
            row = await self.store.get_day(guild_id, self.record(guild_id), number)
        if done:
            self.log.info("Day %d skipped in server %d", number, guild_id)
            await self.wake(guild_id)
        return done, row

    async def pause(self, guild_id: int) -> bool:
        """Stop posting new days; False if it was already paused."""
        config = await self.config(guild_id)
        if config.paused:
            return False
        await self.overrides.set(guild_id, self.definition.key(PAUSED_KEY), "1")
        self.log.info("Series paused in server %d", guild_id)
        await self.wake(guild_id)
        return True

    async def resume(self, guild_id: int) -> bool:
        """Post again; days whose time passed while paused follow the missed-post policy."""
        config = await self.config(guild_id)
        if not config.paused:
            return False
        await self.overrides.delete(guild_id, self.definition.key(PAUSED_KEY))
        self.log.info("Series resumed in server %d", guild_id)
        await self.start(guild_id)
        return True

    async def reschedule(
        self,
        guild_id: int,
        *,
        start: date | datetime | None = None,
        post_time: time | None = None,
        interval: timedelta | None = None,
    ) -> SeriesConfig:
        """Persist new schedule settings, move the days not posted yet, post what is due."""
        current = await self.config(guild_id)
        if post_time is not None and start is None and isinstance(current.start, datetime):
            # A time only makes sense with a date start: keep the current start's local date.
            start = (
                current.start.astimezone(current.tz).date()
                if current.start.tzinfo
                else current.start.date()
            )
        if start is not None:
            await self.overrides.set(guild_id, self.definition.key(START_KEY), start.isoformat())
        if post_time is not None:
            await self.overrides.set(
                guild_id, self.definition.key(POST_TIME_KEY), f"{post_time:%H:%M}"
            )
        if interval is not None:
            await self.overrides.set(
                guild_id, self.definition.key(INTERVAL_KEY), duration_text(interval)
            )
        await self.start(guild_id)
        return await self.config(guild_id)

    async def set_channel(self, guild_id: int, channel_id: int) -> None:
        await self.overrides.set(guild_id, self.definition.key(CHANNEL_KEY), str(channel_id))
        self.log.info("Challenge channel set to %d in server %d", channel_id, guild_id)
        await self.start(guild_id)

    async def new_edition(self, guild_id: int) -> Run:
        """`/challenge new-edition`: start the series again from day 1 with a fresh record
        (at the configured start; one in the past is held, never a burst). The earlier
        editions stay, with their comments and stats."""
        self.guilds.add(guild_id)
        async with self.guard(guild_id):
            run = await self.store.add_run(guild_id, self.series_id, at=self.clock.now())
            self.runs[guild_id] = run
            await self.overrides.delete(guild_id, self.definition.key(HOLD_KEY))
        self.log.info("Series %s: %s begins in server %d", self.series_id, run.label, guild_id)
        await self.start(guild_id)
        return run

    async def rehearse(self, guild_id: int, channel_id: int, interval: timedelta) -> Run:
        """`/challenge rehearse`: a copy of the series in another channel at a fast cadence,
        with its own records; the live series and its stats are not touched. It starts in a
        few seconds and ends by itself after its last day (and recap)."""
        starts = self.clock.now() + REHEARSAL_LEAD
        run = await self.store.add_run(
            guild_id,
            self.series_id,
            kind=REHEARSAL,
            channel_id=channel_id,
            interval=interval,
            starts_at=starts,
            at=self.clock.now(),
        )
        self.log.info(
            "Rehearsal %s in server %d: channel %d, every %s, from %s",
            run.record,
            guild_id,
            channel_id,
            duration_text(interval),
            starts.isoformat(timespec="seconds"),
        )
        await self._run_rehearsal(run)
        return run

    async def _run_rehearsal(self, run: Run) -> None:
        child = SeriesService(
            self.settings,
            self.db,
            self.series,
            self.content_problems,
            discord=self.discord,
            publisher=self._publisher,
            dispatch=self.dispatch,
            clock=self.clock,
            timers=self.timers,
            notify=self.tell_admins,
            rehearsal=run,
            definition=self.definition,
            languages=self.languages,
        )
        child.recaps = self.recaps
        self.rehearsals[run.record] = child
        await child.start(run.guild_id)

    async def _rehearsal_over(self, guild_id: int) -> None:
        assert self.rehearsal is not None
        await self.store.end_run(guild_id, self.rehearsal.record, self.clock.now())
        self.log.info(
            "Rehearsal %s finished in server %d; its records stay apart until cleared "
            "(/challenge rehearse-clear)",
            self.rehearsal.record,
            guild_id,
        )

    async def clear_rehearsals(self, guild_id: int) -> tuple[int, int]:
        """Stop and forget this server's rehearsals and what was recorded in them (the posts
        stay in their channel); (rehearsals, comments) removed."""
        runs = [r for r in await self.store.runs(guild_id, self.series_id) if r.kind == REHEARSAL]
        comments = 0
        for run in runs:
            child = self.rehearsals.pop(run.record, None)
            if child is not None:
                await child.close()
            comments += await self.store.delete_run(guild_id, run.record)
        if runs:
            self.log.info("Cleared %d rehearsal(s) in server %d", len(runs), guild_id)
        return len(runs), comments

    async def resume_rehearsals(self, guild_id: int) -> None:
        """After a restart: rehearsals that had not ended carry on."""
        for run in await self.store.runs(guild_id, self.series_id):
            if run.kind == REHEARSAL and run.ended_at is None and run.record not in self.rehearsals:
                if run.starts_at is None:  # planned from the command line: start it now
                    starts = self.clock.now() + REHEARSAL_LEAD
                    await self.store.set_run_start(guild_id, run.record, starts)
                    run = replace(run, starts_at=starts)
                await self._run_rehearsal(run)

    async def editions(self, guild_id: int) -> list[Run]:
        """Every run of the series in this server (editions and rehearsals), oldest first."""
        return await self.store.runs(guild_id, self.series_id)

    # Reading

    async def rows(self, guild_id: int) -> list[DayRow]:
        return await self.store.list_days(guild_id, self.record(guild_id))

    async def status(self, guild_id: int, tr: Messages) -> SeriesStatus:
        """What `/challenge status` shows, its texts (problems, why idle) in `tr`."""
        config = await self.config(guild_id)
        rows = await self.rows(guild_id)
        return series_status(
            tr,
            config,
            rows,
            self.series,
            self.content_problems,
            self.clock.now(),
            self.runs.get(guild_id),
        )

    async def current_day(self, guild_id: int) -> int | None:
        """The latest posted day (what "today's challenge" means), or None before day 1."""
        today = current_day(await self.rows(guild_id))
        return None if today is None else today.day

    async def day_view(self, guild_id: int, number: int | None) -> DayView:
        rows = await self.rows(guild_id)
        next_at = next_post_at(rows, await self.config(guild_id), self.clock.now())
        return day_view(self.series, rows, number, next_at)

    async def preview(self, guild_id: int, number: int) -> DayBundle | None:
        """What day `number` would post now in this server, in its language (None: no such
        day)."""
        day = self.series.day(number) if self.series is not None else None
        if self.series is None or day is None:
            return None
        config = await self.config(guild_id)
        tr = await self.public(guild_id)
        return day_bundle(
            tr,
            self.series,
            day,
            await self.rows(guild_id),
            config,
            self.clock.now(),
            series_name=series_title(tr, self.name, rehearsal=self.rehearsal is not None),
            marker_text=None,
        )

    async def next_post_at(self, guild_id: int) -> datetime | None:
        """When the next day goes out (None: nothing left, paused or not scheduled)."""
        config = await self.config(guild_id)
        return next_post_at(await self.rows(guild_id), config, self.clock.now())
