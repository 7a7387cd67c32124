"""Running the real bot against the emulator: in the test's event loop (`BotRunner`) or as a
`python -m bot run` subprocess that a test may SIGKILL (`BotProcess`).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.settings import Settings
from devtools.emulator.server import Emulator
from devtools.emulator.support import wait_for

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT = 10.0
SETTLE_QUIET = 0.5  # seconds without any bot activity that count as "settled"
# A log record's first line (discord.py's format: "[2026-01-01 10:00:00] [ERROR   ] name: …").
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # discord.py colours its log when it thinks it may
_RECORD = re.compile(r"^\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S*\]?\s+\[?(?P<level>[A-Z]+)")


class BotRunner:
    """Starts the bot (`build_bot`: a `ChallengeBot`, sharded with SHARD_COUNT) in a task
    against the emulator; restarts keep the database."""

    def __init__(self, emulator: Emulator, make_settings: Callable[..., Settings]) -> None:
        self.emulator = emulator
        self.make_settings = make_settings
        self.bot: Any = None
        self.task: asyncio.Task[None] | None = None
        self.settings: Settings | None = None
        self._last: dict[str, Any] = {}
        self.expect_stopped = False  # set by tests that stop the gateway on purpose

    async def start(
        self,
        *,
        extensions: Sequence[str] | None = None,
        clock: Callable[[], Any] | None = None,
        token: str | None = None,
        wait: bool = True,
        **overrides: Any,
    ) -> Any:
        """Build settings (with `overrides`), start the bot and wait until it is ready."""
        from bot.bot import EXTENSIONS, build_bot

        if self.task is not None and not self.task.done():
            raise RuntimeError("the bot is already running; stop() it first")
        self._last = {"extensions": extensions, "clock": clock, "token": token, **overrides}
        self.settings = self.make_settings(**overrides)
        options: dict[str, Any] = {"guild_ready_timeout": 0.05}
        if clock is not None:
            options["clock"] = clock
        self.bot = build_bot(
            self.settings,
            extensions=EXTENSIONS if extensions is None else tuple(extensions),
            **options,
        )
        self.task = asyncio.create_task(
            self.bot.start(token or self.emulator.world.token), name="bot"
        )
        if wait:
            await self.wait_ready()
        return self.bot

    async def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:  # noqa: ASYNC109
        assert self.task is not None
        ready = asyncio.create_task(self.bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {ready, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if not ready.done():
                ready.cancel()
        if self.task in done:
            failed, self.task = self.task, None
            if not self.bot.is_closed():
                await self.bot.close()
            failed.result()  # raises the bot's failure (e.g. LoginFailure)
            raise AssertionError("the bot stopped before it was ready")
        if not done:
            raise AssertionError(f"the bot was not ready within {timeout}s")
        await self.emulator.drain()
        # Ready means the cogs' on_ready handlers have finished too (catch-up work etc.).
        await wait_for(lambda: not _running("on_ready"), timeout=timeout)

    async def settle(self, quiet: float = SETTLE_QUIET, timeout: float = 15.0) -> None:  # noqa: ASYNC109
        """Until the bot has finished what it was doing: every event parsed, no event handler
        running, comment writes and greetings flushed, no REST call in flight, and all of
        that for `quiet` seconds in a row. Call it before asserting "exactly once" or
        "nothing else": a late duplicate then has had time to show up."""
        await self.emulator.drain(timeout)
        recorder = self.emulator.recorder
        loop = asyncio.get_running_loop()
        idle_since: float | None = None

        def busy() -> bool:
            calls = recorder.rest()
            if any(c.status == 0 for c in calls):  # a request still in flight
                return True
            if calls and recorder.now() - calls[-1].time < quiet:
                return True
            return _running("") or self._queued_work()

        async with asyncio.timeout(timeout):
            while True:
                if busy():
                    idle_since = None
                elif idle_since is None:
                    idle_since = loop.time()
                elif loop.time() - idle_since >= quiet:
                    return
                await asyncio.sleep(0.02)

    def _queued_work(self) -> bool:
        """Whether the bot's own queues (comment writes, greetings) still hold work."""
        if self.bot is None:
            return False
        comments = self.bot.get_cog("Comments")
        writer = getattr(getattr(comments, "service", None), "writer", None)
        if writer is not None and writer.pending:
            return True
        welcome = self.bot.get_cog("Welcome")
        greeter = getattr(welcome, "greeter", None)
        return greeter is not None and greeter.enabled and len(greeter.queue) > 0

    @property
    def alive(self) -> bool:
        return self.task is not None and not self.task.done()

    def check_alive(self) -> None:
        """The gateway task must still run (a parse error silently ends Client.connect())."""
        if self.task is None or self.expect_stopped:
            return
        if self.task.done():
            exc = None if self.task.cancelled() else self.task.exception()
            raise AssertionError(f"the bot's gateway task ended during the test: {exc!r}") from exc

    async def stop(self) -> None:
        if self.bot is not None and not self.bot.is_closed():
            # Let handlers of events already sent finish before the database closes.
            if self.alive:
                await self.emulator.drain(timeout=2)
                with contextlib.suppress(AssertionError):
                    await wait_for(lambda: not _running(""), timeout=2)
            await self.bot.close()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self.task, timeout=10)
        self.task = None
        # Let the emulator see the close, so a restart finds the old session ended.
        with contextlib.suppress(AssertionError):
            await wait_for(lambda: not self.emulator.gateway.connections, timeout=2)

    async def restart(self, **overrides: Any) -> Any:
        """Stop and start again with the same settings (plus `overrides`) and database."""
        await self.stop()
        return await self.start(**{**self._last, **overrides})


def _running(event: str) -> bool:
    """Whether discord.py still runs handlers for `event` ("" = any event); it names them."""
    name = f"discord.py: {event}"
    return any(t.get_name().startswith(name) and not t.done() for t in asyncio.all_tasks())


READY_LINE = "Logged in as "  # the bot's on_ready log line


class BotProcess:
    """`python -m bot run` in a subprocess, configured through environment variables."""

    def __init__(self, emulator: Emulator, settings: Settings, workdir: Path) -> None:
        self.emulator = emulator
        self.settings = settings
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = workdir / "bot-process.log"
        self._identified_before = 0
        self._ready_before = 0  # READY_LINEs in the log before this life
        self._signalled = False  # this life was killed/terminated by the test
        self._code_seen = False  # the test collected this life's exit code with wait()
        self.problems: list[str] = []  # lives that ended in an unexpected way

    def environment(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SERIES_"))}
        values = self.settings.model_dump()
        for key, value in values.items():
            if value is None:
                continue
            if hasattr(value, "get_secret_value"):
                value = value.get_secret_value()
            if hasattr(value, "total_seconds"):
                value = f"{int(value.total_seconds())}s"
            if hasattr(value, "strftime") and key == "series_post_time":
                value = value.strftime("%H:%M")
            env[key.upper()] = str(value)
        env["DISCORD_TOKEN"] = self.emulator.world.token
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        env.update(extra)
        return env

    def start(self, **extra_env: str) -> None:
        self._check_exit()
        self._signalled = self._code_seen = False
        self._identified_before = self.emulator.gateway.identify_count
        self._ready_before = self.log().count(READY_LINE)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.workdir,
                env=self.environment(**extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def wait_ready(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109
        """Until the process has identified and said it is ready (its on_ready: every
        guild received, and the member chunks asked for, if the bot asks any, answered)."""

        def ready() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(
                    f"the bot process exited with {self.process.returncode}:\n{self.log()}"
                )
            identified = self.emulator.gateway.identify_count > self._identified_before
            return identified and self.log().count(READY_LINE) > self._ready_before

        await wait_for(ready, timeout=timeout, message=f"bot process not ready:\n{self.log()}")
        await self.emulator.drain()

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs (crash test)."""
        if self.process is not None and self.process.poll() is None:
            self._signalled = True
            self.process.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self._signalled = True
            self.process.send_signal(signal.SIGTERM)

    async def wait(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109
        assert self.process is not None
        await wait_for(
            lambda: self.process is not None and self.process.poll() is not None, timeout=timeout
        )
        self._code_seen = True  # the test has the exit code now: checking it is its business
        return int(self.process.returncode)

    def _check_exit(self) -> None:
        """Note a life that ended by itself with an error nobody looked at."""
        if self.process is None or self._signalled or self._code_seen:
            return
        code = self.process.poll()
        if code is not None and code != 0:
            self.problems.append(f"the bot process exited with {code} on its own")

    def finish(self) -> list[str]:
        """At teardown: check how the last life ended, then make sure it is gone."""
        self._check_exit()
        self.kill()
        if self.process is not None:
            self.process.wait(timeout=10)
        return self.problems

    def log(self) -> str:
        return self.log_path.read_text("utf-8", "replace") if self.log_path.exists() else ""

    def error_records(self) -> list[str]:
        """The log records at ERROR/CRITICAL and any traceback, each with its follow-up lines."""
        records: list[list[str]] = []
        for line in _ANSI.sub("", self.log()).splitlines():
            if _RECORD.match(line) or not records:
                records.append([line])
            else:
                records[-1].append(line)
        found = []
        for lines in records:
            header = _RECORD.match(lines[0])
            level = header.group("level") if header else ""
            if level in ("ERROR", "CRITICAL") or any(x.startswith("Traceback") for x in lines):
                found.append("\n".join(lines))
        return found
