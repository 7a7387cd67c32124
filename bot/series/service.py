"""SeriesService: keeps each server's twelve posts on schedule, exactly once.

The database is the truth. At start-up the rows are synced with the content and settings,
scheduler jobs are rebuilt from the rows, and anything overdue is handled by the missed-post
policy. Every job just asks `run_due`, which posts what is due, in day order, under a
per-server lock, each day claimed with a conditional UPDATE before anything is sent.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

import discord
from apscheduler.triggers.date import DateTrigger

from bot.rendering.days import DayBundle, render_answers, render_day_bundle
from bot.series import schedule as plan_maths
from bot.series.config import (
    CHANNEL_KEY,
    INTERVAL_KEY,
    PAUSED_KEY,
    POST_TIME_KEY,
    START_KEY,
    SeriesConfig,
    duration_text,
    effective_config,
    series_config,
)
from bot.series.model import ChallengeDay, Series
from bot.series.publisher import DayPost, PostStepError, Publisher
from bot.series.schedule import DONE_STATES, MISSED, POSTED, POSTING, SCHEDULED, SKIPPED, Slot
from bot.store.guild_settings import GuildSettingsStore
from bot.store.series import DayRow, PlannedDay, SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)

LATE_NOTE = "Posted late because the bot was offline"


class Outcome(Enum):
    POSTED = "posted"
    ALREADY = "already"  # posted before, or not in a state that may be posted
    FAILED = "failed"  # an error was recorded; a retry is scheduled
    NOT_FOUND = "not_found"
    NOT_READY = "not_ready"  # no content or no channel


@dataclass(frozen=True, slots=True)
class SeriesStatus:
    """Everything `/challenge status` shows."""

    config: SeriesConfig
    rows: list[DayRow]
    total_days: int
    next_day: int | None
    next_at: datetime | None
    overdue: list[int]  # not-yet-posted days whose time passed
    now: datetime
    problems: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DayView:
    """What `/challenge day N` (or `today`, `number=None`) can show a member."""

    number: int | None  # None: `today` before anything was posted
    total_days: int  # days in the series (0: the content didn't load)
    day: ChallengeDay | None  # None: no such day
    row: DayRow | None  # None: not scheduled in this server
    next_at: datetime | None = None  # for `today` before day 1: when it comes

    @property
    def shown(self) -> bool:
        """Only a posted day is shown (its question would spoil an unposted one)."""
        return self.day is not None and self.row is not None and self.row.state == POSTED


def slots(rows: list[DayRow]) -> list[Slot]:
    return [Slot(row.day, row.planned_at, row.state) for row in rows]


class SeriesService:
    def __init__(self, bot: ChallengeBot, series: Series | None, problems: list[str]) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.series_id = bot.settings.series_id
        self.series = series
        self.content_problems = problems
        self.store = SeriesStore(bot.db)
        self.overrides = GuildSettingsStore(bot.db)
        self.publisher = Publisher(bot, self.store, self.series_id)
        self.guilds: set[int] = set()
        self._locks: dict[int, asyncio.Lock] = {}
        self.closing = False

    def lock(self, guild_id: int) -> asyncio.Lock:
        return self._locks.setdefault(guild_id, asyncio.Lock())

    async def config(self, guild_id: int) -> SeriesConfig:
        return await series_config(self.bot.db, self.settings, guild_id)

    # Start-up and planning

    def served_guilds(self, stored: list[int]) -> list[int]:
        """The configured server (or the `.env` channel's) and any with rows (`stored`)."""
        found: list[int] = []
        if self.settings.guild_id:
            found.append(self.settings.guild_id)
        else:
            env_channel = effective_config(self.settings, {}).channel_id
            channel = self.bot.get_channel(env_channel) if env_channel else None
            if isinstance(channel, discord.abc.GuildChannel):
                found.append(channel.guild.id)
            elif env_channel:
                log.warning(
                    "CHALLENGE_CHANNEL_ID %s not found and GUILD_ID not set: nothing scheduled",
                    env_channel,
                )
        for guild_id in stored:
            if guild_id not in found and self.bot.get_guild(guild_id) is not None:
                found.append(guild_id)
        return found

    async def start_all(self) -> None:
        """Start every served server; one server's failure doesn't stop the others."""
        try:
            stored = await self.store.guilds(self.series_id)
        except Exception:
            log.exception("Could not list the servers with a schedule; starting the configured one")
            stored = []
        for guild_id in self.served_guilds(stored):
            await self._start_guarded(guild_id)

    async def _start_guarded(self, guild_id: int) -> None:
        try:
            await self.start(guild_id)
        except Exception:
            log.exception("Could not start the series in server %d; trying again soon", guild_id)
            self._add_job(
                f"start:{guild_id}",
                self.bot.now() + plan_maths.RETRY_STEPS[0],
                self._start_guarded,
                guild_id,
            )

    async def start(self, guild_id: int) -> None:
        """Sync the rows, rebuild the jobs and post whatever is overdue."""
        self.guilds.add(guild_id)
        await self.sync(guild_id)
        await self.run_due(guild_id)

    async def sync(self, guild_id: int) -> None:
        """Rows ← content + settings, then jobs ← rows."""
        self.guilds.add(guild_id)
        config = await self.config(guild_id)
        if self.series is None:
            log.error("The series content didn't load, so nothing is scheduled")
        elif config.start is None:
            log.warning(
                "No start date (SERIES_START or /challenge reschedule): nothing is scheduled"
            )
        else:
            times = plan_maths.planned_times(
                config.start, config.post_time, config.tz, config.interval, len(self.series)
            )
            plan = [
                PlannedDay(day.number, day.title, at)
                for day, at in zip(self.series.days, times, strict=True)
            ]
            result = await self.store.sync_plan(guild_id, self.series_id, plan)
            if result.created:
                log.info("Scheduled days %s in server %d", result.created, guild_id)
            if result.moved:
                log.info("Moved the planned time of days %s in server %d", result.moved, guild_id)
        await self.schedule_jobs(guild_id)

    async def schedule_jobs(self, guild_id: int) -> None:
        """Rebuild this server's jobs from its rows (in-memory store, stable ids)."""
        self.remove_jobs(guild_id)
        config = await self.config(guild_id)
        rows = await self.store.list_days(guild_id, self.series_id)
        now = self.bot.now()
        if self.series is not None and config.start is not None and not config.paused:
            known = set(self.series.numbers)
            for row in rows:
                if row.state == SCHEDULED and row.planned_at > now and row.day in known:
                    self._add_job(
                        f"post:{guild_id}:{row.day}", row.planned_at, self.run_due, guild_id
                    )
        for row in rows:
            if row.state == POSTED and row.answer_state in ("pending", "posting"):
                at = (row.posted_at or now) + config.answer_delay
                self._add_job(
                    f"answer:{guild_id}:{row.day}",
                    max(at, now),
                    self.post_answers,
                    guild_id,
                    row.day,
                )

    def remove_jobs(self, guild_id: int, kinds: tuple[str, ...] = ("post", "answer")) -> None:
        """Remove this server's jobs of these kinds (ids are `kind:guild[:day]`)."""
        scheduler = self.bot.scheduler
        if scheduler is None:
            return
        for job in scheduler.get_jobs():
            kind, _, rest = job.id.partition(":")
            if kind in kinds and rest.split(":")[0] == str(guild_id):
                job.remove()

    async def close(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Remove the jobs and let a post in progress finish (its steps are recorded anyway)."""
        self.closing = True
        for guild_id in list(self.guilds):
            self.remove_jobs(guild_id, ("post", "answer", "retry", "start"))
        for guild_id, lock in list(self._locks.items()):
            try:
                async with asyncio.timeout(timeout):
                    await lock.acquire()
                lock.release()
            except TimeoutError:
                log.warning("A post in server %d was still running at shutdown", guild_id)

    def _add_job(
        self, job_id: str, at: datetime, function: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        scheduler = self.bot.scheduler
        if scheduler is None:
            return
        scheduler.add_job(
            self._guarded,
            DateTrigger(run_date=at),
            args=(job_id, function, *args),
            id=job_id,
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=None,  # run however late: run_due applies the missed policy
        )

    async def _guarded(
        self, job_id: str, function: Callable[..., Awaitable[Any]], *args: Any
    ) -> None:
        try:
            await self.bot.wait_until_ready()
            if not self.closing:
                await function(*args)
        except asyncio.CancelledError:
            # Shutdown cut the job short; the database says where it stopped and the next
            # start resumes from there. Not an error for APScheduler to report.
            log.info("Series job %s interrupted by shutdown", job_id)
        except Exception:
            log.exception("Series job %s failed", job_id)
            if function == self.run_due and not self.closing:
                # A failure before any day was claimed (a busy database, say): try again soon.
                guild_id = args[0]
                at = self.bot.now() + plan_maths.RETRY_STEPS[0]
                self._add_job(f"retry:{guild_id}", at, self.run_due, guild_id)

    # Posting

    async def run_due(self, guild_id: int) -> None:
        """Post every day that is due, in order; stop at the first failure (it retries)."""
        async with self.lock(guild_id):
            await self._run_due_locked(guild_id)

    async def _run_due_locked(self, guild_id: int) -> None:
        config = await self.config(guild_id)
        if self.closing or self.series is None or config.start is None or config.paused:
            return
        now = self.bot.now()
        grace = plan_maths.grace_period(config.interval)
        rows = await self._rows_with_content(guild_id)
        if config.missed_policy == "skip":  # (under `late`, they are posted below, late)
            for slot in plan_maths.missed_days(slots(rows), now, grace):
                if await self.store.set_state(
                    guild_id, self.series_id, slot.number, MISSED, from_states=(SCHEDULED,)
                ):
                    log.warning(
                        "Day %d (planned %s) was missed while the bot was offline or paused; "
                        "marked missed (MISSED_POST_POLICY=skip). /challenge post %d posts it.",
                        slot.number,
                        slot.planned_at.isoformat(),
                        slot.number,
                    )
            rows = await self._rows_with_content(guild_id)
        for index, slot in enumerate(plan_maths.due_days(slots(rows), now)):
            # A catch-up can take a while: stop when shutting down or paused meanwhile.
            if self.closing or (index and (await self.config(guild_id)).paused):
                break
            outcome = await self._post_locked(guild_id, slot.number, config, forced=False)
            if outcome is not Outcome.POSTED and outcome is not Outcome.ALREADY:
                break

    async def _rows_with_content(self, guild_id: int) -> list[DayRow]:
        """Rows of days the content still has (a day removed from the folder is left alone)."""
        assert self.series is not None
        rows = await self.store.list_days(guild_id, self.series_id)
        known = set(self.series.numbers)
        orphans = [row.day for row in rows if row.day not in known and row.state not in DONE_STATES]
        if orphans:
            log.warning("Days %s are scheduled but no longer in the content: not posted", orphans)
        return [row for row in rows if row.day in known]

    async def post_now(self, guild_id: int, number: int) -> tuple[Outcome, DayRow | None]:
        """`/challenge post N`: post (or finish posting) a day now, never a second time."""
        self.guilds.add(guild_id)
        async with self.lock(guild_id):
            if self.series is None or self.series.day(number) is None:
                return Outcome.NOT_FOUND, None
            row = await self.store.get_day(guild_id, self.series_id, number)
            if row is None:  # no start date yet: plan just this day, for now
                day = self.series.day(number)
                assert day is not None
                await self.store.sync_plan(
                    guild_id, self.series_id, [PlannedDay(number, day.title, self.bot.now())]
                )
            config = await self.config(guild_id)
            outcome = await self._post_locked(guild_id, number, config, forced=True)
            return outcome, await self.store.get_day(guild_id, self.series_id, number)

    async def _post_locked(
        self, guild_id: int, number: int, config: SeriesConfig, *, forced: bool
    ) -> Outcome:
        assert self.series is not None
        day = self.series.day(number)
        row = await self.store.get_day(guild_id, self.series_id, number)
        if day is None or row is None:
            return Outcome.NOT_FOUND
        resumed = row.state == POSTING
        allowed = (SCHEDULED, SKIPPED, MISSED) if forced else (SCHEDULED,)
        if not resumed and row.state not in allowed:
            return Outcome.ALREADY
        channel_id = row.channel_id if resumed and row.channel_id else config.channel_id
        if channel_id is None:
            await self._failed(
                row,
                config,
                "no challenge channel is set: set CHALLENGE_CHANNEL_ID or use /challenge channel",
            )
            return Outcome.NOT_READY
        try:
            claimed = await self._claim_and_publish(row, day, config, channel_id, forced=forced)
        except PostStepError as exc:
            await self._failed(row, config, str(exc))
            return Outcome.FAILED
        except Exception as exc:  # anything else (a reset connection, a busy database…)
            log.exception("Day %d in server %d: unexpected failure while posting", number, guild_id)
            await self._failed(row, config, f"{type(exc).__name__}: {exc}")
            return Outcome.FAILED
        if claimed is None:
            return Outcome.ALREADY
        posted_at, thread_id = claimed
        log.info("Posted day %d in server %d (thread %s)", number, guild_id, thread_id)
        self.bot.dispatch("challenge_posted", guild_id, number, thread_id)
        if config.answer_delay <= timedelta(0):
            await self._answers_locked(guild_id, number)
        else:
            self._add_job(
                f"answer:{guild_id}:{number}",
                posted_at + config.answer_delay,
                self.post_answers,
                guild_id,
                number,
            )
        return Outcome.POSTED

    async def _claim_and_publish(
        self, row: DayRow, day: ChallengeDay, config: SeriesConfig, channel_id: int, *, forced: bool
    ) -> tuple[datetime, int | None] | None:
        """Claim the day (unless resuming), send what is missing, mark it posted.

        Returns (posted at, thread id), or None when another run claimed it first.
        """
        guild_id, number = row.guild_id, row.day
        resumed = row.state == POSTING
        channel = await self.publisher.channel(channel_id)
        now = self.bot.now()
        rows = await self.store.list_days(guild_id, self.series_id)
        if not resumed:
            late = not forced and plan_maths.is_late(
                row.planned_at, now, plan_maths.grace_period(config.interval)
            )
            claimed = await self.store.claim(
                guild_id,
                self.series_id,
                number,
                nonce=secrets.token_hex(8),
                channel_id=channel_id,
                late=late,
                from_states=(SCHEDULED, SKIPPED, MISSED) if forced else (SCHEDULED,),
            )
            if not claimed:
                return None
            if late:  # logged once, when claimed (a retry resumes without a new warning)
                log.warning(
                    "Day %d (planned %s) is overdue; posting it late (MISSED_POST_POLICY=late)",
                    number,
                    row.planned_at.isoformat(),
                )
            fresh = await self.store.get_day(guild_id, self.series_id, number)
            assert fresh is not None
            row = fresh
        else:
            log.info("Day %d was interrupted while posting; resuming it", number)
        # The previous day ends now. Also on a resume: a crash may have cut the first
        # announcement short (its listeners are idempotent, e.g. the recap is claimed once).
        previous = plan_maths.previous_posted(slots(rows), number)
        if previous is not None:
            ended = next(r for r in rows if r.day == previous.number)
            self.bot.dispatch("challenge_day_ending", guild_id, ended.day, ended.thread_id)
        post = DayPost(
            self._bundle(day, rows, config, now, marker=self._marker(row)),
            ping_role_id=config.ping_role_id,
            archive_minutes=config.archive_minutes,
        )
        progress = await self.publisher.publish_day(row, post, channel, resumed=resumed)
        posted_at = self.bot.now()
        await self.store.mark_posted(guild_id, self.series_id, number, posted_at=posted_at)
        return posted_at, progress.thread_id

    def _bundle(
        self,
        day: ChallengeDay,
        rows: list[DayRow],
        config: SeriesConfig,
        now: datetime,
        *,
        marker: str | None,
    ) -> DayBundle:
        """The day as it goes out now: its "next challenge" line names the next day's time."""
        assert self.series is not None
        following = plan_maths.next_after(slots(rows), day.number)
        next_at = None
        if following is not None and not config.paused:
            next_at = max(following.planned_at, now)
        return render_day_bundle(
            day,
            next_post_at=next_at,
            series_name=self.settings.series_name,
            is_last=self.series.is_last(day.number),
            ping_role_id=config.ping_role_id,
            marker=marker,
        )

    @staticmethod
    def _marker(row: DayRow) -> str:
        marker = f"ref {row.nonce}"
        return f"{LATE_NOTE} · {marker}" if row.late else marker

    async def _failed(self, row: DayRow, config: SeriesConfig, error: str) -> None:
        """Schedule a retry, then record the problem on the row (status shows it) and log it."""
        attempts = row.attempts + 1
        delay = plan_maths.retry_delay(attempts - 1, config.interval)
        self._add_job(f"retry:{row.guild_id}", self.bot.now() + delay, self.run_due, row.guild_id)
        log.error(
            "Day %d in server %d could not be posted (try %d): %s — retrying in %s",
            row.day,
            row.guild_id,
            attempts,
            error,
            duration_text(delay),
        )
        await self._record_error(row, error, attempts)

    async def _record_error(self, row: DayRow, error: str, attempts: int) -> None:
        try:
            await self.store.set_error(row.guild_id, row.series, row.day, error, attempts=attempts)
        except Exception:  # the retry is scheduled anyway; the log has the problem
            log.exception("Could not record the error of day %d", row.day)

    # Expert answers

    async def post_answers(self, guild_id: int, number: int) -> None:
        async with self.lock(guild_id):
            await self._answers_locked(guild_id, number)

    async def _answers_locked(self, guild_id: int, number: int) -> None:
        row = await self.store.get_day(guild_id, self.series_id, number)
        day = self.series.day(number) if self.series is not None else None
        if row is None or day is None or row.state != POSTED:
            return
        if row.answer_state in ("posted", "none"):
            return
        try:
            await self._publish_answers(row, day)
        except Exception as exc:  # PostStepError, or anything unexpected: retry later
            if not isinstance(exc, PostStepError):
                log.exception("Day %d: unexpected failure while posting the answer", number)
            error = str(exc) if isinstance(exc, PostStepError) else f"{type(exc).__name__}: {exc}"
            attempts = row.attempts + 1
            delay = await self._retry_delay(guild_id, attempts)
            self._add_job(
                f"answer:{guild_id}:{number}",
                self.bot.now() + delay,
                self.post_answers,
                guild_id,
                number,
            )
            log.error("Expert answer of day %d not posted (try %d): %s", number, attempts, error)
            await self._record_error(row, error, attempts)

    async def _retry_delay(self, guild_id: int, attempts: int) -> timedelta:
        try:
            interval = (await self.config(guild_id)).interval
        except Exception:  # the database may be what failed
            return plan_maths.RETRY_STEPS[0]
        return plan_maths.retry_delay(attempts - 1, interval)

    async def _publish_answers(self, row: DayRow, day: ChallengeDay) -> None:
        guild_id, number = row.guild_id, row.day
        parts = render_answers(day)
        if not parts:
            await self.store.mark_answers(guild_id, self.series_id, number, state="none", at=None)
            return
        resumed = row.answer_state == "posting"
        if not resumed:
            if not await self.store.claim_answers(
                guild_id, self.series_id, number, nonce=secrets.token_hex(8)
            ):
                return
            fresh = await self.store.get_day(guild_id, self.series_id, number)
            assert fresh is not None
            row = fresh
        await self.publisher.publish_answers(row, parts, resumed=resumed)
        await self.store.mark_answers(
            guild_id, self.series_id, number, state="posted", at=self.bot.now()
        )
        log.info("Posted the expert answer of day %d in server %d", number, guild_id)

    # Admin changes

    async def skip(self, guild_id: int, number: int) -> tuple[bool, DayRow | None]:
        """Mark a not-yet-posted day skipped; (done, row as it is now)."""
        self.guilds.add(guild_id)
        async with self.lock(guild_id):
            done = await self.store.set_state(
                guild_id, self.series_id, number, SKIPPED, from_states=(SCHEDULED, MISSED)
            )
            row = await self.store.get_day(guild_id, self.series_id, number)
        if done:
            log.info("Day %d skipped in server %d", number, guild_id)
            await self.schedule_jobs(guild_id)
        return done, row

    async def pause(self, guild_id: int) -> bool:
        """Stop posting new days; False if it was already paused."""
        config = await self.config(guild_id)
        if config.paused:
            return False
        await self.overrides.set(guild_id, PAUSED_KEY, "1")
        await self.schedule_jobs(guild_id)
        log.info("Series paused in server %d", guild_id)
        return True

    async def resume(self, guild_id: int) -> bool:
        """Post again; days whose time passed while paused follow the missed-post policy."""
        config = await self.config(guild_id)
        if not config.paused:
            return False
        await self.overrides.delete(guild_id, PAUSED_KEY)
        log.info("Series resumed in server %d", guild_id)
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
            await self.overrides.set(guild_id, START_KEY, start.isoformat())
        if post_time is not None:
            await self.overrides.set(guild_id, POST_TIME_KEY, f"{post_time:%H:%M}")
        if interval is not None:
            await self.overrides.set(guild_id, INTERVAL_KEY, duration_text(interval))
        await self.start(guild_id)
        return await self.config(guild_id)

    async def set_channel(self, guild_id: int, channel_id: int) -> None:
        await self.overrides.set(guild_id, CHANNEL_KEY, str(channel_id))
        log.info("Challenge channel set to %d in server %d", channel_id, guild_id)
        await self.start(guild_id)

    # Reading

    async def rows(self, guild_id: int) -> list[DayRow]:
        return await self.store.list_days(guild_id, self.series_id)

    async def status(self, guild_id: int) -> SeriesStatus:
        config = await self.config(guild_id)
        rows = await self.rows(guild_id)
        now = self.bot.now()
        problems = [*self.content_problems]
        if config.start is None:
            problems.append(
                "No start date: set SERIES_START in .env or use /challenge reschedule. "
                "Nothing is scheduled."
            )
        if config.channel_id is None:
            problems.append(
                "No challenge channel: set CHALLENGE_CHANNEL_ID or use /challenge channel."
            )
        day_slots = slots(rows)
        nxt = plan_maths.next_post(day_slots, now)
        next_at = None if nxt is None or config.paused else max(nxt.planned_at, now)
        overdue = [
            s.number for s in day_slots if s.state in (SCHEDULED, POSTING) and s.planned_at < now
        ]
        return SeriesStatus(
            config=config,
            rows=rows,
            total_days=len(self.series) if self.series is not None else 0,
            next_day=None if nxt is None else nxt.number,
            next_at=next_at,
            overdue=overdue,
            problems=problems,
            now=now,
        )

    async def current_day(self, guild_id: int) -> int | None:
        """The latest posted day (what "today's challenge" means), or None before day 1."""
        return plan_maths.current_day(slots(await self.rows(guild_id)))

    async def day_view(self, guild_id: int, number: int | None) -> DayView:
        """Day `number` as this server has it; `None` means today's (the latest posted)."""
        total = len(self.series) if self.series is not None else 0
        if number is None:
            number = await self.current_day(guild_id)
            if number is None:
                return DayView(None, total, None, None, await self.next_post_at(guild_id))
        day = self.series.day(number) if self.series is not None else None
        row = await self.store.get_day(guild_id, self.series_id, number) if day else None
        return DayView(number, total, day, row)

    async def preview(self, guild_id: int, number: int) -> DayBundle | None:
        """What day `number` would post now in this server (None: no such day)."""
        day = self.series.day(number) if self.series is not None else None
        if day is None:
            return None
        config = await self.config(guild_id)
        return self._bundle(day, await self.rows(guild_id), config, self.bot.now(), marker=None)

    async def next_post_at(self, guild_id: int) -> datetime | None:
        """When the next day goes out (None: nothing left, paused or not scheduled)."""
        now = self.bot.now()
        config = await self.config(guild_id)
        if config.paused or config.start is None:
            return None
        nxt = plan_maths.next_post(slots(await self.rows(guild_id)), now)
        return None if nxt is None else max(nxt.planned_at, now)
