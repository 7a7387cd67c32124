"""`challenge-bot` — run the bot and look after its content and data from the shell."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from bot import __version__
from bot.settings import Settings, SettingsError, load_settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

# Subcommands implemented in their domain's module: name → "module:function".
# Each function takes (settings, args) and returns an exit code.
HANDLERS: dict[str, str] = {
    "run": "bot.runner:run",
    "check": "bot.cli.doctor:check",
    "invite": "bot.runner:invite",
    "preview": "bot.cli.preview:preview",
    "schedule": "bot.cli.series:schedule",
    "rehearse": "bot.cli.series:rehearse",
    "export": "bot.cli.comments:export",
    "erase-user": "bot.cli.comments:erase_user",
    "import-keywords": "bot.cli.keywords:import_keywords",
    "migrate-to": "bot.cli.migrate:migrate_to",
    "backup": "bot.cli.store:backup_command",
    "restore": "bot.cli.store:restore_command",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="challenge-bot",
        description="Discord bot for the ML & DL Morocco Challenges. Settings come from the "
        "environment and .env (see .env.example).",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--env-file", metavar="FILE", help="read settings from FILE instead of .env"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sub.add_parser("run", help="connect to Discord and serve (needs DISCORD_TOKEN)")

    check = sub.add_parser(
        "check", help="validate settings, content and database; exit 1 on problems"
    )
    check.add_argument(
        "--offline", action="store_true", help="don't contact Discord even if a token is set"
    )
    check.add_argument(
        "--live",
        action="store_true",
        help="is the running bot connected and its scheduler alive? (for health checks)",
    )

    sub.add_parser("invite", help="print the invite URL with exactly the permissions needed")

    preview = sub.add_parser("preview", help="print the messages a day would send, with lengths")
    preview.add_argument("--day", type=int, metavar="N", help="only day N (default: all)")

    listed = sub.add_parser(
        "schedule", help="list the runs, and every day with its local and UTC time and state"
    )
    listed.add_argument(
        "--series",
        metavar="NAME",
        help="a series id (EXTRA_SERIES_DIRS), or one edition or rehearsal of it "
        "(default: the main series' current edition)",
    )

    rehearsal = sub.add_parser(
        "rehearse", help="plan a fast rehearsal in a test channel (starts with the bot)"
    )
    rehearsal.add_argument("--channel", type=int, metavar="ID", help="a private test channel")
    rehearsal.add_argument("--interval", default="30s", help="between two days (default 30s)")
    rehearsal.add_argument("--guild", type=int, metavar="ID", help="server id (default: GUILD_ID)")
    rehearsal.add_argument(
        "--clear", action="store_true", help="forget every rehearsal and what it recorded"
    )
    rehearsal.add_argument("--series", metavar="ID", help="which series (default: the main one)")

    export = sub.add_parser("export", help="export recorded comments")
    export.add_argument("--day", type=int, metavar="N", help="only day N (default: all days)")
    export.add_argument("--format", choices=("json", "csv", "md"), default="json")
    export.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    export.add_argument("--guild", type=int, metavar="ID", help="server id (default: GUILD_ID)")
    export.add_argument(
        "--series",
        metavar="RECORD",
        help="one series, edition or rehearsal, as `schedule` lists them (default: all)",
    )

    erase = sub.add_parser("erase-user", help="erase everything stored about a member")
    erase.add_argument("user_id", type=int, help="the member's Discord user id")
    erase.add_argument(
        "--guild", type=int, metavar="ID", help="only this server (default: every server)"
    )
    erase.add_argument("--yes", action="store_true", help="don't ask for confirmation")

    importer = sub.add_parser(
        "import-keywords", help="convert keyword-site pages into article files"
    )
    importer.add_argument("files", nargs="+", metavar="FILE", help="pages to import")
    importer.add_argument(
        "--out", metavar="DIR", help="where to write the .md files (default: KEYWORDS_DIR)"
    )
    importer.add_argument("--category", default="Morocco & Policy", help="category to assign")
    importer.add_argument("--force", action="store_true", help="overwrite existing files")

    saved = sub.add_parser("backup", help="copy the database safely, even while the bot runs")
    saved.add_argument(
        "file", nargs="?", metavar="FILE", help="where (default: backups/ beside the database)"
    )
    restored = sub.add_parser("restore", help="put a backup in place (the bot must be stopped)")
    restored.add_argument("file", metavar="FILE", help="a file written by `backup`")
    moved = sub.add_parser(
        "migrate-to", help="copy the SQLite database into PostgreSQL (stop the bot first)"
    )
    moved.add_argument("url", metavar="URL", help="postgresql://user:password@host/database")
    return parser


def _resolve(target: str) -> Callable[[Settings, argparse.Namespace], Any]:
    module_name, _, function = target.partition(":")
    handler: Callable[[Settings, argparse.Namespace], Any]
    handler = getattr(importlib.import_module(module_name), function)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = load_settings(_env_file=args.env_file) if args.env_file else load_settings()
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    handler = _resolve(HANDLERS[args.command])
    try:
        result = handler(settings, args)
        if asyncio.iscoroutine(result):
            result = asyncio.run(result)
    except SettingsError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:  # `challenge-bot schedule | head`: the reader had enough
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115  # no second error at exit
        return EXIT_OK
    return int(result or 0)
