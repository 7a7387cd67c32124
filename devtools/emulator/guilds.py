"""Login, the gateway URL, the guild, members, roles, DMs and application commands."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from devtools.emulator.http import Call, Router
from devtools.emulator.ids import Perm
from devtools.emulator.state import GuildState
from devtools.emulator.validation import (
    DiscordError,
    check_commands,
    missing_permissions,
    not_found,
)

if TYPE_CHECKING:
    from devtools.emulator.server import Emulator

Payload = dict[str, Any]
COMMAND_FIELDS = (
    "type",
    "name",
    "name_localizations",
    "description",
    "description_localizations",
    "options",
    "default_member_permissions",
    "dm_permission",
    "contexts",
    "integration_types",
    "nsfw",
)


class Guilds:
    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.world = emulator.world

    def member_update(self, user_id: str, guild_id: str | None = None) -> None:
        guild_id = guild_id or self.world.guild_id
        member = self.world.member_payload(user_id, guild_id=guild_id)
        self.emulator.dispatch("GUILD_MEMBER_UPDATE", {**member, "guild_id": guild_id})

    def change_role(
        self, actor_id: str, user_id: str, role_id: str, *, add: bool, guild_id: str | None = None
    ) -> None:
        world = self.world
        state = world.state(guild_id)
        if user_id not in state.members:
            raise not_found("Member", 10007)
        role = state.roles.get(role_id)
        if role is None:
            raise not_found("Role", 10011)
        if actor_id != state.guild.get("owner_id"):
            if not world.base_permissions(actor_id, state.id) & Perm.MANAGE_ROLES:
                raise missing_permissions()
            if role["position"] >= world.top_role_position(actor_id, state.id) or role["managed"]:
                raise missing_permissions()  # roles at or above your highest role are out of reach
        roles = state.members[user_id]["roles"]
        if add and role_id not in roles:
            roles.append(role_id)
        elif not add and role_id in roles:
            roles.remove(role_id)
        else:
            return
        self.member_update(user_id, state.id)

    def store_commands(
        self, stored: dict[str, Payload], commands: list[Payload], guild_id: str | None
    ) -> list[Payload]:
        """Bulk overwrite: keep the id of a command whose (name, type) already exists."""
        check_commands(commands)
        existing = {(c["name"], c.get("type", 1)): c for c in stored.values()}
        fresh: dict[str, Payload] = {}
        for body in commands:
            key = (body["name"], body.get("type", 1))
            previous = existing.get(key)
            command = self.command_payload(body, guild_id, previous)
            fresh[command["id"]] = command
        stored.clear()
        stored.update(fresh)
        return [copy.deepcopy(c) for c in fresh.values()]

    def command_payload(
        self, body: Payload, guild_id: str | None, previous: Payload | None
    ) -> Payload:
        world = self.world
        command: Payload = {
            "id": previous["id"] if previous else world.ids.next(),
            "application_id": world.application_id,
            "version": world.ids.next(),
            "type": body.get("type", 1),
            "name": body["name"],
            "description": body.get("description", ""),
            "options": copy.deepcopy(body.get("options") or []),
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts") or [0, 1, 2],
            "integration_types": body.get("integration_types") or [0],
            "nsfw": bool(body.get("nsfw", False)),
            "name_localizations": body.get("name_localizations"),
            "description_localizations": body.get("description_localizations"),
        }
        if previous is not None and all(previous.get(k) == command.get(k) for k in COMMAND_FIELDS):
            command["version"] = previous["version"]
        if guild_id:
            command["guild_id"] = guild_id
        return command


def register(router: Router, emulator: Emulator) -> None:
    ops = emulator.guilds
    world = emulator.world
    bot = world.application_id

    def guild(call: Call) -> GuildState:
        state = world.guild_states.get(call.param("guild_id"))
        if state is None:
            raise not_found("Guild", 10004)
        return state

    def app(call: Call) -> None:
        if call.param("application_id") != world.application_id:
            raise not_found("Application", 10002)

    async def me(call: Call) -> Any:
        return {**world.bot_user, "verified": True, "mfa_enabled": False, "flags": 0, "email": None}

    async def application(call: Call) -> Any:
        owner = world.users[world.guild["owner_id"]]
        return {
            "id": world.application_id,
            "name": "ML & DL Morocco Challenges",
            "icon": None,
            "description": "Daily challenges bot",
            "summary": "",
            "rpc_origins": [],
            "bot_public": False,
            "bot_require_code_grant": False,
            "owner": owner,
            "verify_key": "0" * 64,
            "team": None,
            "flags": emulator.application_flags,
            "tags": [],
            "redirect_uris": [],
            "approximate_guild_count": len(world.guild_states),
            "bot": world.bot_user,
        }

    async def gateway(call: Call) -> Any:
        return {"url": emulator.gateway_url}

    async def gateway_bot(call: Call) -> Any:
        return {
            "url": emulator.gateway_url,
            "shards": emulator.gateway.recommended_shards,
            "session_start_limit": dict(emulator.gateway.session_start_limit),
        }

    async def get_user(call: Call) -> Any:
        user = world.users.get(call.param("user_id"))
        if user is None:
            raise not_found("User", 10013)
        return user

    async def get_guild(call: Call) -> Any:
        state = guild(call)
        body = copy.deepcopy(state.guild)
        body["roles"] = list(state.roles.values())
        if call.query.get("with_counts") in ("true", "1"):
            body["approximate_member_count"] = len(state.members)
            body["approximate_presence_count"] = 0
        return body

    async def channels(call: Call) -> Any:
        state = guild(call)
        return [
            world.channel_payload(c["id"])
            for c in world.channels.values()
            if c["type"] not in (10, 11, 12) and c["guild_id"] == state.id
        ]

    async def roles(call: Call) -> Any:
        return list(guild(call).roles.values())

    async def create_role(call: Call) -> Any:
        state = guild(call)
        if not world.base_permissions(bot, state.id) & Perm.MANAGE_ROLES:
            raise missing_permissions()
        body = call.body
        role = world.add_role(
            body.get("name") or "new role",
            permissions=int(body.get("permissions") or 0),
            position=1,
            mentionable=bool(body.get("mentionable", False)),
            guild_id=state.id,
        )
        emulator.dispatch("GUILD_ROLE_CREATE", {"guild_id": state.id, "role": role})
        return role

    async def member(call: Call) -> Any:
        state = guild(call)
        user_id = call.param("user_id")
        if user_id not in state.members:
            raise not_found("Member", 10007)
        return world.member_payload(user_id, guild_id=state.id)

    async def members(call: Call) -> Any:
        state = guild(call)
        limit = int(call.query.get("limit", 1))
        if not 1 <= limit <= 1000:
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                {
                    "limit": {
                        "_errors": [
                            {
                                "code": "NUMBER_TYPE_MAX",
                                "message": "int value should be less than or equal to 1000.",
                            }
                        ]
                    }
                },
            )
        after = int(call.query.get("after", 0))
        chosen = sorted((u for u in state.members if int(u) > after), key=int)[:limit]
        return [world.member_payload(u, guild_id=state.id) for u in chosen]

    async def search(call: Call) -> Any:
        state = guild(call)
        query = call.query.get("query", "").lower()
        limit = int(call.query.get("limit", 1))
        found = [
            world.member_payload(u, guild_id=state.id)
            for u, m in state.members.items()
            if m["user"]["username"].lower().startswith(query)
            or (m.get("nick") or "").lower().startswith(query)
        ]
        return found[:limit]

    async def add_role(call: Call) -> Any:
        state = guild(call)
        ops.change_role(
            bot, call.param("user_id"), call.param("role_id"), add=True, guild_id=state.id
        )

    async def remove_role(call: Call) -> Any:
        state = guild(call)
        ops.change_role(
            bot, call.param("user_id"), call.param("role_id"), add=False, guild_id=state.id
        )

    async def edit_member(call: Call) -> Any:
        state = guild(call)
        user_id = call.param("user_id")
        if user_id not in state.members:
            raise not_found("Member", 10007)
        body = call.body
        if "roles" in body:
            wanted = [str(r) for r in body["roles"]]
            current = state.members[user_id]["roles"]
            for role_id in set(wanted) - set(current):
                ops.change_role(bot, user_id, role_id, add=True, guild_id=state.id)
            for role_id in set(current) - set(wanted):
                ops.change_role(bot, user_id, role_id, add=False, guild_id=state.id)
        if "nick" in body:
            state.members[user_id]["nick"] = body["nick"]
            ops.member_update(user_id, state.id)
        return world.member_payload(user_id, guild_id=state.id)

    # ---- application commands -----------------------------------------------------------
    def store_for(call: Call) -> tuple[dict[str, Payload], str | None]:
        app(call)
        guild_id = call.params.get("guild_id")
        if guild_id is None:
            return world.global_commands, None
        guild(call)
        return world.guild_commands.setdefault(guild_id, {}), guild_id

    async def list_commands(call: Call) -> Any:
        stored, _ = store_for(call)
        return [copy.deepcopy(c) for c in stored.values()]

    async def overwrite_commands(call: Call) -> Any:
        stored, guild_id = store_for(call)
        if not isinstance(call.json, list):
            raise DiscordError(
                400,
                50035,
                "Invalid Form Body",
                {"_errors": [{"code": "BASE_TYPE_ARRAY", "message": "Must be an array."}]},
            )
        return ops.store_commands(stored, call.json, guild_id)

    async def create_command(call: Call) -> Any:
        stored, guild_id = store_for(call)
        body = call.body
        check_commands([body])
        key = (body["name"], body.get("type", 1))
        previous = next((c for c in stored.values() if (c["name"], c.get("type", 1)) == key), None)
        command = ops.command_payload(body, guild_id, previous)
        if previous is not None:
            stored.pop(previous["id"], None)
        stored[command["id"]] = command
        return command

    def one(call: Call) -> tuple[dict[str, Payload], Payload, str | None]:
        stored, guild_id = store_for(call)
        command = stored.get(call.param("command_id"))
        if command is None:
            raise not_found("application command", 10063)
        return stored, command, guild_id

    async def get_command(call: Call) -> Any:
        return copy.deepcopy(one(call)[1])

    async def edit_command(call: Call) -> Any:
        stored, command, guild_id = one(call)
        merged = {**command, **call.body}
        check_commands([merged])
        updated = ops.command_payload(merged, guild_id, command)
        stored[updated["id"]] = updated
        return updated

    async def delete_command(call: Call) -> Any:
        stored, command, _ = one(call)
        del stored[command["id"]]

    async def command_permissions(call: Call) -> Any:
        store_for(call)
        return []

    router.add("GET", "/users/@me", me)
    router.add("GET", "/oauth2/applications/@me", application)
    router.add("GET", "/applications/@me", application)
    router.add("GET", "/gateway", gateway, auth=False)
    router.add("GET", "/gateway/bot", gateway_bot)
    router.add("GET", "/users/{user_id}", get_user)
    router.add("GET", "/guilds/{guild_id}", get_guild)
    router.add("GET", "/guilds/{guild_id}/channels", channels)
    router.add("GET", "/guilds/{guild_id}/roles", roles)
    router.add("POST", "/guilds/{guild_id}/roles", create_role)
    router.add("GET", "/guilds/{guild_id}/members/search", search)
    router.add("GET", "/guilds/{guild_id}/members/{user_id}", member)
    router.add("PATCH", "/guilds/{guild_id}/members/{user_id}", edit_member)
    router.add("GET", "/guilds/{guild_id}/members", members)
    router.add("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", add_role)
    router.add("DELETE", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", remove_role)
    for base in (
        "/applications/{application_id}",
        "/applications/{application_id}/guilds/{guild_id}",
    ):
        router.add("GET", base + "/commands", list_commands)
        router.add("PUT", base + "/commands", overwrite_commands)
        router.add("POST", base + "/commands", create_command)
        router.add("GET", base + "/commands/permissions", command_permissions)
        router.add("GET", base + "/commands/{command_id}", get_command)
        router.add("PATCH", base + "/commands/{command_id}", edit_command)
        router.add("DELETE", base + "/commands/{command_id}", delete_command)
