"""What the members' features read and write: participation and completion roles.

Participation reads go over `comments` and `erased_users` (owned by the comment store); only
comments that count are used, with the comment store's own `COUNTED` filter (not deleted,
not written by a member who asked to be erased), and per-day totals come from it. The
schedule (`series_days`, recap claims included) is SeriesStore's alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.comments.model import DayTotals
from bot.members.participation import Participant, ReactedComment
from bot.store.comments import COUNTED, CommentStore, counted_per_author_day
from bot.store.database import SqlDatabase
from bot.store.timestamps import from_db_required, to_db

# How long a greeted join is remembered: a duplicate of the event (a replay after a reconnect,
# a shard run twice) comes within minutes.
WELCOME_MEMORY = timedelta(days=1)


class MemberStore:
    def __init__(self, db: SqlDatabase) -> None:
        self.db = db
        self.comments = CommentStore(db)

    # --- participation ---------------------------------------------------------------------

    async def day_totals(
        self, guild_id: int, series: str, day: int | None = None
    ) -> list[DayTotals]:
        """Comments and distinct participants per day of a run (days with comments only)."""
        found = await self.comments.day_totals(guild_id, series, day)
        return [DayTotals(t.day, t.comments, t.participants) for t in found]

    async def participants(self, guild_id: int, series: str) -> list[Participant]:
        """Every member with a counted comment in a run, with their latest display name."""
        days = self.db.dialect.distinct_list("c.day")
        rows = await self.db.fetchall(
            "SELECT t.author_id, t.days, t.comments, t.first_id, n.author_name AS name FROM "
            f"(SELECT c.author_id, {days} AS days, sum(c.comments) AS comments, "
            "min(c.first_id) AS first_id, max(c.last_id) AS last_id FROM "
            f"{counted_per_author_day('c.guild_id = ? AND c.series = ?')} "
            "GROUP BY c.author_id) t "
            # the name on their latest counted comment
            "JOIN comments n ON n.message_id = t.last_id",
            (guild_id, series),
        )
        return [
            Participant(
                user_id=int(row["author_id"]),
                name=str(row["name"]),
                days=frozenset(int(d) for d in str(row["days"]).split(",")),
                comments=int(row["comments"]),
                first_message_id=int(row["first_id"]),
            )
            for row in rows
        ]

    async def user_days(self, guild_id: int, series: str, user_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT c.day FROM comments c WHERE c.guild_id = ? AND c.series = ? "
            f"AND c.author_id = ? AND {COUNTED}",
            (guild_id, series, user_id),
        )
        return {int(row[0]) for row in rows}

    async def most_reacted(
        self, guild_id: int, series: str, day: int, limit: int = 3
    ) -> list[ReactedComment]:
        """A day's comments with reactions, most reacted first (earliest first on ties)."""
        rows = await self.db.fetchall(
            "SELECT c.message_id, c.thread_id, c.author_name, c.reactions, c.content "
            "FROM comments c WHERE c.guild_id = ? AND c.series = ? AND c.day = ? "
            f"AND c.reactions > 0 AND {COUNTED} ORDER BY c.reactions DESC, c.message_id LIMIT ?",
            (guild_id, series, day, limit),
        )
        return [
            ReactedComment(
                message_id=int(row["message_id"]),
                thread_id=int(row["thread_id"]),
                author_name=str(row["author_name"]),
                reactions=int(row["reactions"]),
                content=str(row["content"]),
            )
            for row in rows
        ]

    async def is_erased(self, guild_id: int, user_id: int) -> bool:
        return await self.comments.erased_at(guild_id, user_id) is not None

    # --- completion roles ------------------------------------------------------------------

    async def claim_grant(
        self, guild_id: int, series: str, user_id: int, role_id: int, at: datetime
    ) -> bool:
        """Record that the role is being given for a run; False when it was given before."""
        count = await self.db.execute(
            "INSERT INTO granted_roles (guild_id, series, user_id, role_id, granted_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (guild_id, series, user_id, role_id, to_db(at)),
        )
        return count == 1

    async def release_grant(self, guild_id: int, series: str, user_id: int, role_id: int) -> None:
        """Forget a claim whose role could not be given (it will be tried again)."""
        await self.db.execute(
            "DELETE FROM granted_roles WHERE guild_id = ? AND series = ? AND user_id = ? "
            "AND role_id = ?",
            (guild_id, series, user_id, role_id),
        )

    async def granted(self, guild_id: int, series: str, user_id: int) -> dict[int, datetime]:
        rows = await self.db.fetchall(
            "SELECT role_id, granted_at FROM granted_roles WHERE guild_id = ? AND series = ? "
            "AND user_id = ?",
            (guild_id, series, user_id),
        )
        return {int(row[0]): from_db_required(row[1]) for row in rows}

    # --- welcomes --------------------------------------------------------------------------

    async def claim_welcome(
        self, guild_id: int, user_id: int, joined_at: datetime, *, now: datetime
    ) -> bool:
        """True if this join of the member is not greeted yet, and now counts as greeted:
        of several processes handed the same join, one gets True. A join is only needed for
        the minutes a duplicate can arrive in: joins older than WELCOME_MEMORY are forgotten
        here. A member who asked to be erased is not recorded (True: greet them)."""
        if await self.is_erased(guild_id, user_id):
            return True
        async with self.db.transaction() as tx:
            await tx.execute(
                "DELETE FROM welcomes WHERE joined_at < ?", (to_db(now - WELCOME_MEMORY),)
            )
            count = await tx.execute(
                "INSERT INTO welcomes (guild_id, user_id, joined_at) VALUES (?, ?, ?) "
                "ON CONFLICT (guild_id, user_id) DO UPDATE SET joined_at = excluded.joined_at "
                "WHERE welcomes.joined_at <> excluded.joined_at",
                (guild_id, user_id, to_db(joined_at)),
            )
        return count == 1
