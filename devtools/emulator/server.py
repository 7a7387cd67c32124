"""The emulator: an aiohttp app on 127.0.0.1 (random port) serving Discord's REST API under
`/api/v10` and the gateway websocket at `/gateway`, plus the controls tests use.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import traceback
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import web

from devtools.emulator import guilds, interactions, messages, threads
from devtools.emulator.faults import Faults, RateLimits, rate_limited
from devtools.emulator.gateway import Gateway
from devtools.emulator.http import Call, Reply, Router, json_response, read_body
from devtools.emulator.ids import ChannelKind, Clock, Intent, MessageKind, shard_of, utcnow
from devtools.emulator.recorder import Recorder, RestCall
from devtools.emulator.seed import build_default_world, populate_guild
from devtools.emulator.state import Payload, World
from devtools.emulator.validation import DiscordError

if TYPE_CHECKING:
    from devtools.emulator.actors import Actor

log = logging.getLogger("devtools.emulator")

API_PREFIX = "/api/v10"
# discord.py's ApplicationFlags: gateway_message_content_limited | gateway_guild_members_limited
APPLICATION_FLAGS = (1 << 19) | (1 << 15)


class Emulator:
    """A faithful-enough Discord for end-to-end tests. See tests/README.md."""

    def __init__(self, clock: Clock = utcnow) -> None:
        self._clock = clock
        self.world: World = build_default_world(self.now)
        self.recorder = Recorder()
        self.faults = Faults()
        self.rate_limits = RateLimits()
        self.gateway = Gateway(self)
        self.messages = messages.Messages(self)
        self.threads = threads.Threads(self)
        self.interactions = interactions.Interactions(self)
        self.guilds = guilds.Guilds(self)
        self.router = Router()
        for module in (messages, threads, interactions, guilds):
            module.register(self.router, self)
        self.application_flags = APPLICATION_FLAGS
        self.internal_errors: list[str] = []  # bugs in the emulator itself
        self.port = 0
        self._runner: web.AppRunner | None = None

    # ---- time ---------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock()

    def set_clock(self, clock: Clock) -> None:
        """Keep message timestamps and ids in step with a bot's fake clock."""
        self._clock = clock

    # ---- lifecycle ----------------------------------------------------------------------
    async def start(self) -> Emulator:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._attachment)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.world.base_url = self.base_url
        return self

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.base_url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---- REST ---------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.raw_path.split("?", 1)[0][len(API_PREFIX) :]
        method = request.method
        record = RestCall(
            method, "?", unquote(raw_path), dict(request.query), None, [], self.recorder.now()
        )
        self.recorder.calls.append(record)
        headers: dict[str, str] = {}
        try:
            found = self.router.match(method, raw_path)
            if found is None:
                raise DiscordError(404, 0, "404: Not Found")
            route, params = found
            record.route = route.template
            body, uploads = await read_body(request)
            record.json = body
            record.files = [(u.filename, u.data) for u in uploads]
            authorization = request.headers.get("Authorization")
            if route.auth and authorization != f"Bot {self.world.token}":
                raise DiscordError(401, 0, "401: Unauthorized")
            major = params.get("channel_id") or params.get("guild_id") or params.get("token") or ""
            for fault in self.faults.take(method, route.template, record.path):
                if fault.kind == "delay":
                    await asyncio.sleep(fault.seconds)
                elif fault.kind == "rate_limit":
                    raise rate_limited(fault.retry_after, scope=fault.scope, bucket="fault")
                else:
                    raise DiscordError(fault.status, fault.code, fault.message or "Error")
            headers = self.rate_limits.check(method, route.template, major)
            call = Call(
                method,
                route.template,
                record.path,
                {k: unquote(v) for k, v in params.items()},
                dict(request.query),
                body,
                uploads,
                authorization,
            )
            result = await route.handler(call)
            reply = (
                result
                if isinstance(result, Reply)
                else Reply(200 if result is not None else 204, result)
            )
        except DiscordError as exc:
            reply = Reply(exc.status, exc.body())
            headers.update(exc.headers)
        except Exception:  # a bug in the emulator: make it loud in the test
            text = traceback.format_exc()
            self.internal_errors.append(text)
            log.error("Emulator failed on %s %s\n%s", method, raw_path, text)
            reply = Reply(500, {"message": "500: Internal Server Error", "code": 0})
        record.status = reply.status
        record.response = reply.body
        return json_response(reply.status, reply.body, headers)

    async def _attachment(self, request: web.Request) -> web.StreamResponse:
        stored = self.world.files.get(request.match_info["attachment_id"])
        if stored is None:
            return web.Response(status=404)
        content_type = str(stored.attachment.get("content_type") or "application/octet-stream")
        return web.Response(body=stored.data, headers={"Content-Type": content_type})

    # ---- events -------------------------------------------------------------------------
    def dispatch(self, name: str, data: Payload) -> None:
        self.gateway.dispatch(name, data)

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the connected bot has parsed every event sent so far."""
        await self.gateway.drain(timeout)

    async def drop_gateway(self, *, code: int = 4000, abrupt: bool = False) -> None:
        await self.gateway.drop(code=code, abrupt=abrupt)

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        await self.gateway.invalidate(resumable=resumable)

    def guild_create_payload(
        self, intents: int = Intent.ALL, guild_id: str | None = None
    ) -> Payload:
        """GUILD_CREATE (of the default guild without an id). Without the presences intent
        Discord sends only the bot's own member (the client then asks for the rest with
        REQUEST_GUILD_MEMBERS)."""
        world = self.world
        state = world.state(guild_id)
        members = (
            list(state.members) if intents & Intent.GUILD_PRESENCES else [world.application_id]
        )
        body = copy.deepcopy(state.guild)
        body.update(
            {
                "roles": list(copy.deepcopy(state.roles).values()),
                "channels": [  # copied after picking (not every guild's: 1,000 guilds)
                    {k: copy.deepcopy(v) for k, v in c.items() if k != "guild_id"}
                    for c in world.channels.values()
                    if c["type"] not in ChannelKind.THREADS and c["guild_id"] == state.id
                ],
                "threads": [
                    world.channel_payload(t["id"], for_user=world.application_id)
                    for t in world.threads(archived=False, guild_id=state.id)
                ],
                "members": [world.member_payload(u, guild_id=state.id) for u in members],
                "member_count": len(state.members),
                "joined_at": state.members[world.application_id]["joined_at"],
                "large": False,
                "unavailable": False,
                "lazy": True,
                "voice_states": [],
                "presences": [],
                "stage_instances": [],
                "guild_scheduled_events": [],
                "soundboard_sounds": [],
                "embedded_activities": [],
                "application_command_counts": {},
            }
        )
        return body

    # ---- guilds -------------------------------------------------------------------------
    def add_guild(self, name: str, *, shard: tuple[int, int] | None = None) -> str:
        """Another guild built like the default one (channels, roles, the same members; no
        history); returns its id. `shard=(shard_id, shard_count)` picks an id Discord would
        route to that shard. The bot is a member: sessions already connected on its shard get
        its GUILD_CREATE, as when a bot is added to a server."""
        world = self.world
        candidate = int(world.ids.next())
        while shard is not None and shard_of(candidate, shard[1]) != shard[0]:
            candidate += 1 << 22  # a millisecond later
        world.ids.taken(candidate)  # else a later channel or guild could get this id
        guild_id = str(candidate)
        populate_guild(world, guild_id, name)
        self.gateway.guild_added(guild_id)
        return guild_id

    # ---- people -------------------------------------------------------------------------
    def member(self, name: str) -> Actor:
        from devtools.emulator.actors import Actor

        return Actor(self, self.world.member_named(name)["user"]["id"])

    @property
    def admin(self) -> Actor:
        return self.member("yasmine")

    @property
    def bot_id(self) -> str:
        return self.world.application_id

    @property
    def guild_id(self) -> str:
        return self.world.guild_id

    def channel(self, name: str, guild_id: str | None = None) -> Payload:
        """A channel by name in a guild (the default one without an id)."""
        return self.world.channel_named(name, guild_id)

    def channel_id(self, name: str, guild_id: str | None = None) -> int:
        return int(self.channel(name, guild_id)["id"])

    def role(self, name: str, guild_id: str | None = None) -> Payload:
        return self.world.role_named(name, guild_id)

    def add_member(
        self, name: str, *, roles: list[str] | None = None, announce: bool = True
    ) -> Actor:
        """A new member joins: GUILD_MEMBER_ADD (and Discord's join system message)."""
        from devtools.emulator.actors import Actor

        role_ids = [self.role(r)["id"] for r in roles or []]
        member = self.world.add_member(name, roles=role_ids)
        user_id = member["user"]["id"]
        if announce:
            self.dispatch(
                "GUILD_MEMBER_ADD",
                {**self.world.member_payload(user_id), "guild_id": self.guild_id},
            )
            system_channel = self.world.guild.get("system_channel_id")
            if system_channel:
                notice = self.world.new_message(system_channel, user_id, kind=MessageKind.USER_JOIN)
                self.world.store_message(notice)
                self.dispatch("MESSAGE_CREATE", self.messages.payload(notice))
        return Actor(self, user_id)

    def join(self, name: str, *, roles: list[str] | None = None) -> Actor:
        """Same as `add_member`: somebody joins the server."""
        return self.add_member(name, roles=roles)

    def add_members(self, count: int, *, prefix: str = "newcomer") -> list[Actor]:
        """N members joining at once (a raid or a class signing up)."""
        start = len(self.world.members)
        return [self.add_member(f"{prefix}{start + i}") for i in range(count)]

    def open_day_thread(self, day: int, *, archived: bool = False) -> str:
        """What the series posting leaves behind: a bot post in #challenges and its thread,
        which the bot has joined. Returns the thread id."""
        world = self.world
        challenges = self.channel("challenges")["id"]
        starter = world.store_message(
            world.new_message(challenges, self.bot_id, content=f"Day {day}")
        )
        thread = world.add_thread(
            challenges, f"Day {day}", owner_id=self.bot_id, thread_id=starter.id, archived=archived
        )
        world.add_thread_member(thread["id"], self.bot_id)
        return str(thread["id"])

    def set_role(self, name: str, role: str, *, present: bool = True) -> None:
        """An admin changes a member's roles in Discord's UI: GUILD_MEMBER_UPDATE."""
        user_id = self.world.member_named(name)["user"]["id"]
        owner = self.world.guild["owner_id"]
        self.guilds.change_role(owner, user_id, self.role(role)["id"], add=present)

    # ---- inspection ---------------------------------------------------------------------
    def history(self, channel: str | int | Payload) -> list[Payload]:
        """Messages of a channel or thread, oldest first, as Discord payloads."""
        channel_id = self.resolve_channel(channel)
        return [self.messages.payload(m) for m in self.world.history(channel_id)]

    def bot_messages(self, channel: str | int | Payload | None = None) -> list[Payload]:
        """Messages the bot posted (not interaction responses' ephemeral ones), oldest first."""
        found = []
        channel_ids = (
            [self.resolve_channel(channel)] if channel is not None else list(self.world.messages)
        )
        for channel_id in channel_ids:
            for message in self.world.history(channel_id):
                if message.data["author"]["id"] == self.bot_id and message.data["type"] in (
                    MessageKind.DEFAULT,
                    MessageKind.REPLY,
                    MessageKind.CHAT_INPUT_COMMAND,
                ):
                    found.append(self.messages.payload(message))
        return sorted(found, key=lambda m: int(m["id"]))

    def threads_of(self, channel: str | int | Payload) -> list[Payload]:
        parent = self.resolve_channel(channel)
        return [t for t in self.world.threads() if t["parent_id"] == parent]

    def file(self, attachment: Payload) -> bytes:
        return self.world.files[str(attachment["id"])].data

    def resolve_channel(self, channel: Any) -> str:
        """A channel name, id, payload or discord.py object → the channel id."""
        if isinstance(channel, dict):
            return str(channel["id"])
        if isinstance(channel, int):
            return str(channel)
        if isinstance(channel, str):
            if channel.isdigit():
                return channel
            return str(self.channel(channel.lstrip("#"))["id"])
        if hasattr(channel, "id"):
            return str(channel.id)
        raise TypeError(f"not a channel: {channel!r}")
