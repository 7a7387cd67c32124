"""`challenge-bot backup [FILE]` and `challenge-bot restore FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.clock import SYSTEM_CLOCK
from bot.settings import Settings
from bot.store.backup import backup, restore, stamp
from bot.store.database import StoreError, bundled_migrations

EXIT_OK, EXIT_USAGE = 0, 2


def default_target(database: Path) -> Path:
    return database.parent / "backups" / f"{database.stem}-{stamp(SYSTEM_CLOCK.now())}.sqlite3"


def backup_command(settings: Settings, args: argparse.Namespace) -> int:
    database = Path(settings.database_path)
    target = Path(args.file) if args.file else default_target(database)
    try:
        report = backup(database, target)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Backed up {database} to {report.summary()}; integrity ok")
    return EXIT_OK


def restore_command(settings: Settings, args: argparse.Namespace) -> int:
    database = Path(settings.database_path)
    try:
        aside = restore(
            Path(args.file),
            database,
            moment=SYSTEM_CLOCK.now(),
            max_schema=len(bundled_migrations()),
        )
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    kept = f"; the replaced database is kept as {aside}" if aside else ""
    print(f"Restored {args.file} to {database}{kept}")
    return EXIT_OK
