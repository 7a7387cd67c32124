"""`challenge-bot migrate-to URL`: move the bot's state from its SQLite file into PostgreSQL."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.settings import Settings, is_postgres_url
from bot.store import StoreError, database_at
from bot.store.copy import TableCopy, copy_state
from bot.store.postgres import redact

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


async def _migrate(settings: Settings, url: str) -> list[TableCopy]:
    source = database_at(settings.database_location)
    target = database_at(url)
    await source.open(check_writable=False, create=False)
    try:
        await target.open()
        try:
            return await copy_state(source, target)
        finally:
            await target.close()
    finally:
        await source.close()


def migrate_to(settings: Settings, args: argparse.Namespace) -> int:
    url = str(args.url)
    if not is_postgres_url(url):
        print(
            "error: migrate-to copies into PostgreSQL: give a postgresql://… URL", file=sys.stderr
        )
        return EXIT_USAGE
    if isinstance(settings.database_location, str):  # a URL: the state is in PostgreSQL
        print("error: the bot's state is already in PostgreSQL (DATABASE_URL)", file=sys.stderr)
        return EXIT_USAGE
    try:
        copies = asyncio.run(_migrate(settings, url))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for copy in copies:
        mark = "ok" if copy.ok else "MISMATCH"
        print(f"{copy.table:<18} {copy.source:>9} → {copy.target:>9}  {mark}")
    if not all(copy.ok for copy in copies):
        print("error: the counts differ; the bot's SQLite file is unchanged", file=sys.stderr)
        return EXIT_MISMATCH
    print(
        f"Copied into {redact(url)}. Stop the bot (if running), set DATABASE_URL to that URL "
        "in .env, and start it again; keep the SQLite file as a backup."
    )
    return EXIT_OK
