"""End-to-end fixtures: the Discord emulator, settings pointed at it, the real bot, and an
after-test guard (bot still connected, no unexpected ERROR logs). See tests/README.md.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from devtools.emulator.runner import REPO, BotProcess, BotRunner
from devtools.emulator.server import Emulator
from tests.conftest import fresh_url

# asyncio: never-retrieved task exceptions; apscheduler: a job that raised.
WATCHED_LOGGERS = ("bot", "cogs", "discord", "apscheduler", "asyncio")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "allow_errors(*patterns): ERROR log lines matching a pattern don't fail the test"
    )


class ErrorLog(logging.Handler):
    """Collects ERROR records from the bot, its cogs, discord.py, APScheduler and asyncio."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.allowed: list[re.Pattern[str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.split(".")[0] not in WATCHED_LOGGERS:
            return
        cancelled = bool(record.exc_info) and isinstance(
            record.exc_info[1],  # type: ignore[index]
            asyncio.CancelledError,
        )
        if cancelled and record.name.startswith("apscheduler"):
            return  # a job cut short by the bot's shutdown (a restart in the test)
        self.records.append(record)

    def allow(self, *patterns: str) -> None:
        """Expect ERROR lines matching any of these regexes (message or exception text)."""
        self.allowed += [re.compile(p) for p in patterns]

    def is_allowed(self, text: str) -> bool:
        return any(p.search(text) for p in self.allowed)

    def unexpected(self) -> list[str]:
        found = []
        for record in self.records:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                text += f" ({record.exc_info[1]!r})"
            if not self.is_allowed(text):
                found.append(f"{record.name}: {text}")
        return found


@pytest.fixture(autouse=True)
def error_log(request: pytest.FixtureRequest) -> Iterator[ErrorLog]:
    """After every e2e test: no unexpected ERROR from bot/cogs/discord loggers.

    Mark expected errors with `@pytest.mark.allow_errors("regex")` or `error_log.allow(...)`.
    """
    handler = ErrorLog()
    for marker in request.node.iter_markers("allow_errors"):
        handler.allow(*marker.args)
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
    problems = handler.unexpected()
    if problems:
        pytest.fail("unexpected ERROR log lines:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
async def emulator(error_log: ErrorLog) -> AsyncIterator[Emulator]:
    """A fresh emulated Discord on 127.0.0.1 (random port) with the "ML & DL Morocco" guild."""
    emu = Emulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    if emu.internal_errors:
        pytest.fail("the emulator itself failed:\n" + "\n".join(emu.internal_errors), pytrace=False)


@pytest.fixture
def content_dirs(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the shipped challenge days and keyword articles (tests may edit them)."""
    series = tmp_path / "content" / "challenges"
    keywords = tmp_path / "content" / "keywords"
    shutil.copytree(REPO / "data" / "challenges", series)
    shutil.copytree(REPO / "data" / "keywords", keywords)
    return series, keywords


@pytest.fixture
def e2e_database(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """The state database the bot under test uses: SQLite at tmp_path/bot.sqlite3 (None), or,
    with E2E_DATABASE=postgresql, a fresh database on the test run's PostgreSQL server."""
    if os.environ.get("E2E_DATABASE", "sqlite") != "postgresql":
        return None
    return fresh_url("postgresql", tmp_path, request)


@pytest.fixture
def make_settings(
    emulator: Emulator,
    tmp_path: Path,
    content_dirs: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    e2e_database: str | None,
) -> Callable[..., Settings]:
    """`make_settings(**overrides) -> Settings` pointed at the emulator.

    Defaults: token "emulator-token", guild and #challenges from the emulator, the database
    at tmp_path/bot.sqlite3, copies of the shipped content. The environment and any .env
    file are ignored so the developer's own settings can't leak in.
    """
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    series_dir, keywords_dir = content_dirs

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "discord_token": emulator.world.token,
            "discord_api_url": emulator.api_url,
            "discord_gateway_url": emulator.gateway_url,
            "guild_id": int(emulator.guild_id),
            "challenge_channel_id": emulator.channel_id("challenges"),
            "database_path": tmp_path / "bot.sqlite3",
            "series_dir": series_dir,
            "keywords_dir": keywords_dir,
            "database_url": e2e_database,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    return build


@pytest.fixture
async def bot_runner(
    emulator: Emulator, make_settings: Callable[..., Settings], error_log: ErrorLog
) -> AsyncIterator[BotRunner]:
    """`await bot_runner.start(**setting_overrides)` runs the real ChallengeBot in-process.

    Teardown checks the bot's gateway task is still alive, then stops it.
    """
    runner = BotRunner(emulator, make_settings)
    try:
        yield runner
        runner.check_alive()
    finally:
        await runner.stop()


@pytest.fixture
async def bot(bot_runner: BotRunner) -> Any:
    """The bot, started with default settings and every extension, ready."""
    return await bot_runner.start()


@pytest.fixture
def bot_process(
    emulator: Emulator,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    error_log: ErrorLog,
) -> Iterator[Callable[..., BotProcess]]:
    """`bot_process(**setting_overrides) -> BotProcess` (not started): `python -m bot run`.

    Teardown kills what still runs, then fails the test on an ERROR record or traceback in
    the process log (unless allowed like in-process ones: `allow_errors` / `error_log.allow`)
    or on a process that exited non-zero by itself without the test looking at its exit code
    (`await process.wait()`); a kill() or terminate() by the test is expected, of course.
    """
    started: list[BotProcess] = []

    def build(**overrides: Any) -> BotProcess:
        process = BotProcess(emulator, make_settings(**overrides), tmp_path)
        started.append(process)
        return process

    yield build
    problems: list[str] = []
    for process in started:
        problems += process.finish()
    logs = {process.log_path: process for process in started}
    for process in logs.values():
        problems += [r for r in process.error_records() if not error_log.is_allowed(r)]
    if problems:
        pytest.fail("the bot process went wrong:\n" + "\n".join(problems), pytrace=False)
