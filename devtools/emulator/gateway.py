"""The gateway websocket: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE, RESUME with
replay of missed events, INVALID_SESSION, REQUEST_GUILD_MEMBERS → GUILD_MEMBERS_CHUNK.

Sharding: an IDENTIFY with `shard: [shard_id, shard_count]` gets only the guilds with
`(guild_id >> 22) % shard_count == shard_id` (in READY and as GUILD_CREATE) and only their
events; events without a guild (DMs) go to shard 0. Two sessions on the same shard both get
them. Without `shard`, a session gets every guild (shard 0 of 1).

Frames are plain JSON text (the client accepts them whatever compression it asked for).
https://discord.com/developers/docs/events/gateway
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from devtools.emulator.ids import Intent, shard_of
from devtools.emulator.recorder import GatewayEvent

if TYPE_CHECKING:
    from devtools.emulator.server import Emulator

log = logging.getLogger("devtools.emulator.gateway")

Payload = dict[str, Any]

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 8, 9, 10, 11
HEARTBEAT_INTERVAL_MS = 41_250

# Which intent an event needs (guild events; DM variants handled in `_wanted`).
EVENT_INTENTS = {
    "GUILD_CREATE": Intent.GUILDS,
    "CHANNEL_CREATE": Intent.GUILDS,
    "CHANNEL_UPDATE": Intent.GUILDS,
    "CHANNEL_DELETE": Intent.GUILDS,
    "CHANNEL_PINS_UPDATE": Intent.GUILDS,
    "THREAD_CREATE": Intent.GUILDS,
    "THREAD_UPDATE": Intent.GUILDS,
    "THREAD_DELETE": Intent.GUILDS,
    "THREAD_LIST_SYNC": Intent.GUILDS,
    "THREAD_MEMBER_UPDATE": Intent.GUILDS,
    "GUILD_ROLE_CREATE": Intent.GUILDS,
    "GUILD_ROLE_UPDATE": Intent.GUILDS,
    "GUILD_MEMBER_ADD": Intent.GUILD_MEMBERS,
    "GUILD_MEMBER_UPDATE": Intent.GUILD_MEMBERS,
    "GUILD_MEMBER_REMOVE": Intent.GUILD_MEMBERS,
    "THREAD_MEMBERS_UPDATE": Intent.GUILD_MEMBERS,
    "MESSAGE_CREATE": Intent.GUILD_MESSAGES,
    "MESSAGE_UPDATE": Intent.GUILD_MESSAGES,
    "MESSAGE_DELETE": Intent.GUILD_MESSAGES,
    "MESSAGE_DELETE_BULK": Intent.GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": Intent.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": Intent.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE_ALL": Intent.GUILD_MESSAGE_REACTIONS,
}
DM_INTENTS = {
    Intent.GUILD_MESSAGES: Intent.DIRECT_MESSAGES,
    Intent.GUILD_MESSAGE_REACTIONS: Intent.DIRECT_MESSAGE_REACTIONS,
}


@dataclass
class Connection:
    ws: web.WebSocketResponse
    outbox: asyncio.Queue[Payload | None] = field(default_factory=asyncio.Queue)
    heartbeats: int = 0
    heartbeat_seen: asyncio.Event = field(default_factory=asyncio.Event)
    writer: asyncio.Task[None] | None = None
    closed_by_server: bool = False


@dataclass
class Session:
    id: str
    intents: int
    seq: int = 0
    log: list[Payload] = field(default_factory=list)  # every dispatch, for RESUME replay
    connection: Connection | None = None
    ended: bool = False
    resumes: int = 0
    ready: bool = False  # GUILD_CREATE sent (and members chunked if asked)
    shard: tuple[int, int] | None = None  # (shard_id, shard_count) from IDENTIFY
    unchunked: set[str] = field(default_factory=set)  # guilds whose members weren't asked

    def owns(self, guild_id: str | None) -> bool:
        """Whether Discord routes this guild's events (None: DMs) to this session."""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        return shard_id == 0 if guild_id is None else shard_of(guild_id, count) == shard_id


class Gateway:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.identify_count = 0
        self.resume_count = 0
        self.privileged_intents = Intent.PRIVILEGED  # what the developer portal allows
        self.recommended_shards = 1  # GET /gateway/bot "shards"
        self.session_start_limit: Payload = {
            "total": 1000,
            "remaining": 999,
            "reset_after": 14_400_000,
            "max_concurrency": 1,
        }
        # Guilds one shard may hold before IDENTIFY is refused with 4011 (None: no limit;
        # Discord's is 2500).
        self.max_guilds_per_shard: int | None = None

    @property
    def live_sessions(self) -> list[Session]:
        return [s for s in self.sessions.values() if not s.ended]

    @property
    def connected_sessions(self) -> list[Session]:
        return [s for s in self.live_sessions if s.connection is not None]

    # ---- connection lifecycle -----------------------------------------------------------
    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        connection = Connection(ws)
        connection.writer = asyncio.create_task(self._write(connection))
        self.connections.append(connection)
        session: Session | None = None
        self._send(connection, {"op": OP_HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}})
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                payload = json.loads(message.data)
                self.emulator.recorder.received.append(payload)
                session = await self._receive(connection, session, payload) or session
        finally:
            self.connections.remove(connection)
            connection.outbox.put_nowait(None)
            if session is not None and session.connection is connection:
                session.connection = None
                if ws.close_code in (1000, 1001) and not connection.closed_by_server:
                    # A clean close invalidates the session, as on Discord. (discord.py's
                    # Client.close() usually ends up sending 4000: the session stays resumable.)
                    session.ended = True
        return ws

    async def _write(self, connection: Connection) -> None:
        while True:
            payload = await connection.outbox.get()
            if payload is None or connection.ws.closed:
                return
            try:
                await connection.ws.send_str(json.dumps(payload))
            except (ConnectionError, RuntimeError):
                return

    def _send(self, connection: Connection, payload: Payload) -> None:
        connection.outbox.put_nowait(payload)

    async def _receive(
        self, connection: Connection, session: Session | None, payload: Payload
    ) -> Session | None:
        op, data = payload.get("op"), payload.get("d")
        if op == OP_HEARTBEAT:
            connection.heartbeats += 1
            connection.heartbeat_seen.set()
            self._send(connection, {"op": OP_HEARTBEAT_ACK})
        elif op == OP_IDENTIFY:
            return await self._identify(connection, data)
        elif op == OP_RESUME:
            return await self._resume(connection, data)
        elif op == OP_REQUEST_MEMBERS and session is not None:
            self._chunk_members(session, data)
        return None

    def _refusal(self, data: Payload) -> tuple[int, bytes] | None:
        """Why Discord would close the connection at this IDENTIFY (code, reason), if it would."""
        if data.get("token") != self.emulator.world.token:
            return 4004, b"Authentication failed."
        if int(data.get("intents", 0)) & Intent.PRIVILEGED & ~self.privileged_intents:
            return 4014, b"Disallowed intent(s)."
        shard = data.get("shard", [0, 1])
        valid = (
            isinstance(shard, list)
            and len(shard) == 2
            and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
            and 0 <= shard[0] < shard[1]
        )
        if not valid:
            return 4010, b"Invalid shard."
        if self.max_guilds_per_shard is not None:
            held = sum(
                1 for g in self.emulator.world.guild_states if shard_of(g, shard[1]) == shard[0]
            )
            if held > self.max_guilds_per_shard:
                return 4011, b"Sharding required."
        return None

    async def _identify(self, connection: Connection, data: Payload) -> Session | None:
        refusal = self._refusal(data)
        if refusal is not None:
            connection.closed_by_server = True
            await connection.ws.close(code=refusal[0], message=refusal[1])
            return None
        intents = int(data.get("intents", 0))
        self.identify_count += 1
        session = Session(id=secrets.token_hex(16), intents=intents)
        if "shard" in data:
            session.shard = (data["shard"][0], data["shard"][1])
        self.sessions[session.id] = session
        session.connection = connection
        world = self.emulator.world
        owned = [g for g in world.guild_states if session.owns(g)]
        ready = {
            "v": 10,
            "user": {**world.bot_user, "verified": True, "mfa_enabled": False, "flags": 0},
            "guilds": [{"id": g, "unavailable": True} for g in owned],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.emulator.gateway_url,
            "application": {"id": world.application_id, "flags": self.emulator.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "guild_join_requests": [],
        }
        if "shard" in data:
            ready["shard"] = data["shard"]
        self._dispatch_to(session, "READY", ready)
        for guild_id in owned:
            self._dispatch_to(
                session, "GUILD_CREATE", self.emulator.guild_create_payload(intents, guild_id)
            )
        if intents & Intent.GUILD_MEMBERS:
            session.unchunked = set(owned)
        session.ready = not session.unchunked
        return session

    async def _resume(self, connection: Connection, data: Payload) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or session.ended or data.get("token") != self.emulator.world.token:
            self._send(connection, {"op": OP_INVALID_SESSION, "d": False})
            return None
        self.resume_count += 1
        session.resumes += 1
        session.connection = connection
        after = int(data.get("seq") or 0)
        for payload in session.log:
            if payload["s"] > after:
                self._send(connection, payload)
        self._dispatch_to(session, "RESUMED", {})
        return session

    def _chunk_members(self, session: Session, data: Payload) -> None:
        world = self.emulator.world
        guild_id = str(data.get("guild_id") or world.guild_id)
        if guild_id not in world.guild_states:
            return
        query = (data.get("query") or "").lower()
        limit = int(data.get("limit") or 0)
        wanted = {str(u) for u in data.get("user_ids") or []}
        members = []
        for user_id in world.state(guild_id).members:
            member = world.member_payload(user_id, guild_id=guild_id)
            if wanted and user_id not in wanted:
                continue
            if query and not member["user"]["username"].lower().startswith(query):
                continue
            members.append(member)
        if limit:
            members = members[:limit]
        chunks = [members[i : i + 1000] for i in range(0, len(members), 1000)] or [[]]
        for index, chunk in enumerate(chunks):
            body: Payload = {
                "guild_id": guild_id,
                "members": chunk,
                "chunk_index": index,
                "chunk_count": len(chunks),
            }
            if data.get("nonce") is not None:
                body["nonce"] = data["nonce"]
            if wanted:
                found = {m["user"]["id"] for m in members}
                body["not_found"] = sorted(wanted - found)
            self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", body)
        session.unchunked.discard(guild_id)
        session.ready = not session.unchunked

    # ---- dispatch -----------------------------------------------------------------------
    def _dispatch_to(self, session: Session, name: str, data: Payload) -> None:
        session.seq += 1
        payload = {"op": OP_DISPATCH, "t": name, "s": session.seq, "d": data}
        if name not in ("READY", "RESUMED"):
            session.log.append(payload)
        self.emulator.recorder.events.append(
            GatewayEvent(session.seq, name, data, session.id, self.emulator.recorder.now())
        )
        if session.connection is not None:
            self._send(session.connection, payload)

    def dispatch(self, name: str, data: Payload) -> None:
        """Send an event to every live session that subscribed to it (by intents)."""
        for session in self.live_sessions:
            if self._wanted(session, name, data):
                self._dispatch_to(session, name, self._visible(session, name, copy.deepcopy(data)))

    def guild_added(self, guild_id: str) -> None:
        """The bot joined a guild: GUILD_CREATE to the sessions of its shard."""
        for session in self.live_sessions:
            if session.owns(guild_id) and session.intents & Intent.GUILDS:
                body = self.emulator.guild_create_payload(session.intents, guild_id)
                self._dispatch_to(session, "GUILD_CREATE", body)

    def _wanted(self, session: Session, name: str, data: Payload) -> bool:
        if not session.owns(data.get("guild_id")):
            return False
        needed = EVENT_INTENTS.get(name)
        if needed is None:
            return True
        if "guild_id" not in data and needed in DM_INTENTS:
            needed = DM_INTENTS[needed]
        return bool(session.intents & needed)

    def _visible(self, session: Session, name: str, data: Payload) -> Payload:
        """Without MESSAGE_CONTENT, Discord blanks content of messages not for the bot."""
        if (
            name not in ("MESSAGE_CREATE", "MESSAGE_UPDATE")
            or session.intents & Intent.MESSAGE_CONTENT
        ):
            return data
        world = self.emulator.world
        author = (data.get("author") or {}).get("id")
        mentioned = any(u.get("id") == world.application_id for u in data.get("mentions") or [])
        in_dm = data.get("channel_id") in world.dm_channels
        if author != world.application_id and not mentioned and not in_dm:
            for key, empty in (
                ("content", ""),
                ("embeds", []),
                ("attachments", []),
                ("components", []),
            ):
                if key in data:
                    data[key] = empty
        return data

    # ---- test controls ------------------------------------------------------------------
    async def drop(self, *, code: int = 4000, abrupt: bool = False) -> None:
        """Close every bot connection so the client reconnects and RESUMEs."""
        for session in self.sessions.values():
            # Events from now on wait in the session log until the client RESUMEs.
            if session.connection is not None:
                session.connection = None
        for connection in list(self.connections):
            connection.closed_by_server = True
            if abrupt:
                transport = connection.ws._req.transport if connection.ws._req else None
                if transport is not None:
                    transport.abort()
            else:
                await connection.ws.close(code=code, message=b"Emulator dropped the connection")

    async def invalidate(self, *, resumable: bool = False) -> None:
        """Send INVALID_SESSION: the client must IDENTIFY again (a new session)."""
        for session in self.connected_sessions:
            if not resumable:
                session.ended = True
            assert session.connection is not None
            self._send(session.connection, {"op": OP_INVALID_SESSION, "d": resumable})

    async def reconnect_request(self) -> None:
        """Op 7 RECONNECT: the client closes and resumes."""
        for session in self.connected_sessions:
            assert session.connection is not None
            self._send(session.connection, {"op": OP_RECONNECT, "d": None})

    async def drain(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until every connected client has read everything sent so far.

        The client answers a server HEARTBEAT in order with the events before it, so once its
        heartbeat comes back, every earlier event was parsed and its listeners scheduled.
        """
        for session in self.connected_sessions:
            connection = session.connection
            if connection is None:
                continue
            seen = connection.heartbeats
            self._send(connection, {"op": OP_HEARTBEAT, "d": session.seq})
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    while connection.heartbeats == seen and not connection.ws.closed:
                        connection.heartbeat_seen.clear()
                        await connection.heartbeat_seen.wait()
        await asyncio.sleep(0)

    async def close(self) -> None:
        for connection in list(self.connections):
            await connection.ws.close(code=1001)
            if connection.writer:
                connection.writer.cancel()
