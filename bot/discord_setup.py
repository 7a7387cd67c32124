"""Where the bot meets Discord: endpoints, intents, permissions, the invite URL."""

from __future__ import annotations

from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route

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


def pace_requests(http: HTTPClient, pace: RequestPace) -> None:
    """Make every REST call of `http` wait its turn in `pace` (interaction calls excepted).

    discord.py keeps per-route buckets and waits after a global 429; this spaces the calls
    before they are sent, so a burst of due posts stays under the global limit."""
    send = http.request

    async def paced(route: Route, **kwargs: Any) -> Any:
        if not exempt(route.path):
            await pace.wait()
        return await send(route, **kwargs)

    http.request = paced  # type: ignore[method-assign]


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
