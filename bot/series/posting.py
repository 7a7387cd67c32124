"""The posting state machine: claim → publish → mark, for a day and for its expert answer.

Each step is recorded before the next, so a crash or an error resumes where it stopped. A
failure is recorded on the row with the time of the next try (`retry_at`): the same retry
policy for days and answers, and the timetable (schedule.py) reads it from there.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from bot.clock import Clock
from bot.i18n import ENGLISH, Language, Messages, messages
from bot.rendering.days import (
    MARKER_MAX,
    DayBundle,
    RenderedMessage,
    render_answers,
    render_day_bundle,
)
from bot.rendering.limits import truncate
from bot.series import schedule as plan
from bot.series.config import SeriesConfig, duration_text
from bot.series.model import (
    MISSED,
    POSTED,
    POSTING,
    SCHEDULED,
    SKIPPED,
    ChallengeDay,
    DayRow,
    Series,
    next_after,
)
from bot.store.series import SeriesStore

log = logging.getLogger(__name__)


def late_note(tr: Messages) -> str:
    return tr._("Posted late because the bot was offline")


def rehearsal_note(tr: Messages) -> str:
    return tr._("🧪 rehearsal")


LATE_NOTE = late_note(ENGLISH)
REHEARSAL_NOTE = rehearsal_note(ENGLISH)

Dispatch = Callable[..., None]
ServerLanguage = Callable[[int], Awaitable[Messages]]  # a server's public language


# A channel as the publisher found it (a text or forum channel): opaque to the domain, handed
# back to the publisher.
Postable = Any


class PostStepError(Exception):
    """A step failed; `str()` is a line fit for the log and `/challenge status`."""

    def __init__(self, step: str, cause: BaseException | None, detail: str) -> None:
        self.step = step
        self.cause = cause
        super().__init__(detail)


@dataclass(frozen=True, slots=True)
class DayPost:
    """What to send for one day (already rendered) and how.

    `others`: the same day rendered in the other languages, when resuming: a part or a forum
    post sent before the server changed its language is still recognised as ours.
    """

    bundle: DayBundle
    ping_role_id: int | None  # mentioned by the first message only
    archive_minutes: int
    others: tuple[DayBundle, ...] = ()

    @property
    def thread_names(self) -> frozenset[str]:
        return frozenset(b.thread_name for b in (self.bundle, *self.others))

    def part_variants(self, index: int) -> list[RenderedMessage]:
        """Part `index` of the post as each language renders it (this language's first)."""
        return [b.parts[index] for b in (self.bundle, *self.others) if index < len(b.parts)]

    def opening_variants(self, index: int) -> list[RenderedMessage]:
        return [b.opening[index] for b in (self.bundle, *self.others) if index < len(b.opening)]

    @property
    def parts(self) -> Sequence[RenderedMessage]:
        return self.bundle.parts

    @property
    def thread_name(self) -> str:
        return self.bundle.thread_name

    @property
    def opening(self) -> Sequence[RenderedMessage]:
        return self.bundle.opening


@dataclass(slots=True)
class Progress:
    """The recorded steps of a post, updated in memory and in the store together."""

    message_id: int | None
    parts_sent: int
    last_message_id: int | None
    thread_id: int | None
    opening_message_id: int | None

    @classmethod
    def of(cls, row: DayRow) -> Progress:
        return cls(
            row.message_id,
            row.parts_sent,
            row.last_message_id,
            row.thread_id,
            row.opening_message_id,
        )


class Outcome(Enum):
    POSTED = "posted"
    ALREADY = "already"  # posted before, or not in a state that may be posted
    FAILED = "failed"  # an error was recorded; a retry is due at retry_at
    NOT_FOUND = "not_found"
    NOT_READY = "not_ready"  # no content or no channel


class Publishing(Protocol):
    """The Discord side of a post (bot.publishing.Publisher; a fake in unit tests)."""

    async def channel(self, channel_id: int) -> Postable: ...

    async def publish_day(
        self, row: DayRow, post: DayPost, channel: Postable, *, resumed: bool
    ) -> Progress: ...

    async def publish_answers(self, row: DayRow, parts: Any, *, resumed: bool) -> None: ...

    async def find_posted_days(
        self, channel: Postable, names: Mapping[int, Collection[str]]
    ) -> dict[int, tuple[int, int | None, datetime]]: ...


def marker(tr: Messages, row: DayRow, *, rehearsal: bool = False) -> str:
    """The line that identifies our post; it says when the post was late, or a rehearsal.

    What recognises it (`ref <nonce>` at the end, see bot/publishing.py `_MARKER`) is the same in
    every language; only the notes before it are translated, cut to keep the line short.
    """
    ref = f"ref {row.nonce}"
    notes = [rehearsal_note(tr)] if rehearsal else []
    if row.late:
        notes.append(late_note(tr))
    if not notes:
        return ref
    tail = f" · {ref}"
    return truncate(" · ".join(notes), MARKER_MAX - len(tail)) + tail


def series_title(tr: Messages, name: str, *, rehearsal: bool) -> str:
    """The series' name as its posts say it (a rehearsal says so)."""
    return tr._("{series} (rehearsal)", series=name) if rehearsal else name


def day_bundle(
    tr: Messages,
    series: Series,
    day: ChallengeDay,
    rows: list[DayRow],
    config: SeriesConfig,
    now: datetime,
    *,
    series_name: str,
    marker_text: str | None,
) -> DayBundle:
    """The day as it goes out now: its "next challenge" line names the next day's time."""
    following = next_after(rows, day.number)
    next_at = None
    if following is not None and not config.paused:
        next_at = max(following.planned_at, now)
    return render_day_bundle(
        tr,
        day,
        next_post_at=next_at,
        series_name=series_name,
        is_last=series.is_last(day.number),
        ping_role_id=config.ping_role_id,
        marker=marker_text,
    )


class Poster:
    """Posts one day, or one day's answer, of one series — exactly once."""

    def __init__(
        self,
        store: SeriesStore,
        publisher: Publishing,
        clock: Clock,
        *,
        series_name: str,
        dispatch: Dispatch,
        language: ServerLanguage,
        on_failure: Callable[[DayRow, int, str], Awaitable[None]] | None = None,
    ) -> None:
        self.store = store
        self.publisher = publisher
        self.clock = clock
        self.series_name = series_name
        self.rehearsal = False  # a rehearsal's posts say so (marker line, series name)
        self.language = language  # the server's language: posts are public
        self.dispatch = dispatch
        self.on_failure = on_failure  # told of every failed try (the service reports some)

    # A day

    async def post_day(
        self, series: Series, row: DayRow, config: SeriesConfig, *, forced: bool
    ) -> Outcome:
        """Claim the day (unless resuming), send what is missing, mark it posted."""
        day = series.day(row.day)
        if day is None:
            return Outcome.NOT_FOUND
        resumed = row.state == POSTING
        allowed = (SCHEDULED, SKIPPED, MISSED) if forced else (SCHEDULED,)
        if not resumed and row.state not in allowed:
            return Outcome.ALREADY
        channel_id = row.channel_id if resumed and row.channel_id else config.channel_id
        if channel_id is None:
            await self.failed(
                row,
                config,
                "no challenge channel is set: set CHALLENGE_CHANNEL_ID or use /challenge channel",
            )
            return Outcome.NOT_READY
        try:
            claimed = await self._claim_and_publish(
                series, row, day, config, channel_id, forced=forced
            )
        except PostStepError as exc:
            await self.failed(row, config, str(exc))
            return Outcome.FAILED
        except Exception as exc:  # anything else (a reset connection, a busy database…)
            log.exception(
                "Day %d in server %d: unexpected failure while posting", row.day, row.guild_id
            )
            await self.failed(row, config, f"{type(exc).__name__}: {exc}")
            return Outcome.FAILED
        if claimed is None:
            return Outcome.ALREADY
        log.info(
            "Posted day %d of %s in server %d (thread %s)",
            row.day,
            row.series,
            row.guild_id,
            claimed,
        )
        self.dispatch("challenge_posted", row.guild_id, row.day, claimed, row.series)
        return Outcome.POSTED

    async def _claim_and_publish(
        self,
        series: Series,
        row: DayRow,
        day: ChallengeDay,
        config: SeriesConfig,
        channel_id: int,
        *,
        forced: bool,
    ) -> int | None:
        """The thread id once posted, or None when another run claimed the day first."""
        guild_id, number = row.guild_id, row.day
        resumed = row.state == POSTING
        tr = await self.language(guild_id)
        channel = await self.publisher.channel(channel_id)
        now = self.clock.now()
        rows = await self.store.list_days(guild_id, row.series)
        if not resumed:
            late = not forced and plan.is_late(
                row.planned_at, now, plan.grace_period(config.interval)
            )
            claimed = await self.store.claim(
                guild_id,
                row.series,
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
            fresh = await self.store.get_day(guild_id, row.series, number)
            assert fresh is not None
            row = fresh
        else:
            log.info("Day %d was interrupted while posting; resuming it", number)

        def render(tr: Messages) -> DayBundle:
            return day_bundle(
                tr,
                series,
                day,
                rows,
                config,
                now,
                series_name=series_title(tr, self.series_name, rehearsal=self.rehearsal),
                marker_text=marker(tr, row, rehearsal=self.rehearsal),
            )

        # Resuming: what a crash may have hidden is recognised in any language, so a server
        # that changed its language meanwhile gets no second copy of a part.
        others = tuple(
            render(messages(language))
            for language in Language
            if resumed and language is not tr.language
        )
        post = DayPost(
            render(tr),
            ping_role_id=config.ping_role_id,
            archive_minutes=config.archive_minutes,
            others=others,
        )
        progress = await self.publisher.publish_day(row, post, channel, resumed=resumed)
        await self.store.mark_posted(guild_id, row.series, number, posted_at=self.clock.now())
        return progress.thread_id

    # The expert answer

    async def post_answers(self, series: Series, row: DayRow, config: SeriesConfig) -> None:
        day = series.day(row.day)
        if day is None or row.state != POSTED or row.answer_state in ("posted", "none"):
            return
        try:
            await self._publish_answers(row, day)
        except Exception as exc:  # PostStepError, or anything unexpected: retry later
            if not isinstance(exc, PostStepError):
                log.exception("Day %d: unexpected failure while posting the answer", row.day)
            error = str(exc) if isinstance(exc, PostStepError) else f"{type(exc).__name__}: {exc}"
            await self.failed(row, config, error, what="The expert answer of day")

    async def _publish_answers(self, row: DayRow, day: ChallengeDay) -> None:
        guild_id, number = row.guild_id, row.day
        parts: list[RenderedMessage] = render_answers(day)
        if not parts:
            await self.store.mark_answers(guild_id, row.series, number, state="none", at=None)
            return
        resumed = row.answer_state == "posting"
        if not resumed:
            if not await self.store.claim_answers(
                guild_id, row.series, number, nonce=secrets.token_hex(8)
            ):
                return
            fresh = await self.store.get_day(guild_id, row.series, number)
            assert fresh is not None
            row = fresh
        await self.publisher.publish_answers(row, parts, resumed=resumed)
        await self.store.mark_answers(
            guild_id, row.series, number, state="posted", at=self.clock.now()
        )
        log.info(
            "Posted the expert answer of day %d of %s in server %d", number, row.series, guild_id
        )

    # Failures: one retry policy

    async def failed(
        self, row: DayRow, config: SeriesConfig | None, error: str, *, what: str = "Day"
    ) -> timedelta:
        """Record the problem and when to try again (status shows it); log it once per try."""
        attempts = row.attempts + 1
        interval = config.interval if config is not None else plan.DAY
        delay = plan.retry_delay(attempts - 1, interval)
        log.error(
            "%s %d of %s in server %d could not be posted (try %d): %s — retrying in %s",
            what,
            row.day,
            row.series,
            row.guild_id,
            attempts,
            error,
            duration_text(delay),
        )
        try:
            await self.store.set_error(
                row.guild_id,
                row.series,
                row.day,
                error,
                attempts=attempts,
                retry_at=self.clock.now() + delay,
            )
        except Exception:  # the database may be what failed: the caller retries soon
            log.exception("Could not record the error of day %d", row.day)
        if self.on_failure is not None:
            await self.on_failure(row, attempts, error)
        return delay
