"""`challenge-bot check`: settings, content and database in one readable report."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import ContentError
from bot.settings import Settings
from bot.store import Database, StoreError


@dataclass
class Report:
    sections: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def add(self, title: str, ok: list[str], problems: list[str]) -> None:
        self.sections.append((title, ok, problems))

    @property
    def problem_count(self) -> int:
        return sum(len(problems) for _, _, problems in self.sections)

    def render(self) -> str:
        lines = []
        for title, ok, problems in self.sections:
            mark = "✗" if problems else "✓"
            lines.append(f"{mark} {title}")
            lines.extend(f"    {line}" for line in ok)
            lines.extend(f"    ✗ {line}" for line in problems)
        total = self.problem_count
        lines.append("")
        lines.append("All good." if not total else f"{total} problem(s) found.")
        return "\n".join(lines)


def check_settings(settings: Settings) -> tuple[list[str], list[str]]:
    ok, problems = [], []
    if settings.discord_token is None:
        problems.append("DISCORD_TOKEN is not set (needed for `run`)")
    else:
        ok.append("DISCORD_TOKEN is set (hidden)")
    if settings.challenge_channel_id is None:
        problems.append("CHALLENGE_CHANNEL_ID is not set: the bot doesn't know where to post")
    else:
        ok.append(f"CHALLENGE_CHANNEL_ID = {settings.challenge_channel_id}")
    ok.append(f"GUILD_ID = {settings.guild_id or 'not set (commands sync globally)'}")
    ok.append(f"SERIES_TIMEZONE = {settings.series_timezone}")
    return ok, problems


def check_content(settings: Settings) -> list[tuple[str, list[str], list[str]]]:
    from bot.keywords.loader import load_articles
    from bot.series.loader import load_series

    sections = []
    for title, loader, directory in (
        ("Challenge days", load_series, settings.series_dir),
        ("Keyword articles", load_articles, settings.keywords_dir),
    ):
        try:
            loaded = loader(Path(directory))
        except ContentError as exc:
            sections.append((f"{title} ({directory})", [], [str(p) for p in exc.problems]))
        else:
            sections.append((f"{title} ({directory})", [f"{len(loaded)} loaded"], []))
    return sections


async def check_database(settings: Settings) -> tuple[list[str], list[str]]:
    path = settings.database_path
    existed = Path(path).exists()
    db = Database(path)
    try:
        await db.open()
        problems = await db.integrity_check()
        version = await db.user_version()
    except StoreError as exc:
        return [], [str(exc)]
    finally:
        await db.close()
    state = "exists" if existed else "created"
    return [f"{path} {state}, schema version {version}"], problems


def check(settings: Settings, args: argparse.Namespace) -> int:
    report = Report()
    report.add("Settings", *check_settings(settings))
    for section in check_content(settings):
        report.add(*section)
    report.add("Database", *asyncio.run(check_database(settings)))
    print(report.render())
    return 1 if report.problem_count else 0
