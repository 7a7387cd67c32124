"""The schedule of each server's series: its runs (`series_runs`: editions and rehearsals)
and one `series_days` row per day of each run. A run's `record` is the key its days,
comments, thread cursors and role grants carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.series.model import ChallengeDay, DayRow
from bot.store.database import Row, SqlDatabase
from bot.store.timestamps import from_db, from_db_required, to_db


def _day(row: Row) -> DayRow:
    return DayRow(
        guild_id=int(row["guild_id"]),
        series=str(row["series"]),
        day=int(row["day"]),
        title=str(row["title"]),
        planned_at=from_db_required(row["planned_at"]),
        state=str(row["state"]),
        nonce=row["nonce"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        parts_sent=int(row["parts_sent"]),
        last_message_id=row["last_message_id"],
        thread_id=row["thread_id"],
        opening_message_id=row["opening_message_id"],
        posted_at=from_db(row["posted_at"]),
        late=bool(row["late"]),
        answer_state=str(row["answer_state"]),
        answer_nonce=row["answer_nonce"],
        answer_parts_sent=int(row["answer_parts_sent"]),
        answer_message_id=row["answer_message_id"],
        answer_posted_at=from_db(row["answer_posted_at"]),
        recap_posted_at=from_db(row["recap_posted_at"]),
        error=row["error"],
        attempts=int(row["attempts"]),
        retry_at=from_db(row["retry_at"]),
        recap_message_id=row["recap_message_id"],
        recap_attempts=int(row["recap_attempts"]),
        recap_retry_at=from_db(row["recap_retry_at"]),
    )


LIVE = "live"
REHEARSAL = "rehearsal"


@dataclass(frozen=True, slots=True)
class Run:
    """One run of a series in one server: an edition (live) or a rehearsal."""

    guild_id: int
    record: str
    series_id: str
    edition: int
    kind: str  # LIVE or REHEARSAL
    channel_id: int | None  # a rehearsal's own channel
    interval: timedelta | None  # a rehearsal's own cadence
    starts_at: datetime | None  # a rehearsal's first post
    created_at: datetime
    ended_at: datetime | None

    @property
    def label(self) -> str:
        """How people name it: "edition 2", "rehearsal 1"."""
        return f"{'rehearsal' if self.kind == REHEARSAL else 'edition'} {self.edition}"


def record_key(series_id: str, edition: int, kind: str = LIVE) -> str:
    """The record of a run: the series id for the first edition (what earlier releases
    stored), `<id>#<n>` for later editions, `<id>~rehearsal-<n>` for rehearsals."""
    if kind == REHEARSAL:
        return f"{series_id}~rehearsal-{edition}"
    return series_id if edition == 1 else f"{series_id}#{edition}"


def series_of(record: str) -> str:
    """The series id a record belongs to (the inverse of `record_key`)."""
    for mark in ("~", "#"):
        record = record.split(mark, 1)[0]
    return record


def _run(row: Row) -> Run:
    interval = row["interval_s"]
    return Run(
        guild_id=int(row["guild_id"]),
        record=str(row["record"]),
        series_id=str(row["series_id"]),
        edition=int(row["edition"]),
        kind=str(row["kind"]),
        channel_id=row["channel_id"],
        interval=timedelta(seconds=float(interval)) if interval is not None else None,
        starts_at=from_db(row["starts_at"]),
        created_at=from_db_required(row["created_at"]),
        ended_at=from_db(row["ended_at"]),
    )


@dataclass(frozen=True, slots=True)
class SyncResult:
    created: list[int]
    moved: list[int]  # not-yet-posted days whose planned time changed


# Columns the service may set through `update`; everything else has its own method.
_PROGRESS_COLUMNS = frozenset(
    {
        "channel_id",
        "message_id",
        "parts_sent",
        "last_message_id",
        "thread_id",
        "opening_message_id",
        "answer_parts_sent",
        "answer_message_id",
    }
)

_KEY = "guild_id = ? AND series = ? AND day = ?"


class SeriesStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self._touch = f"updated_at = {db.dialect.now}"

    # Reading

    # Runs --------------------------------------------------------------------------------

    async def runs(self, guild_id: int, series_id: str | None = None) -> list[Run]:
        """A server's runs (of one series, or all), oldest first."""
        sql = "SELECT * FROM series_runs WHERE guild_id = ?"
        params: tuple[object, ...] = (guild_id,)
        if series_id is not None:
            sql += " AND series_id = ?"
            params += (series_id,)
        rows = await self.db.fetchall(sql + " ORDER BY created_at, edition", params)
        return [_run(row) for row in rows]

    async def run(self, guild_id: int, record: str) -> Run | None:
        row = await self.db.fetchone(
            "SELECT * FROM series_runs WHERE guild_id = ? AND record = ?", (guild_id, record)
        )
        return _run(row) if row else None

    async def live_run(self, guild_id: int, series_id: str) -> Run | None:
        """The newest edition of a series in a server (ended or not), if any."""
        row = await self.db.fetchone(
            "SELECT * FROM series_runs WHERE guild_id = ? AND series_id = ? AND kind = ? "
            "ORDER BY edition DESC LIMIT 1",
            (guild_id, series_id, LIVE),
        )
        return _run(row) if row else None

    async def add_run(
        self,
        guild_id: int,
        series_id: str,
        *,
        kind: str = LIVE,
        channel_id: int | None = None,
        interval: timedelta | None = None,
        starts_at: datetime | None = None,
        at: datetime,
    ) -> Run:
        """A new run numbered after the series' others of its kind; the newest edition
        before it is ended (`at`) when a new edition begins."""
        async with self.db.transaction() as conn:
            found = await conn.fetchone(
                "SELECT coalesce(max(edition), 0) FROM series_runs "
                "WHERE guild_id = ? AND series_id = ? AND kind = ?",
                (guild_id, series_id, kind),
            )
            edition = int(found[0]) + 1 if found else 1
            record = record_key(series_id, edition, kind)
            if kind == LIVE:
                await conn.execute(
                    "UPDATE series_runs SET ended_at = coalesce(ended_at, ?) "
                    "WHERE guild_id = ? AND series_id = ? AND kind = ?",
                    (to_db(at), guild_id, series_id, LIVE),
                )
            await conn.execute(
                "INSERT INTO series_runs (guild_id, record, series_id, edition, kind, "
                "channel_id, interval_s, starts_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    record,
                    series_id,
                    edition,
                    kind,
                    channel_id,
                    interval.total_seconds() if interval is not None else None,
                    to_db(starts_at) if starts_at else None,
                    to_db(at),
                ),
            )
        run = await self.run(guild_id, record)
        assert run is not None
        return run

    async def set_run_start(self, guild_id: int, record: str, at: datetime) -> None:
        await self.db.execute(
            "UPDATE series_runs SET starts_at = ? WHERE guild_id = ? AND record = ?",
            (to_db(at), guild_id, record),
        )

    async def end_run(self, guild_id: int, record: str, at: datetime) -> None:
        await self.db.execute(
            "UPDATE series_runs SET ended_at = coalesce(ended_at, ?) "
            "WHERE guild_id = ? AND record = ?",
            (to_db(at), guild_id, record),
        )

    async def delete_run(self, guild_id: int, record: str) -> int:
        """Forget a run and everything recorded in it (a rehearsal being cleared); the
        number of comments removed."""
        async with self.db.transaction() as conn:
            removed = await conn.execute(
                "DELETE FROM comments WHERE guild_id = ? AND series = ?", (guild_id, record)
            )
            for table in ("comment_threads", "granted_roles", "series_days"):
                await conn.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND series = ?",
                    (guild_id, record),
                )
            await conn.execute(
                "DELETE FROM series_runs WHERE guild_id = ? AND record = ?", (guild_id, record)
            )
        return removed

    # Days --------------------------------------------------------------------------------

    async def list_days(self, guild_id: int, series: str) -> list[DayRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM series_days WHERE guild_id = ? AND series = ? ORDER BY day",
            (guild_id, series),
        )
        return [_day(row) for row in rows]

    async def get_day(self, guild_id: int, series: str, day: int) -> DayRow | None:
        row = await self.db.fetchone(
            f"SELECT * FROM series_days WHERE {_KEY}", (guild_id, series, day)
        )
        return None if row is None else _day(row)

    async def day_for_thread(self, thread_id: int) -> DayRow | None:
        row = await self.db.fetchone("SELECT * FROM series_days WHERE thread_id = ?", (thread_id,))
        return None if row is None else _day(row)

    async def guilds(self, series_id: str) -> list[int]:
        """Servers where this series has a run (or, from before runs, rows)."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM series_runs WHERE series_id = ? "
            "UNION SELECT guild_id FROM series_days WHERE series = ? ORDER BY 1",
            (series_id, series_id),
        )
        return [int(row["guild_id"]) for row in rows]

    # The plan

    async def sync_plan(
        self, guild_id: int, series: str, plan: Sequence[tuple[ChallengeDay, datetime]]
    ) -> SyncResult:
        """Create missing rows for each day at its UTC time; move the planned time of days not
        posted yet; keep titles in step with the pages.

        Days already posted, being posted, skipped or missed keep their recorded time.
        """
        created: list[int] = []
        moved: list[int] = []
        async with self.db.transaction() as conn:
            for day, at in plan:
                existing = await conn.fetchone(
                    f"SELECT planned_at, state FROM series_days WHERE {_KEY}",
                    (guild_id, series, day.number),
                )
                planned = to_db(at)
                if existing is None:
                    await conn.execute(
                        "INSERT INTO series_days (guild_id, series, day, title, planned_at) "
                        "VALUES (?, ?, ?, ?, ?)",
                        (guild_id, series, day.number, day.title, planned),
                    )
                    created.append(day.number)
                    continue
                if existing["state"] == "scheduled" and existing["planned_at"] != planned:
                    moved.append(day.number)
                    await conn.execute(
                        f"UPDATE series_days SET planned_at = ?, {self._touch} "
                        f"WHERE {_KEY} AND state = 'scheduled'",
                        (planned, guild_id, series, day.number),
                    )
                await conn.execute(
                    f"UPDATE series_days SET title = ? WHERE {_KEY} AND title != ?",
                    (day.title, guild_id, series, day.number, day.title),
                )
        return SyncResult(created, moved)

    # Posting a day

    async def claim(
        self,
        guild_id: int,
        series: str,
        day: int,
        *,
        nonce: str,
        channel_id: int,
        late: bool = False,
        from_states: Iterable[str] = ("scheduled",),
    ) -> bool:
        """Record the intent to post (state `posting` + nonce) if the day is still in one of
        `from_states`. False means someone else got there first: don't post. `late` is decided
        here, once, so a resumed post renders exactly the same messages."""
        states = tuple(from_states)
        marks = ", ".join("?" for _ in states)
        count = await self.db.execute(
            f"UPDATE series_days SET state = 'posting', nonce = ?, channel_id = ?, late = ?, "
            f"error = NULL, posted_at = NULL, retry_at = NULL, "
            f"attempts = 0, parts_sent = 0, message_id = NULL, last_message_id = NULL, "
            f"thread_id = NULL, opening_message_id = NULL, {self._touch} "
            f"WHERE {_KEY} AND state IN ({marks})",
            (nonce, channel_id, int(late), guild_id, series, day, *states),
        )
        return count == 1

    async def update(self, guild_id: int, series: str, day: int, **progress: int | None) -> None:
        """Record a step of a post as soon as it succeeded (message ids, counts, thread)."""
        unknown = set(progress) - _PROGRESS_COLUMNS
        if unknown:
            raise ValueError(f"not a progress column: {sorted(unknown)}")
        assignments = ", ".join(f"{column} = ?" for column in progress)
        await self.db.execute(
            f"UPDATE series_days SET {assignments}, {self._touch} WHERE {_KEY}",
            (*progress.values(), guild_id, series, day),
        )

    async def mark_posted(
        self, guild_id: int, series: str, day: int, *, posted_at: datetime
    ) -> bool:
        count = await self.db.execute(
            f"UPDATE series_days SET state = 'posted', posted_at = ?, error = NULL, "
            f"attempts = 0, retry_at = NULL, {self._touch} WHERE {_KEY} AND state = 'posting'",
            (to_db(posted_at), guild_id, series, day),
        )
        return count == 1

    async def adopt(
        self,
        guild_id: int,
        series: str,
        day: int,
        *,
        channel_id: int,
        message_id: int,
        thread_id: int | None,
        posted_at: datetime,
    ) -> bool:
        """Record a post found in the channel (the database was lost) as done: its answer and
        recap count as sent too — a missing message beats a second one."""
        count = await self.db.execute(
            f"UPDATE series_days SET state = 'posted', channel_id = ?, message_id = ?, "
            f"last_message_id = ?, thread_id = ?, posted_at = ?, answer_state = 'posted', "
            f"recap_posted_at = ?, recap_message_id = 0, {self._touch} "
            f"WHERE {_KEY} AND state = 'scheduled'",
            (
                channel_id,
                message_id,
                message_id,
                thread_id,
                to_db(posted_at),
                to_db(posted_at),
                guild_id,
                series,
                day,
            ),
        )
        return count == 1

    async def set_state(
        self, guild_id: int, series: str, day: int, state: str, *, from_states: Iterable[str]
    ) -> bool:
        """Move a day to `skipped` or `missed` (or back to `scheduled`) from `from_states`."""
        states = tuple(from_states)
        marks = ", ".join("?" for _ in states)
        count = await self.db.execute(
            f"UPDATE series_days SET state = ?, error = NULL, attempts = 0, retry_at = NULL, "
            f"{self._touch} "
            f"WHERE {_KEY} AND state IN ({marks})",
            (state, guild_id, series, day, *states),
        )
        return count == 1

    async def set_error(
        self,
        guild_id: int,
        series: str,
        day: int,
        error: str | None,
        *,
        attempts: int,
        retry_at: datetime | None,
    ) -> None:
        """Record a failed post or answer and when it is tried again."""
        await self.db.execute(
            f"UPDATE series_days SET error = ?, attempts = ?, retry_at = ?, {self._touch} "
            f"WHERE {_KEY}",
            (error, attempts, None if retry_at is None else to_db(retry_at), guild_id, series, day),
        )

    # Expert answers

    async def claim_answers(self, guild_id: int, series: str, day: int, *, nonce: str) -> bool:
        count = await self.db.execute(
            f"UPDATE series_days SET answer_state = 'posting', answer_nonce = ?, "
            f"answer_parts_sent = 0, answer_message_id = NULL, {self._touch} "
            f"WHERE {_KEY} AND state = 'posted' AND answer_state = 'pending'",
            (nonce, guild_id, series, day),
        )
        return count == 1

    async def mark_answers(
        self, guild_id: int, series: str, day: int, *, state: str, at: datetime | None
    ) -> None:
        """`posted` (with the time) or `none` (the day has no expert answer)."""
        await self.db.execute(
            f"UPDATE series_days SET answer_state = ?, answer_posted_at = ?, error = NULL, "
            f"attempts = 0, retry_at = NULL, {self._touch} WHERE {_KEY}",
            (state, None if at is None else to_db(at), guild_id, series, day),
        )

    # Recaps: claimed, sent, recorded (a claim without a message was cut short)

    async def claim_recap(self, guild_id: int, series: str, day: int, at: datetime) -> bool:
        """Claim the day's recap; False when it is claimed already (posted or in progress)."""
        count = await self.db.execute(
            f"UPDATE series_days SET recap_posted_at = ?, recap_message_id = NULL, {self._touch} "
            f"WHERE {_KEY} AND recap_posted_at IS NULL",
            (to_db(at), guild_id, series, day),
        )
        return count == 1

    async def mark_recap_sent(self, guild_id: int, series: str, day: int, message_id: int) -> None:
        await self.db.execute(
            f"UPDATE series_days SET recap_message_id = ?, recap_retry_at = NULL, {self._touch} "
            f"WHERE {_KEY}",
            (message_id, guild_id, series, day),
        )

    async def release_recap(
        self, guild_id: int, series: str, day: int, *, attempts: int, retry_at: datetime | None
    ) -> None:
        """Undo a recap claim whose message could not be sent; tried again at `retry_at`."""
        await self.db.execute(
            f"UPDATE series_days SET recap_posted_at = NULL, recap_message_id = NULL, "
            f"recap_attempts = ?, recap_retry_at = ?, {self._touch} WHERE {_KEY}",
            (attempts, None if retry_at is None else to_db(retry_at), guild_id, series, day),
        )
