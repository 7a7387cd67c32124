"""Where the bot meets Discord: endpoints, intents, permissions, the invite URL."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.pacing import RequestPace, exempt

# What a challenge channel needs (see README → Discord setup).
CHANNEL_PERMISSIONS: dict[str, str] = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "create_public_threads": "Create Public Threads",
    "send_messages_in_threads": "Send Messages in Threads",
}
# Server-wide extras: Manage Roles only for the optional completion roles.
GUILD_PERMISSIONS: dict[str, str] = {"manage_roles": "Manage Roles"}


def apply_endpoints(api_url: str, gateway_url: str) -> None:
    """Point discord.py at Discord, the test emulator, or any compatible server.

    The only place the bot touches these class attributes (see DISCORD-EMULATION.md).
    """
    Route.BASE = api_url.rstrip("/")
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def rest_path(url: yarl.URL) -> str | None:
    """The path of `url` under the REST API base (`/channels/1/messages`), None when it is
    not a REST call (the gateway). Compared as URLs: `:443` or an upper-case host match."""
    base = yarl.URL(Route.BASE)
    prefix = base.path.rstrip("/")
    same_server = (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
    if not same_server or not url.path.startswith(prefix + "/"):
        return None
    return url.path[len(prefix) :]


def pacing_trace(pace: RequestPace) -> aiohttp.TraceConfig:
    """discord.py's HTTP trace hooks (`http_trace`), used to pace its REST calls: each call to
    the REST API waits its turn in `pace` right before it is sent (after discord.py's own
    per-route waits, retries included) and frees it when answered. The gateway connection and
    interaction calls are not paced."""
    trace = aiohttp.TraceConfig()

    async def on_start(
        session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestStartParams
    ) -> None:
        path = rest_path(params.url)
        context.paced = path is not None and not exempt(path)
        if context.paced:
            await pace.acquire()

    async def on_end(session: aiohttp.ClientSession, context: Any, params: object) -> None:
        if getattr(context, "paced", False):
            pace.release()

    trace.on_request_start.append(on_start)
    trace.on_request_end.append(on_end)
    trace.on_request_exception.append(on_end)
    return trace


def intents() -> discord.Intents:
    wanted = discord.Intents.default()
    wanted.message_content = True  # privileged: read members' replies
    wanted.members = True  # privileged: greet people who join
    return wanted


def invite_permissions() -> discord.Permissions:
    perms = discord.Permissions.none()
    for name in (*CHANNEL_PERMISSIONS, *GUILD_PERMISSIONS):
        setattr(perms, name, True)
    return perms


def invite_url(client_id: int, guild_id: int | None = None) -> str:
    guild = discord.Object(guild_id) if guild_id else discord.utils.MISSING
    return discord.utils.oauth_url(
        client_id,
        permissions=invite_permissions(),
        guild=guild,
        scopes=("bot", "applications.commands"),
    )


def missing_permissions(permissions: discord.Permissions) -> list[str]:
    """Human names of the channel permissions the bot lacks."""
    return [label for name, label in CHANNEL_PERMISSIONS.items() if not getattr(permissions, name)]


def client_id_from_token(token: str) -> int | None:
    """A bot token's first part is the base64 of the bot's user id (= the application id)."""
    import base64

    first = token.split(".", 1)[0]
    try:
        return int(base64.b64decode(first + "=" * (-len(first) % 4)).decode())
    except (ValueError, UnicodeDecodeError):
        return None
