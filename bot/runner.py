"""`challenge-bot run` and `challenge-bot invite`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

import aiohttp
import discord

from bot.discord_setup import client_id_from_token, invite_url
from bot.log import setup_logging
from bot.settings import Settings
from bot.store import StoreError

log = logging.getLogger("bot")


# Failures to reach Discord at start-up (no network yet, DNS, a 5xx): wait and try again.
UNREACHABLE = (aiohttp.ClientError, OSError, TimeoutError, discord.DiscordServerError)
RETRY_FIRST, RETRY_MAX = 2.0, 60.0


async def serve(settings: Settings) -> None:
    """Run until stopped; keep trying while Discord can't be reached."""
    from bot.bot import ChallengeBot, build_bot

    token = settings.require_token()
    stopped = asyncio.Event()
    current: list[ChallengeBot] = []
    closing: list[asyncio.Task[None]] = []

    def stop(name: str) -> None:
        # SIGTERM (systemd, docker stop) or Ctrl-C: a clean stop; the post in progress
        # finishes its step first (ChallengeBot.close).
        if stopped.is_set():
            return
        log.info("%s received: stopping", name)
        stopped.set()
        if current:
            closing.append(asyncio.create_task(current[-1].close()))

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop, signal.Signals(signum).name)
    delay = RETRY_FIRST
    while not stopped.is_set():
        try:
            async with build_bot(settings) as client:
                current.append(client)
                await client.start(token)
            break
        except UNREACHABLE as exc:
            if stopped.is_set():
                break
            log.warning(
                "Discord can't be reached (%s: %s); trying again in %.0fs",
                type(exc).__name__,
                exc,
                delay,
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), timeout=delay)
            delay = min(delay * 2, RETRY_MAX)
    for task in closing:
        await task
    log.info("Stopped")


def run(settings: Settings, args: argparse.Namespace) -> int:
    token = settings.require_token()
    setup_logging(settings.log_level, token)
    try:
        asyncio.run(serve(settings))
    except discord.LoginFailure:
        print(
            "error: DISCORD_TOKEN was refused by Discord. Reset the token in the developer "
            "portal (Bot → Reset Token) and update .env.",
            file=sys.stderr,
        )
        return 2
    except discord.PrivilegedIntentsRequired:
        print(
            "error: enable the Server Members and Message Content intents in the developer "
            "portal (Bot → Privileged Gateway Intents), then start again.",
            file=sys.stderr,
        )
        return 2
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        log.info("Stopped")
    return 0


def invite(settings: Settings, args: argparse.Namespace) -> int:
    client_id = client_id_from_token(settings.require_token())
    if client_id is None:
        print("error: DISCORD_TOKEN doesn't look like a bot token", file=sys.stderr)
        return 2
    print(invite_url(client_id, settings.guild_id))
    return 0
