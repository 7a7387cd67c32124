"""Comments recorded in the challenge threads, and the members who asked to be forgotten."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.comments.model import (
    Attachment,
    ChallengeThread,
    Comment,
    CommentOp,
    DayTotals,
    Delete,
    Edit,
    React,
    Record,
    Refresh,
    SetReactions,
    StoredState,
    UserDayCount,
    UserSummary,
)
from bot.store.database import Row, SqlDatabase
from bot.store.dialect import Dialect
from bot.store.timestamps import from_db, to_db

_COLUMNS = (
    "message_id, guild_id, day, thread_id, author_id, author_name, content, attachments, "
    "reply_to, created_at, edited_at, deleted, reactions, series"
)
# The comment's author (alias `c`) has not asked to be forgotten.
_NOT_ERASED = (
    "NOT EXISTS (SELECT 1 FROM erased_users e "
    "WHERE e.guild_id = c.guild_id AND e.user_id = c.author_id)"
)
# Comments that count: not deleted, author not erased. Every count, page, leaderboard and
# recap filters with this one fragment (the members store imports it).
COUNTED = f"c.deleted = 0 AND {_NOT_ERASED}"


def counted_per_author_day(where: str) -> str:
    """The counted comments matching `where` (on alias `c`), one row per author and day, as
    a table `c` (guild_id, author_id, day, comments, first_id, last_id) with a WHERE clause.

    COUNTED in two steps, for the totals over a whole run: deletions per comment while
    grouping, erasures once per author and day after it (not once per comment, which cost
    PostgreSQL a join per row)."""
    return (
        "(SELECT c.guild_id, c.author_id, c.day, count(*) AS comments, "
        "min(c.message_id) AS first_id, max(c.message_id) AS last_id "
        f"FROM comments c WHERE {where} AND c.deleted = 0 "
        f"GROUP BY c.guild_id, c.author_id, c.day) c WHERE {_NOT_ERASED}"
    )


# Typed placeholders: in `INSERT … SELECT` PostgreSQL can't infer a parameter's type.
_VALUES = (
    "SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS INTEGER), CAST(? AS BIGINT), "
    "CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT), "
    "CAST(? AS TEXT), CAST(? AS TEXT), 0, CAST(? AS INTEGER), CAST(? AS TEXT) "
)
_INSERT = (
    f"INSERT INTO comments ({_COLUMNS}) {_VALUES}"
    "WHERE NOT EXISTS (SELECT 1 FROM erased_users WHERE guild_id = ? AND user_id = ?) "
    "ON CONFLICT (message_id) DO NOTHING"
)
# An edit carries the whole message: update the text (never a deleted one), or record it.
_UPSERT_EDIT = (
    f"INSERT INTO comments ({_COLUMNS}) {_VALUES}"
    "WHERE NOT EXISTS (SELECT 1 FROM erased_users WHERE guild_id = ? AND user_id = ?) "
    "ON CONFLICT (message_id) DO UPDATE SET content = excluded.content, "
    "attachments = excluded.attachments, "
    "edited_at = coalesce(excluded.edited_at, comments.edited_at) WHERE comments.deleted = 0"
)
# Reconciliation: the reaction count always follows Discord, but the text only moves
# forward. A page read before a live edit carries an older (or no) edited_at: keep the edit.
_NOT_OLDER = (
    "(CAST(:edited AS TEXT) IS NOT NULL AND (edited_at IS NULL OR edited_at <= :edited) "
    "OR CAST(:edited AS TEXT) IS NULL AND edited_at IS NULL)"
)
_REFRESH = (
    f"UPDATE comments SET content = CASE WHEN {_NOT_OLDER} THEN :content ELSE content END, "
    f"attachments = CASE WHEN {_NOT_OLDER} THEN :attachments ELSE attachments END, "
    f"edited_at = CASE WHEN {_NOT_OLDER} THEN coalesce(:edited, edited_at) ELSE edited_at END, "
    "reactions = :reactions WHERE message_id = :message_id AND deleted = 0"
)
_DELETE = "UPDATE comments SET deleted = 1, content = '', attachments = '[]' WHERE message_id = ?"
_REACT = "UPDATE comments SET reactions = {} WHERE message_id = ?"  # never below zero
_SET_REACTIONS = "UPDATE comments SET reactions = {} WHERE message_id = ?"


def _attachments_json(attachments: Iterable[Attachment]) -> str:
    return json.dumps([{"name": a.name, "url": a.url} for a in attachments], ensure_ascii=False)


def _comment_params(c: Comment) -> tuple[Any, ...]:
    return (
        c.message_id,
        c.guild_id,
        c.day,
        c.thread_id,
        c.author_id,
        c.author_name,
        c.content,
        _attachments_json(c.attachments),
        c.reply_to,
        to_db(c.created_at),
        to_db(c.edited_at) if c.edited_at else None,
        max(0, c.reactions),
        c.series,
        c.guild_id,
        c.author_id,
    )


def _op_statement(op: CommentOp, dialect: Dialect) -> tuple[str, list[Any]]:
    """The SQL and parameter rows for one operation."""
    if isinstance(op, Record):
        return _INSERT, [_comment_params(op.comment)]
    if isinstance(op, Edit):
        return _UPSERT_EDIT, [_comment_params(op.comment)]
    if isinstance(op, Refresh):
        params = {
            "content": op.content,
            "attachments": _attachments_json(op.attachments),
            "edited": to_db(op.edited_at) if op.edited_at else None,
            "reactions": max(0, op.reactions),
            "message_id": op.message_id,
        }
        return _REFRESH, [params]
    if isinstance(op, Delete):
        return _DELETE, [(mid,) for mid in op.message_ids]
    if isinstance(op, React):
        return _REACT.format(dialect.greatest("0", "reactions + ?")), [(op.delta, op.message_id)]
    if isinstance(op, SetReactions):
        return _SET_REACTIONS.format(dialect.greatest("0", "?")), [(op.count, op.message_id)]
    raise TypeError(f"unknown comment operation {op!r}")


def _comment(row: Row) -> Comment:
    return Comment(
        guild_id=row["guild_id"],
        day=row["day"],
        thread_id=row["thread_id"],
        message_id=row["message_id"],
        author_id=row["author_id"],
        author_name=row["author_name"],
        content=row["content"],
        attachments=tuple(
            Attachment(str(a.get("name", "")), str(a.get("url", "")))
            for a in json.loads(row["attachments"] or "[]")
        ),
        reply_to=row["reply_to"],
        created_at=datetime.fromisoformat(row["created_at"]),
        edited_at=from_db(row["edited_at"]),
        deleted=bool(row["deleted"]),
        reactions=row["reactions"],
        series=row["series"],
    )


class CommentStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db

    # --- writing -------------------------------------------------------------------------

    async def apply(self, ops: Sequence[CommentOp]) -> None:
        """Apply operations in order, in one transaction (runs of one kind use executemany)."""
        if not ops:
            return
        async with self.db.transaction() as conn:
            sql = ""
            rows: list[Any] = []
            for op in ops:
                op_sql, op_rows = _op_statement(op, self.db.dialect)
                if op_sql != sql and rows:
                    await conn.executemany(sql, rows)
                    rows = []
                sql = op_sql
                rows.extend(op_rows)
            if rows:
                await conn.executemany(sql, rows)

    async def erase_user(self, guild_id: int, user_id: int, erased_at: datetime) -> int:
        """Erase a member's data in a server (comments, role grants, the join greeted) and
        remember the erasure.

        Every table that holds member data is cleared here, in one transaction, so `/forgetme`
        and `challenge-bot erase-user` can't miss one.
        """
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO erased_users (guild_id, user_id, erased_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET erased_at = excluded.erased_at",
                (guild_id, user_id, to_db(erased_at)),
            )
            removed = await conn.execute(
                "DELETE FROM comments WHERE guild_id = ? AND author_id = ?", (guild_id, user_id)
            )
            for table in ("granted_roles", "welcomes"):
                await conn.execute(
                    f"DELETE FROM {table} WHERE guild_id = ? AND user_id = ?", (guild_id, user_id)
                )
            # The language choice is the person's, not the server's: asked to forget them
            # anywhere, the bot forgets it everywhere.
            await conn.execute("DELETE FROM member_languages WHERE user_id = ?", (user_id,))
        return removed

    # --- what the listeners and backfill need ------------------------------------------

    async def challenge_threads(self) -> dict[int, ChallengeThread]:
        """Every day thread declared by the series (all servers): thread id → thread."""
        rows = await self.db.fetchall(
            "SELECT guild_id, series, day, thread_id, posted_at FROM series_days "
            "WHERE thread_id IS NOT NULL"
        )
        return {
            row["thread_id"]: ChallengeThread(
                row["guild_id"],
                row["day"],
                row["thread_id"],
                from_db(row["posted_at"]),
                series=row["series"],
            )
            for row in rows
        }

    async def erased_users(self) -> set[tuple[int, int]]:
        rows = await self.db.fetchall("SELECT guild_id, user_id FROM erased_users")
        return {(row["guild_id"], row["user_id"]) for row in rows}

    async def erased_at(self, guild_id: int, user_id: int) -> datetime | None:
        row = await self.db.fetchone(
            "SELECT erased_at FROM erased_users WHERE guild_id = ? AND user_id = ?",
            (guild_id, user_id),
        )
        return from_db(row["erased_at"]) if row else None

    async def read_until(self, thread_id: int) -> int | None:
        """The id up to which this thread's history has been read back, if ever."""
        row = await self.db.fetchone(
            "SELECT read_until FROM comment_threads WHERE thread_id = ?", (thread_id,)
        )
        return row["read_until"] if row else None

    async def set_read_until(
        self, thread_id: int, guild_id: int, message_id: int, at: datetime, series: str = ""
    ) -> None:
        await self.db.execute(
            "INSERT INTO comment_threads (thread_id, guild_id, read_until, read_at, series) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id) DO UPDATE SET read_until = "
            f"{self.db.dialect.greatest('comment_threads.read_until', 'excluded.read_until')}, "
            "read_at = excluded.read_at",
            (thread_id, guild_id, message_id, to_db(at), series),
        )

    async def thread_state(self, thread_id: int, after: int = 0) -> dict[int, StoredState]:
        """Stored comments of a thread after an id, as reconciliation compares them."""
        rows = await self.db.fetchall(
            "SELECT message_id, content, edited_at, reactions, deleted FROM comments "
            "WHERE thread_id = ? AND message_id > ?",
            (thread_id, after),
        )
        return {
            row["message_id"]: StoredState(
                row["message_id"],
                row["content"],
                row["edited_at"],
                row["reactions"],
                bool(row["deleted"]),
            )
            for row in rows
        }

    async def get(self, message_id: int) -> Comment | None:
        """One stored comment, whatever its state (what tests and tools check against)."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM comments WHERE message_id = ?", (message_id,)
        )
        return _comment(row) if row else None

    async def count(self, guild_id: int | None = None, *, include_deleted: bool = True) -> int:
        where, params = [], []
        if guild_id is not None:
            where.append("guild_id = ?")
            params.append(guild_id)
        if not include_deleted:
            where.append("deleted = 0")
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        row = await self.db.fetchone(f"SELECT count(*) AS n FROM comments{clause}", tuple(params))
        return int(row["n"]) if row else 0

    # --- reading for commands, exports and the members features ------------------------

    async def day_totals(
        self, guild_id: int, series: str, day: int | None = None
    ) -> list[DayTotals]:
        """Counted comments and distinct participants per day of one run (days with
        comments only)."""
        where = ""
        params: tuple[object, ...] = (guild_id, series)
        if day is not None:
            where, params = " AND c.day = ?", (guild_id, series, day)
        rows = await self.db.fetchall(
            "SELECT c.day, sum(c.comments) AS comments, count(*) AS participants FROM "
            f"{counted_per_author_day(f'c.guild_id = ? AND c.series = ?{where}')} "
            "GROUP BY c.day ORDER BY c.day",
            params,
        )
        return [DayTotals(int(r["day"]), int(r["comments"]), int(r["participants"])) for r in rows]

    async def day_stats(self, guild_id: int, series: str, day: int) -> DayTotals:
        """One day's totals (zeros when nobody commented)."""
        found = await self.day_totals(guild_id, series, day)
        return found[0] if found else DayTotals(day, 0, 0)

    async def newest(
        self, guild_id: int, series: str, day: int, *, offset: int = 0, limit: int = 5
    ) -> list[Comment]:
        """A page of a day's comments, newest first."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM comments c WHERE c.guild_id = ? AND c.series = ? "
            f"AND c.day = ? AND {COUNTED} ORDER BY c.message_id DESC LIMIT ? OFFSET ?",
            (guild_id, series, day, limit, offset),
        )
        return [_comment(row) for row in rows]

    async def user_summary(self, guild_id: int, user_id: int) -> UserSummary:
        rows = await self.db.fetchall(
            "SELECT series, day, count(*) AS n, min(created_at) AS first, "
            "max(created_at) AS last FROM comments WHERE guild_id = ? AND author_id = ? "
            "AND deleted = 0 GROUP BY series, day ORDER BY min(message_id)",
            (guild_id, user_id),
        )
        per_day = tuple(
            UserDayCount(
                row["day"],
                row["n"],
                datetime.fromisoformat(row["first"]),
                datetime.fromisoformat(row["last"]),
                series=row["series"],
            )
            for row in rows
        )
        return UserSummary(user_id, per_day, await self.erased_at(guild_id, user_id))

    async def user_comments(self, guild_id: int, user_id: int) -> list[Comment]:
        """Everything stored about a member's comments in a server (deleted ones included)."""
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM comments WHERE guild_id = ? AND author_id = ? "
            "ORDER BY message_id",
            (guild_id, user_id),
        )
        return [_comment(row) for row in rows]

    async def user_guilds(self, user_id: int) -> list[int]:
        """Servers where a member has anything recorded: comments, role grants, a greeted
        join or an erasure."""
        rows = await self.db.fetchall(
            "SELECT guild_id FROM comments WHERE author_id = ? "
            "UNION SELECT guild_id FROM granted_roles WHERE user_id = ? "
            "UNION SELECT guild_id FROM welcomes WHERE user_id = ? "
            "UNION SELECT guild_id FROM erased_users WHERE user_id = ? ORDER BY 1",
            (user_id, user_id, user_id, user_id),
        )
        return [row[0] for row in rows]

    async def for_export(
        self, guild_id: int, series: str | None, day: int | None = None
    ) -> list[Comment]:
        """A server's comments of one run (`series=None`: every run), one day or all, oldest
        first, deleted ones included."""
        sql = f"SELECT {_COLUMNS} FROM comments c WHERE c.guild_id = ?"
        params: tuple[Any, ...] = (guild_id,)
        if series is not None:
            sql += " AND c.series = ?"
            params += (series,)
        if day is not None:
            sql += " AND c.day = ?"
            params += (day,)
        sql += f" AND {_NOT_ERASED} ORDER BY c.series, c.day, c.message_id"
        return [_comment(row) for row in await self.db.fetchall(sql, params)]
