"""CommentService: records replies in the challenge threads and keeps the record true.

- Live: the cog hands over raw gateway events; each becomes one queued write.
- Nothing lost: `request_backfill()` reads every challenge thread's history after the last
  recorded message (archived threads included); for threads of recent days it re-reads the
  whole history and reconciles edits, deletes and reaction counts made while the bot was away.
- Privacy: a deleted message loses its text; `erase()` removes a member's comments and
  remembers them so nothing more is recorded.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any

from bot.boundary import Discord, DiscordError, GoneError, IncomingMessage, MessageKind
from bot.clock import SYSTEM_CLOCK
from bot.comments.export import comment_dict, render_export
from bot.comments.model import (
    BackfillReport,
    ChallengeThread,
    Comment,
    DayPage,
    Delete,
    Edit,
    React,
    Record,
    Refresh,
    SetReactions,
    StoredState,
    UserSummary,
    snowflake_time,
)
from bot.comments.writer import CommentWriter
from bot.store.comments import CommentStore
from bot.store.timestamps import to_db

log = logging.getLogger(__name__)

# Message kinds a member's reply can have; everything else is a system message.
COMMENT_KINDS = frozenset({MessageKind.DEFAULT, MessageKind.REPLY})
PAGE_SIZE = 5


def comment_from_message(message: IncomingMessage, thread: ChallengeThread) -> Comment | None:
    """The comment a message is, or None for bots, webhooks, system messages and the starter."""
    if message.author_bot:
        return None
    if message.kind not in COMMENT_KINDS or message.id == thread.thread_id:
        return None
    reply_to = message.reference_id if message.kind is MessageKind.REPLY else None
    return Comment(
        guild_id=thread.guild_id,
        day=thread.day,
        thread_id=thread.thread_id,
        message_id=message.id,
        author_id=message.author_id,
        author_name=message.author_name,
        content=message.content,
        created_at=message.created_at,
        attachments=message.attachments,
        reply_to=reply_to,
        edited_at=message.edited_at,
        reactions=message.reactions,
        series=thread.series,
    )


def _changed(known: StoredState, now: Comment) -> bool:
    edited = to_db(now.edited_at) if now.edited_at else known.edited_at
    return (known.content, known.edited_at, known.reactions) != (now.content, edited, now.reactions)


class CommentService:
    def __init__(
        self,
        store: CommentStore,
        discord: Discord,
        *,
        now: Callable[[], datetime],
        reconcile_days: int = 3,
        writer: CommentWriter | None = None,
        owns: Callable[[int], bool] = lambda guild_id: True,
    ) -> None:
        """`owns(guild_id)`: whether this process serves the server (its shard's); the
        threads of other servers are another process's to read."""
        self.store = store
        self.owns = owns
        self.discord = discord
        self.now = now
        self.reconcile_days = reconcile_days
        self.writer = writer or CommentWriter(store.apply)
        self.threads: dict[int, ChallengeThread] = {}
        self.erased: set[tuple[int, int]] = set()
        self.last_report: BackfillReport | None = None
        self._backfill_task: asyncio.Task[None] | None = None
        self._rerun = False
        self._want_reconcile = False
        self._deleted_during_backfill: set[int] | None = None
        self._background: set[asyncio.Task[None]] = set()

    # --- lifecycle ---------------------------------------------------------------------

    async def load(self) -> None:
        every = await self.store.challenge_threads()
        self.threads = {k: t for k, t in every.items() if self.owns(t.guild_id)}
        self.erased = await self.store.erased_users()
        self.writer.start()
        log.info("Recording comments in %d challenge thread(s)", len(self.threads))

    async def close(self) -> None:
        """Stop reading history, then commit every queued write."""
        running = [t for t in (self._backfill_task, *self._background) if t and not t.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await self.writer.close()

    def add_thread(self, thread: ChallengeThread) -> None:
        self.threads[thread.thread_id] = thread

    def is_erased(self, guild_id: int, user_id: int) -> bool:
        return (guild_id, user_id) in self.erased

    # --- live events -------------------------------------------------------------------

    def _as_comment(self, message: IncomingMessage) -> Comment | None:
        thread = self.threads.get(message.channel_id)
        if thread is None:
            return None
        comment = comment_from_message(message, thread)
        if comment is None or self.is_erased(comment.guild_id, comment.author_id):
            return None
        return comment

    def message_created(self, message: IncomingMessage) -> bool:
        comment = self._as_comment(message)
        if comment is not None:
            self.writer.submit(Record(comment))
        return comment is not None

    def message_edited(self, message: IncomingMessage) -> None:
        """An edit that carries the text (the cog drops partial updates without it)."""
        if message.channel_id not in self.threads:
            return  # not ours
        comment = self._as_comment(message)
        if comment is not None:
            self.writer.submit(Edit(comment))

    def messages_deleted(self, channel_id: int, message_ids: Iterable[int]) -> None:
        if channel_id not in self.threads:
            return
        ids = tuple(message_ids)
        if self._deleted_during_backfill is not None:
            self._deleted_during_backfill.update(ids)
        self.writer.submit(Delete(ids))

    def reaction_changed(self, channel_id: int, message_id: int, delta: int) -> None:
        if channel_id in self.threads:
            self.writer.submit(React(message_id, delta))

    def reactions_cleared(self, channel_id: int, message_id: int) -> None:
        if channel_id in self.threads:
            self.writer.submit(SetReactions(message_id, 0))

    def reaction_emoji_cleared(self, channel_id: int, message_id: int) -> None:
        """One emoji removed from a message: recount from Discord (we keep only the total)."""
        if channel_id in self.threads:
            self._spawn(self._recount(channel_id, message_id))

    async def _recount(self, channel_id: int, message_id: int) -> None:
        try:
            message = await self.discord.fetch_message(channel_id, message_id)
        except GoneError:
            return
        except Exception:  # a background task: log here, nobody awaits it
            log.warning("Could not recount reactions on message %s", message_id, exc_info=True)
            return
        self.writer.submit(SetReactions(message_id, message.reactions))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- nothing lost: backfill and reconcile --------------------------------------------

    def request_backfill(self, *, reconcile: bool) -> asyncio.Task[None]:
        """Start a background backfill, or ask the running one to go round once more."""
        self._want_reconcile |= reconcile
        if self._backfill_task is not None and not self._backfill_task.done():
            self._rerun = True
            return self._backfill_task
        self._backfill_task = asyncio.create_task(self._backfill_loop(), name="comment-backfill")
        return self._backfill_task

    async def wait_backfill(self) -> BackfillReport | None:
        while self._backfill_task is not None and not self._backfill_task.done():
            await asyncio.shield(self._backfill_task)
        return self.last_report

    async def _backfill_loop(self) -> None:
        while True:
            self._rerun = False
            reconcile, self._want_reconcile = self._want_reconcile, False
            try:
                report = await self.backfill(reconcile=reconcile)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Comment backfill failed")
            else:
                log.info(
                    "Comment backfill%s: %s", " and reconcile" if reconcile else "", report.line()
                )
            if not self._rerun:
                return

    def is_recent(self, thread: ChallengeThread) -> bool:
        posted = thread.posted_at or snowflake_time(thread.thread_id)
        return posted >= self.now() - timedelta(days=self.reconcile_days)

    async def backfill(self, *, reconcile: bool) -> BackfillReport:
        """Read every challenge thread; with `reconcile`, fully re-check the recent ones."""
        started = SYSTEM_CLOCK.monotonic()
        report = BackfillReport()
        self._deleted_during_backfill = set()
        try:
            for thread in sorted(self.threads.values(), key=lambda t: (t.guild_id, t.day)):
                full = reconcile and self.is_recent(thread)
                try:
                    await self._backfill_thread(thread, full, report)
                except (DiscordError, LookupError) as exc:
                    report.failed_threads.append(thread.thread_id)
                    log.warning(
                        "Could not read day %d's thread %s: %s", thread.day, thread.thread_id, exc
                    )
                report.threads += 1
            await self.writer.flush()
        finally:
            self._deleted_during_backfill = None
        report.seconds = SYSTEM_CLOCK.monotonic() - started
        self.last_report = report
        return report

    async def _backfill_thread(
        self, thread: ChallengeThread, reconcile: bool, report: BackfillReport
    ) -> None:
        """Read a thread's history after where the last read ended (all of it to reconcile)."""
        after = thread.thread_id  # the starter (forum) or the parent's message (thread)
        if not reconcile:
            after = max(after, await self.store.read_until(thread.thread_id) or 0)
        pages = await self.discord.history(thread.thread_id, after=after)  # finds the thread
        await self.writer.flush()
        # Snapshot before reading: a stored comment Discord no longer has was deleted.
        stored = await self.store.thread_state(thread.thread_id, after)
        seen: set[int] = set()
        async for page in pages:
            for message in page:
                seen.add(message.id)
                self._backfill_message(message, thread, stored, reconcile, report)
        if reconcile:
            missing = tuple(mid for mid, s in stored.items() if not s.deleted and mid not in seen)
            if missing:
                self.writer.submit(Delete(missing))
                report.deleted += len(missing)
        await self.writer.flush()  # the records first, then the mark that says they're read
        if seen:
            await self.store.set_read_until(
                thread.thread_id, thread.guild_id, max(seen), self.now(), thread.series
            )

    def _backfill_message(
        self,
        message: IncomingMessage,
        thread: ChallengeThread,
        stored: dict[int, StoredState],
        reconcile: bool,
        report: BackfillReport,
    ) -> None:
        """Record a message read from history, or refresh what changed while we were away."""
        comment = comment_from_message(message, thread)
        if comment is None or self.is_erased(comment.guild_id, comment.author_id):
            return
        deleted = self._deleted_during_backfill
        if deleted is not None and message.id in deleted:
            return  # deleted while we were reading
        known = stored.get(message.id)
        if known is None:
            self.writer.submit(Record(comment))
            report.new += 1
        elif reconcile and not known.deleted and _changed(known, comment):
            self.writer.submit(
                Refresh(
                    message.id,
                    comment.content,
                    comment.attachments,
                    comment.edited_at,
                    comment.reactions,
                )
            )
            report.updated += 1

    # --- reading -----------------------------------------------------------------------

    async def day_page(self, guild_id: int, record: str, day: int, page: int) -> DayPage:
        """A page of committed comments. No flush: a page a few milliseconds stale is fine,
        and waiting behind a busy writer could outlast an interaction's deadline."""
        stats = await self.store.day_stats(guild_id, record, day)
        pages = max(1, -(-stats.comments // PAGE_SIZE))
        page = min(max(0, page), pages - 1)
        comments = await self.store.newest(
            guild_id, record, day, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        return DayPage(stats, comments, page, pages)

    async def export(
        self, guild_id: int, record: str | None, day: int | None, fmt: str
    ) -> tuple[str, int]:
        """The export document of one run (None: all) and how many (not deleted) comments
        it holds."""
        await self.writer.flush()
        comments = await self.store.for_export(guild_id, record, day)
        # Tens of thousands of comments take a while to format: keep the event loop free.
        text = await asyncio.to_thread(
            render_export, comments, fmt, guild_id=guild_id, day=day, now=self.now()
        )
        return text, sum(1 for c in comments if not c.deleted)

    async def my_data(self, guild_id: int, user_id: int) -> tuple[UserSummary, str]:
        """A member's summary and all their stored comments as a JSON document."""
        await self.writer.flush()
        summary = await self.store.user_summary(guild_id, user_id)
        comments = await self.store.user_comments(guild_id, user_id)
        now = self.now()

        def render() -> str:
            document = {
                "guild_id": str(guild_id),
                "user_id": str(user_id),
                "exported_at": to_db(now),
                "erased_at": to_db(summary.erased_at) if summary.erased_at else None,
                "comments": [
                    {"day": c.day, "deleted": c.deleted, **comment_dict(c)} for c in comments
                ],
            }
            return json.dumps(document, ensure_ascii=False, indent=2) + "\n"

        return summary, await asyncio.to_thread(render)

    # --- privacy -----------------------------------------------------------------------

    async def erase(self, guild_id: int, user_id: int) -> int:
        """Remove a member's comments in a server and stop recording them. Returns the count."""
        self.erased.add((guild_id, user_id))  # new messages are ignored from now on
        await self.writer.flush()
        return await self.store.erase_user(guild_id, user_id, self.now())
