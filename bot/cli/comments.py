"""`challenge-bot export` and `challenge-bot erase-user`: comment data from the shell.

Both open the database directly; they are safe to run while the bot is running (SQLite
WAL, and the store refuses rows from erased members even when the bot doesn't know yet).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from bot.clock import SYSTEM_CLOCK
from bot.comments.export import render_export
from bot.comments.model import Comment
from bot.settings import Settings
from bot.store import StoreError, database_at
from bot.store.comments import CommentStore

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _now() -> datetime:
    return SYSTEM_CLOCK.now()


async def _read_comments(
    location: str | Path, guild_id: int, series: str | None, day: int | None
) -> list[Comment]:
    db = database_at(location)
    try:
        await db.open(check_writable=False, create=False)
        return await CommentStore(db).for_export(guild_id, series, day)
    finally:
        await db.close()


def export(settings: Settings, args: argparse.Namespace) -> int:
    guild_id = getattr(args, "guild", None) or settings.guild_id
    if guild_id is None:
        print("error: say which server: set GUILD_ID or pass --guild ID", file=sys.stderr)
        return EXIT_USAGE
    try:
        series = getattr(args, "series", None)
        comments = asyncio.run(
            _read_comments(settings.database_location, guild_id, series, args.day)
        )
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    text = render_export(comments, args.format, guild_id=guild_id, day=args.day, now=_now())
    if not args.out:
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8", newline="")
    live = sum(1 for c in comments if not c.deleted)
    scope = f"day {args.day}" if args.day is not None else "all days"
    print(f"Wrote {live} comment(s) ({scope}) to {out}")
    return EXIT_OK


async def _survey(location: str | Path, user_id: int, guilds: list[int] | None) -> dict[int, int]:
    """Comment count per server for this user (all servers where they appear by default)."""
    db = database_at(location)
    try:
        await db.open(check_writable=False, create=False)
        store = CommentStore(db)
        found = guilds if guilds is not None else await store.user_guilds(user_id)
        return {g: len(await store.user_comments(g, user_id)) for g in found}
    finally:
        await db.close()


async def _erase(location: str | Path, user_id: int, guilds: list[int]) -> int:
    db = database_at(location)
    try:
        await db.open(create=False)
        store = CommentStore(db)
        return sum([await store.erase_user(g, user_id, _now()) for g in guilds])
    finally:
        await db.close()


def erase_user(
    settings: Settings, args: argparse.Namespace, *, ask: Callable[[str], str] | None = None
) -> int:
    user_id: int = args.user_id
    only_guild: int | None = getattr(args, "guild", None)
    try:
        counts = asyncio.run(
            _survey(settings.database_location, user_id, [only_guild] if only_guild else None)
        )
        if settings.guild_id and not only_guild:
            counts.setdefault(settings.guild_id, 0)  # remember the erasure in the home server
        if not counts:
            print(f"Nothing stored about user {user_id}, and no server to remember them in.")
            return EXIT_OK
        where = ", ".join(f"server {g}: {n}" for g, n in counts.items())
        print(f"User {user_id} has {sum(counts.values())} stored comment(s) ({where}).")
        if not args.yes:
            try:
                answer = (ask or input)("Erase them and record nothing more from them? [y/N] ")
            except EOFError:
                answer = ""
            if answer.strip().lower() not in ("y", "yes"):
                print("Nothing erased.")
                return EXIT_PROBLEMS
        removed = asyncio.run(_erase(settings.database_location, user_id, list(counts)))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Erased {removed} comment(s) of user {user_id} in {len(counts)} server(s).")
    return EXIT_OK
