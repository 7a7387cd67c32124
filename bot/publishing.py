"""The Discord side of posting a day (`bot.series.posting.Publishing` with discord.py): each
step recorded as soon as it succeeds.

A post is: the day's messages (the first carries the row's nonce, sent with `enforce_nonce`,
and a marker in its text), a public thread on the first one (or a forum post), then the
discussion question in the thread. After a crash or an error the same row is *resumed*:
before redoing a step whose result wasn't recorded, the channel is searched for our own
message, which is adopted instead of sending it again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

import aiohttp
import discord

from bot.discord_setup import missing_permissions
from bot.series.model import DayRow
from bot.series.posting import DayPost, PostStepError, Progress
from bot.store.series import SeriesStore

log = logging.getLogger(__name__)

THREAD_ALREADY_EXISTS = 160004  # Discord: "A thread has already been created for this message"
SEARCH_LIMIT = 50  # how far back to look for our own marked first message when resuming
# How many of the newest messages to search for a part sent just before a crash (a busy
# thread gets many replies after the opening, but the part we lost is among the newest).
RESUME_SEARCH_LIMIT = 500
# Failures of a Discord call: an HTTP error, or the connection itself (reset, timeout).
CALL_ERRORS = (discord.HTTPException, TimeoutError, aiohttp.ClientError, OSError)

Postable = discord.TextChannel | discord.ForumChannel


def message_kwargs(rendered: Any) -> dict[str, Any]:
    """`send()` keyword arguments for a RenderedMessage (`.content`, `.embed`) or a string."""
    if isinstance(rendered, str):
        return {"content": rendered}
    kwargs: dict[str, Any] = {"content": getattr(rendered, "content", None) or None}
    embed = getattr(rendered, "embed", None)
    if embed is not None:
        kwargs["embed"] = embed
    return kwargs


_MARKER = re.compile(r"^-# (?:.* · )?ref [0-9a-f]{16}$", re.MULTILINE)
ADOPT_SEARCH_LIMIT = 300  # messages searched for our own posts when the database is new

_TIMESTAMP = re.compile(r"<t:-?\d+(?::[tTdDfFR])?>")


def comparable(content: str | None) -> str:
    """Text to recognise a part we sent: timestamps (like the next post's) may have moved."""
    return _TIMESTAMP.sub("<t>", (content or "").strip())


def title_of(content: str) -> str:
    """The title line of a day's first message (after the role ping, when there is one)."""
    lines = content.split("\n")
    if len(lines) > 1 and lines[0].startswith("<@&") and lines[0].endswith(">"):
        return lines[1]
    return lines[0]


def has_marker(message: discord.Message, marker: str) -> bool:
    """Our nonce (when Discord echoes it) or the marker written into the text or an embed."""
    if message.nonce is not None and str(message.nonce).split(".")[0] == marker:
        return True
    if marker in (message.content or ""):
        return True
    return any(marker in str(embed.to_dict()) for embed in message.embeds)


def ping_mentions(role_id: int | None) -> discord.AllowedMentions:
    """Only the configured role may be pinged, and only by the first message of a day."""
    if role_id is None:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False, users=False, roles=[discord.Object(role_id)], replied_user=False
    )


class Publisher:
    def __init__(self, client: discord.Client, store: SeriesStore) -> None:
        self.client = client
        self.store = store

    @property
    def me(self) -> int:
        return self.client.user.id if self.client.user else 0

    # Channels

    async def channel(self, channel_id: int) -> Postable:
        found = self.client.get_channel(channel_id)
        if found is None:
            try:
                found = await self.client.fetch_channel(channel_id)
            except CALL_ERRORS as exc:
                raise describe("finding the challenge channel", exc, None) from exc
        if not isinstance(found, Postable):
            raise PostStepError(
                "finding the challenge channel",
                None,
                f"channel {channel_id} is not a text or forum channel; "
                "set one with /challenge channel",
            )
        return found

    async def thread(self, thread_id: int) -> discord.Thread:
        found = self.client.get_channel(thread_id)
        if isinstance(found, discord.Thread):
            return found
        try:
            fetched = await self.client.fetch_channel(thread_id)
        except CALL_ERRORS as exc:
            raise describe("opening the day's thread", exc, None) from exc
        if not isinstance(fetched, discord.Thread):
            raise PostStepError("opening the day's thread", None, f"{thread_id} is not a thread")
        return fetched

    # A day

    async def publish_day(
        self, row: DayRow, post: DayPost, channel: Postable, *, resumed: bool
    ) -> Progress:
        """Run the missing steps of a day's post; raise PostStepError on the first failure."""
        progress = Progress.of(row)
        nonce = row.nonce or ""
        if isinstance(channel, discord.ForumChannel):
            await self._forum_post(row, post, channel, progress, nonce, resumed)
            parts_channel: discord.abc.Messageable = await self.thread(progress.thread_id or 0)
        else:
            await self._first_message(row, post, channel, progress, nonce, resumed)
            parts_channel = channel
        await self._other_parts(row, post, parts_channel, progress, nonce, resumed)
        if progress.thread_id is None and isinstance(channel, discord.TextChannel):
            await self._open_thread(row, post, channel, progress, resumed)
        forum = isinstance(channel, discord.ForumChannel)
        await self._opening(row, post, progress, nonce, resumed, forum=forum)
        return progress

    async def _first_message(
        self,
        row: DayRow,
        post: DayPost,
        channel: discord.TextChannel,
        progress: Progress,
        nonce: str,
        resumed: bool,
    ) -> None:
        if progress.message_id is not None:
            return
        message = await self._send_once(
            "sending the day's message",
            channel,
            find=partial(self._find_marked, channel, nonce) if resumed else None,
            send=partial(
                channel.send,
                **message_kwargs(post.parts[0]),
                nonce=nonce,
                allowed_mentions=ping_mentions(post.ping_role_id),
            ),
        )
        await self._record(
            row, progress, message_id=message.id, parts_sent=1, last_message_id=message.id
        )

    async def _forum_post(
        self,
        row: DayRow,
        post: DayPost,
        forum: discord.ForumChannel,
        progress: Progress,
        nonce: str,
        resumed: bool,
    ) -> None:
        if progress.thread_id is not None:
            return
        step = "creating the forum post"
        thread = None
        if resumed:
            thread = await self._guard(step, forum, self._find_forum_post(forum, post, nonce))
        if thread is None:
            created = await self._guard(
                step,
                forum,
                # The overloads can't see through **message_kwargs (content or embeds).
                forum.create_thread(  # type: ignore[call-overload]
                    name=post.thread_name,
                    auto_archive_duration=post.archive_minutes,
                    allowed_mentions=ping_mentions(post.ping_role_id),
                    **message_kwargs(post.parts[0]),
                ),
            )
            thread, starter_id = created.thread, created.message.id
        else:
            starter_id = thread.id  # a forum post's starter message has the thread's id
            log.info(
                "Day %d: found its forum post %d after a restart, adopting it", row.day, thread.id
            )
        await self._record(
            row,
            progress,
            message_id=starter_id,
            thread_id=thread.id,
            parts_sent=1,
            last_message_id=starter_id,
        )

    async def _other_parts(
        self,
        row: DayRow,
        post: DayPost,
        channel: discord.abc.Messageable,
        progress: Progress,
        nonce: str,
        resumed: bool,
    ) -> None:
        step = "sending the rest of the day's post"
        while progress.parts_sent < len(post.parts):
            index, after = progress.parts_sent, progress.last_message_id
            part = post.parts[index]
            message = await self._send_once(
                step,
                channel,
                find=(
                    partial(self._already_sent, channel, after, post.part_variants(index))
                    if resumed and after is not None
                    else None
                ),
                send=partial(channel.send, **message_kwargs(part), nonce=f"{nonce}.{index}"),
            )
            await self._record(row, progress, parts_sent=index + 1, last_message_id=message.id)

    async def _open_thread(
        self,
        row: DayRow,
        post: DayPost,
        channel: discord.TextChannel,
        progress: Progress,
        resumed: bool,
    ) -> None:
        step = "creating the day's thread"
        message_id = progress.message_id or 0
        if resumed:
            existing = channel.guild.get_thread(message_id)
            if existing is None:
                try:
                    fetched = await self.client.fetch_channel(message_id)
                except discord.NotFound:
                    fetched = None
                except CALL_ERRORS as exc:
                    raise describe(step, exc, channel) from exc
                existing = fetched if isinstance(fetched, discord.Thread) else None
            if existing is not None:
                await self._record(row, progress, thread_id=existing.id)
                return
        try:
            thread = await channel.get_partial_message(message_id).create_thread(
                name=post.thread_name,
                # A validated setting (60, 1440, 4320 or 10080); discord.py types it as a Literal.
                auto_archive_duration=post.archive_minutes,  # type: ignore[arg-type]
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_ALREADY_EXISTS:
                raise describe(step, exc, channel) from exc
            thread_id = message_id  # a thread made from a message has the message's id
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise describe(step, exc, channel) from exc
        else:
            thread_id = thread.id
        await self._record(row, progress, thread_id=thread_id)

    async def _opening(
        self,
        row: DayRow,
        post: DayPost,
        progress: Progress,
        nonce: str,
        resumed: bool,
        *,
        forum: bool,
    ) -> None:
        if progress.opening_message_id is not None or not post.opening:
            return
        step = "posting the discussion question"
        thread = await self.thread(progress.thread_id or 0)
        # A forum post holds the day's messages first; a text thread starts empty.
        after = (progress.last_message_id or thread.id) if forum else thread.id
        sent: list[discord.Message] = []
        for index, part in enumerate(post.opening):
            variants = post.opening_variants(index)
            message = await self._send_once(
                step,
                thread,
                find=partial(self._already_sent, thread, after, variants) if resumed else None,
                send=partial(thread.send, **message_kwargs(part), nonce=f"{nonce}.q{index}"),
            )
            sent.append(message)
            after = message.id
        first_id = sent[0].id
        await self._record(row, progress, opening_message_id=first_id)

    # Answers

    async def publish_answers(self, row: DayRow, parts: Sequence[Any], *, resumed: bool) -> None:
        step = "posting the expert answer"
        thread = await self.thread(row.thread_id or 0)
        sent = row.answer_parts_sent
        last = row.answer_message_id or row.opening_message_id or row.last_message_id or thread.id
        nonce = row.answer_nonce or ""
        while sent < len(parts):
            part = parts[sent]
            message = await self._send_once(
                step,
                thread,
                find=partial(self._already_sent, thread, last, [part]) if resumed else None,
                send=partial(thread.send, **message_kwargs(part), nonce=f"{nonce}.{sent}"),
            )
            sent += 1
            last = message.id
            await self.store.update(
                row.guild_id, row.series, row.day, answer_parts_sent=sent, answer_message_id=last
            )

    # Finding our own posts when the database was lost

    async def find_posted_days(
        self, channel: Postable, names: Mapping[int, Collection[str]]
    ) -> dict[int, tuple[int, int | None, datetime]]:
        """Our own marked day posts already in `channel`: day → (first message id, thread id,
        when). `names` maps day numbers to their thread names (in every language: the
        server may have posted them in another one)."""
        found: dict[int, tuple[int, int | None, datetime]] = {}
        by_name = {name: number for number, known in names.items() for name in known}
        if isinstance(channel, discord.ForumChannel):
            threads = list(channel.threads)
            async for archived in channel.archived_threads(limit=ADOPT_SEARCH_LIMIT):
                threads.append(archived)
            for thread in threads:
                number = by_name.get(thread.name)
                if number is not None and thread.owner_id == self.me and number not in found:
                    found[number] = (thread.id, thread.id, discord.utils.snowflake_time(thread.id))
            return found
        async for message in channel.history(limit=ADOPT_SEARCH_LIMIT):
            if message.author.id != self.me or not _MARKER.search(message.content or ""):
                continue
            title = title_of(message.content or "")
            for name, number in by_name.items():
                if number not in found and name in title:
                    # A thread opened on a message has the message's id.
                    opened = message.flags.has_thread or channel.guild.get_thread(message.id)
                    thread_id = message.id if opened else None
                    found[number] = (message.id, thread_id, message.created_at)
        return found

    # Finding our own messages after a restart

    async def _find_marked(
        self, channel: discord.TextChannel, marker: str
    ) -> discord.Message | None:
        async for message in channel.history(limit=SEARCH_LIMIT):
            if message.author.id == self.me and has_marker(message, marker):
                return message
        return None

    async def _already_sent(
        self, channel: discord.abc.Messageable, after_id: int, variants: Sequence[Any]
    ) -> discord.Message | None:
        """Our message with this part's text sent after `after_id`, if a crash hid it.
        `variants`: the part as each language renders it (any of them is ours).

        Searched newest first (the lost part is among the newest messages, however many
        replies came after `after_id`), down to `after_id`; the oldest match wins.
        """
        texts = {comparable(message_kwargs(part).get("content")) for part in variants}
        found = None
        async for message in channel.history(
            limit=RESUME_SEARCH_LIMIT, after=discord.Object(after_id), oldest_first=False
        ):
            if message.author.id != self.me or message.type not in (
                discord.MessageType.default,
                discord.MessageType.reply,
            ):
                continue
            if "" in texts or comparable(message.content) in texts:
                found = message
        return found

    async def _find_forum_post(
        self, forum: discord.ForumChannel, post: DayPost, marker: str
    ) -> discord.Thread | None:
        candidates = list(forum.threads)
        async for archived in forum.archived_threads(limit=SEARCH_LIMIT):
            candidates.append(archived)
        for thread in candidates:
            if thread.owner_id != self.me or thread.name not in post.thread_names:
                continue
            try:
                starter = await thread.fetch_message(thread.id)
            except discord.NotFound:
                continue
            if has_marker(starter, marker):
                return thread
        return None

    # Helpers

    async def _record(self, row: DayRow, progress: Progress, **changes: int | None) -> None:
        for name, value in changes.items():
            setattr(progress, name, value)
        await self.store.update(row.guild_id, row.series, row.day, **changes)

    async def _send_once(
        self,
        step: str,
        channel: object,
        *,
        find: Callable[[], Awaitable[discord.Message | None]] | None,
        send: Callable[[], Awaitable[discord.Message]],
    ) -> discord.Message:
        """One step of a post: when resuming (`find` given), adopt our message if a crash hid
        it; otherwise send it (with its nonce). The caller records the result."""
        if find is not None:
            found: discord.Message | None = await self._guard(step, channel, find())
            if found is not None:
                log.info("Found message %d after a restart while %s: adopting it", found.id, step)
                return found
        message: discord.Message = await self._guard(step, channel, send())
        return message

    async def _guard(self, step: str, channel: object, operation: Any) -> Any:
        """Await a Discord call, turning any failure into a PostStepError naming the step."""
        try:
            return await operation
        except CALL_ERRORS as exc:
            raise describe(step, exc, channel) from exc


def describe(step: str, exc: BaseException, channel: object | None) -> PostStepError:
    """One readable line: what failed, Discord's answer, and what to check."""
    where = (
        f" in #{channel.name}"
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread)
        else ""
    )
    if isinstance(exc, discord.Forbidden):
        hint = ""
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread) and channel.guild.me:
            missing = missing_permissions(channel.permissions_for(channel.guild.me))
            if missing:
                hint = f"; missing: {', '.join(missing)}"
        detail = (
            f"403 Forbidden while {step}{where}: {exc.text or 'Missing Permissions'} "
            f"(code {exc.code}) — check the bot's permissions{hint}"
        )
    elif isinstance(exc, discord.HTTPException):
        detail = f"HTTP {exc.status} while {step}{where}: {exc.text or exc}"
    else:
        detail = f"{type(exc).__name__} while {step}{where}: {exc}"
    return PostStepError(step, exc, detail)
