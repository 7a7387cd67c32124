"""Security: every admin command refuses members (found by walking the command tree, so a new
one can't slip through), the token never reaches the logs, and exports, erasure and buttons
only work for the right people."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.log import RedactFilter
from cogs.meta import checked_permissions
from devtools.emulator import Emulator, wait_for
from devtools.emulator.actors import Actor
from devtools.emulator.ids import Perm
from devtools.emulator.runner import REPO, BotRunner
from devtools.emulator.support import EmulatorUsageError
from tests.timing import far_ahead

pytestmark = pytest.mark.e2e

DAYS = REPO / "tests" / "fixtures" / "days"
# Commands anyone may run. Every other command must be refused to members at run time: a new
# command fails `test_every_admin_command_refuses_members` until it is gated or listed here.
MEMBER_COMMANDS = {
    "about",
    "challenge day",
    "challenge today",
    "comments day",
    "forgetme",
    "help",
    "keyword",
    "keywords",
    "language",
    "leaderboard",
    "mydata",
    "search",
    "stats",
    "streak",
}
KNOWN_ADMIN_COMMANDS = {
    "challenge channel",
    "challenge language",
    "challenge new-edition",
    "challenge pause",
    "challenge post",
    "challenge preview",
    "challenge rehearse",
    "challenge rehearse-clear",
    "challenge reschedule",
    "challenge resume",
    "challenge skip",
    "challenge status",
    "comments export",
}
REFUSAL = "You need the Manage Server permission for that."
# Option values chosen to do the most damage if a check were missing.
OPTION_VALUES: dict[str, Any] = {
    "start": "2020-01-01",
    "time": "09:00",
    "interval": "1s",
    "number": 1,
    "day": 1,
    "to": "challenges-forum",
    "channel": "general",
    "language": "ar",
}
TOKEN = "MTEyMzU4MTMyMTM0NTU4OTE0NA.GsEcRt.distinctive-Secret_Token-0123456789abcdef"


# --- walking the tree -------------------------------------------------------------------------


def leaves(tree: app_commands.CommandTree) -> Iterator[tuple[app_commands.Command, bool, bool]]:
    """(command, needs Manage Server by default permissions, needs it by a runtime check)."""

    def walk(
        command: app_commands.Command | app_commands.Group,
        inherited: discord.Permissions | None,
        checked: bool,
    ) -> Iterator[tuple[app_commands.Command, bool, bool]]:
        default = command.default_permissions or inherited
        checked = checked or checked_permissions(command).manage_guild
        if isinstance(command, app_commands.Group):
            for child in command.commands:
                yield from walk(child, default, checked)
        else:
            yield command, bool(default and default.manage_guild), checked

    for command in tree.get_commands(type=discord.AppCommandType.chat_input):
        yield from walk(command, None, False)  # type: ignore[arg-type]


def options_for(emulator: Emulator, qualified_name: str) -> dict[str, Any]:
    """A value for every option of the synced command (all of them, not just required)."""
    words = qualified_name.split()
    command = next(
        c for c in emulator.world.commands_for(emulator.guild_id) if c["name"] == words[0]
    )
    schema = command.get("options") or []
    for word in words[1:]:
        schema = next(o for o in schema if o["name"] == word).get("options") or []
    values: dict[str, Any] = {}
    for option in schema:
        name, kind = option["name"], option["type"]
        if option.get("choices"):
            values[name] = option["choices"][0]["value"]
        elif name in OPTION_VALUES:
            values[name] = OPTION_VALUES[name]
        elif kind == 3:
            values[name] = "deep learning"
        elif kind in (4, 10):
            values[name] = max(1, option.get("min_value", 1))
        elif kind == 5:
            values[name] = True
        elif kind in (6, 9):
            values[name] = "youssef"
        elif kind == 7:
            values[name] = "challenges"
        elif kind == 8:
            values[name] = "Challengers"
        else:
            raise AssertionError(f"/{qualified_name}: no test value for option type {kind}")
    return values


@contextlib.contextmanager
def bypassing_client_hiding() -> Iterator[None]:
    """Send a command even if Discord's client would hide it (default_member_permissions):
    proves the bot's own runtime check refuses, not just the client."""
    original = Actor._visible
    Actor._visible = lambda self, command, channel_id: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        Actor._visible = original  # type: ignore[method-assign]


async def snapshot(bot: Any) -> dict[str, list[tuple[Any, ...]]]:
    tables = await bot.db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE '%fts%' ORDER BY name"
    )
    found = {}
    for (name,) in tables:
        found[name] = [tuple(r) for r in await bot.db.fetchall(f'SELECT * FROM "{name}"')]
    return found


async def test_every_admin_command_refuses_members(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await bot_runner.start(series_start=far_ahead(), series_dir=DAYS)
    walked = list(leaves(bot.tree))
    names = {c.qualified_name for c, _, _ in walked}
    assert names >= MEMBER_COMMANDS, f"member commands gone: {MEMBER_COMMANDS - names}"
    for command, by_default, by_check in walked:
        if by_default:
            assert by_check, f"/{command.qualified_name} hides itself but has no runtime check"
        if command.qualified_name not in MEMBER_COMMANDS:
            assert by_check, (
                f"/{command.qualified_name} is not a member command but has no "
                "has_permissions(manage_guild=True) check (or add it to MEMBER_COMMANDS)"
            )
    admin_commands = sorted(c.qualified_name for c, _, checked in walked if checked)
    assert set(admin_commands) >= KNOWN_ADMIN_COMMANDS, admin_commands
    for command, by_default, by_check in walked:
        if by_check:  # /help hides it from members, and so does Discord for a top-level one
            assert by_default, f"/{command.qualified_name} doesn't declare default_permissions"
    # What Discord got: a top-level command made only of admin commands is hidden from members
    # (Manage Server); one with member subcommands must stay visible to everyone.
    synced = {c["name"]: c for c in emulator.world.commands_for(emulator.guild_id)}
    for top in {name.split()[0] for name in names}:
        declared = synced[top].get("default_member_permissions")
        if all(checked for c, _, checked in walked if c.qualified_name.split()[0] == top):
            assert declared is not None and int(declared) & Perm.MANAGE_GUILD, (top, declared)
        else:
            assert declared is None, f"/{top} has member subcommands but is hidden: {declared}"

    amina = emulator.member("amina")
    posted_before = len(emulator.bot_messages())
    refused, hidden = [], []
    for hide in (False, True):
        if hide:
            # Server admins may also hide whole commands from members (Integrations settings;
            # the emulator then refuses to send them): the runtime check must still refuse.
            for command in emulator.world.commands_for(emulator.guild_id):
                if command["name"] in {name.split()[0] for name in admin_commands}:
                    command["default_member_permissions"] = str(Perm.MANAGE_GUILD)
        for name in admin_commands:
            options = options_for(emulator, name)
            before = await snapshot(bot)
            calls = len(emulator.recorder.calls)
            try:
                answer = await amina.runs(name, with_options=options)
            except EmulatorUsageError as exc:
                assert hide and "hidden" in str(exc), exc
                hidden.append(name)
                with bypassing_client_hiding():
                    answer = await amina.runs(name, with_options=options)
            assert answer.ephemeral and answer.text == REFUSAL, f"/{name}: {answer!r}"
            side = [
                f"{c.method} {c.path}"
                for c in emulator.recorder.calls[calls:]
                if c.bot and not c.path.startswith(("/interactions/", "/webhooks/"))
            ]
            assert side == [], f"/{name} touched Discord before refusing: {side}"
            await bot.get_cog("Comments").service.writer.flush()
            assert await snapshot(bot) == before, f"/{name} changed the database"
            refused.append(name)
    assert refused == admin_commands * 2 and hidden == admin_commands
    assert len(emulator.bot_messages()) == posted_before  # no post, no thread message
    print(f"\n{len(admin_commands)} admin commands refused to a member, shown and hidden")


# --- the token -------------------------------------------------------------------------------


def test_redact_filter_hides_the_token_in_messages_arguments_and_tracebacks() -> None:
    records = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    handler = Keep()
    handler.setFormatter(discord.utils._ColourFormatter())
    handler.addFilter(RedactFilter(TOKEN))
    logger = logging.getLogger("tests.redact")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(f"plain {TOKEN}")
        logger.warning("argument %s and %r", TOKEN, {"token": TOKEN})
        try:
            raise RuntimeError(f"login failed for {TOKEN}")
        except RuntimeError:
            logger.exception("with a traceback")
        logger.error("stack", stack_info=True, extra={"token": TOKEN})
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert len(records) == 4
    for text in records:
        assert TOKEN not in text and TOKEN.split(".")[-1] not in text, text
    assert "[token hidden]" in records[0] and "login failed for [token hidden]" in records[2]


async def test_the_token_never_reaches_the_logs(
    bot_process: Any, emulator: Emulator, tmp_path: Path
) -> None:
    emulator.world.token = TOKEN  # the emulator accepts only this token now
    process = bot_process(
        log_level="DEBUG", series_start=(datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    )
    process.start(LOG_LEVEL="DEBUG")
    await process.wait_ready()
    # Someone pastes the token in a channel: discord.py logs every gateway event at DEBUG, so
    # the token really goes through the logging handlers and only the filter can hide it.
    await emulator.member("amina").says("general", f"is this the bot token? {TOKEN}")
    answer = await emulator.member("amina").runs("keyword", term="deep learning")
    assert "Deep Learning" in answer.text
    await emulator.drop_gateway()  # RESUME sends the token again
    await wait_for(lambda: emulator.gateway.resume_count >= 1, timeout=10)
    await wait_for(lambda: emulator.bot_messages("challenges"), timeout=15)  # day 1 posted
    process.terminate()
    await process.wait()
    log = process.log()
    assert "DEBUG" in log and "IDENTIFY" in log.upper()  # really at debug level
    assert "is this the bot token? [token hidden]" in log  # the pasted token was logged, hidden
    for secret in (TOKEN, *TOKEN.split(".")):
        assert secret not in log, f"the token leaked into the log: {secret}"
    sys.stdout.write(f"\nbot log: {len(log.splitlines())} lines at DEBUG, no token\n")


# --- exports, erasure, buttons ----------------------------------------------------------------


async def day_one_thread(bot: Any, emulator: Emulator) -> str:
    async def posted() -> int | None:
        rows = await bot.series.rows(bot.settings.guild_id)
        return rows[0].thread_id if rows and rows[0].thread_id else None

    return str(await wait_for(posted, timeout=10))


async def recorded(bot: Any, message: dict[str, Any]) -> bool:
    service = bot.get_cog("Comments").service
    await service.writer.flush()
    rows = await bot.db.fetchall(
        "SELECT message_id FROM comments WHERE message_id = ?", (int(message["id"]),)
    )
    return bool(rows)


async def test_exports_and_erasure_only_for_the_right_people(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    start = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    bot = await bot_runner.start(series_dir=DAYS, series_start=start, answer_delay="1d")
    thread = await day_one_thread(bot, emulator)
    amina, youssef = emulator.member("amina"), emulator.member("youssef")
    mine = [await amina.says(thread, f"amina {i}") for i in range(3)]
    theirs = [await youssef.says(thread, f"youssef {i}") for i in range(2)]
    await wait_for(lambda: recorded(bot, theirs[-1]))
    await wait_for(lambda: recorded(bot, mine[-1]))

    refused = await youssef.runs("comments export")
    assert refused.ephemeral and refused.text == REFUSAL and not refused.files
    export = await emulator.admin.runs("comments export", format="json")
    assert export.ephemeral and len(export.files) == 1
    assert b"amina 0" in export.files[0].data and b"youssef 1" in export.files[0].data

    prompt = await amina.runs("forgetme")
    assert prompt.ephemeral and [b["label"] for b in prompt.buttons()] == ["Confirm", "Cancel"]
    stranger = await youssef.clicks(prompt.message, "Confirm")
    assert stranger.ephemeral and "belong to whoever ran the command" in stranger.text
    assert await recorded(bot, mine[0])  # nothing erased by the stranger's click
    done = await prompt.click("Confirm")
    assert "3 stored comment(s) erased" in done.content
    assert not any([await recorded(bot, m) for m in mine])
    assert all([await recorded(bot, m) for m in theirs])  # only the invoker's data

    later = await amina.says(thread, "after forgetme")
    await emulator.drain()
    await bot.get_cog("Comments").service.writer.flush()
    assert not await recorded(bot, later)
    mydata = await youssef.runs("mydata")
    assert mydata.ephemeral and "youssef 0" in mydata.files[0].data.decode()
    assert "amina" not in mydata.files[0].data.decode()
    assert emulator.recorder.pinging() == []
