"""The emulator's sharding, seen by a bare gateway client: guilds and their events go only
to the session(s) of their shard, bad shards are refused, /gateway/bot is configurable."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest

from devtools.emulator import Emulator, wait_for
from devtools.emulator.ids import Intent, shard_of

pytestmark = pytest.mark.e2e

INTENTS = Intent.GUILDS | Intent.GUILD_MESSAGES | Intent.MESSAGE_CONTENT


class RawSession:
    """A minimal gateway client: IDENTIFY, then collect the dispatches."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.close_code: int | None = None
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                payload = json.loads(message.data)
                if payload.get("op") == 0:
                    self.events.append((payload["t"], payload["d"]))
        self.close_code = self.ws.close_code

    def named(self, name: str) -> list[dict[str, Any]]:
        return [data for event, data in self.events if event == name]

    def guild_ids(self) -> set[str]:
        return {g["id"] for g in self.named("GUILD_CREATE")}


async def identify(
    http: aiohttp.ClientSession, emulator: Emulator, shard: list[int] | None = None
) -> RawSession:
    ws = await http.ws_connect(emulator.gateway_url)
    hello = await ws.receive_json()
    assert hello["op"] == 10
    data: dict[str, Any] = {"token": emulator.world.token, "intents": INTENTS, "properties": {}}
    if shard is not None:
        data["shard"] = shard
    await ws.send_json({"op": 2, "d": data})
    return RawSession(ws)


@pytest.fixture
async def http() -> Any:
    async with aiohttp.ClientSession() as session:
        yield session


def two_guilds(emulator: Emulator) -> tuple[str, str]:
    """The default guild and a second one on the other shard of two."""
    first = emulator.guild_id
    second = emulator.add_guild("Data Science Rabat", shard=(1 - shard_of(first, 2), 2))
    return first, second


async def test_guilds_and_messages_go_to_their_shard(http: Any, emulator: Emulator) -> None:
    first, second = two_guilds(emulator)
    mine, theirs = shard_of(first, 2), shard_of(second, 2)
    owner = await identify(http, emulator, [mine, 2])
    other = await identify(http, emulator, [theirs, 2])
    await wait_for(lambda: owner.named("GUILD_CREATE") and other.named("GUILD_CREATE"))

    assert owner.guild_ids() == {first} and other.guild_ids() == {second}
    ready = owner.named("READY")[0]
    assert ready["shard"] == [mine, 2] and [g["id"] for g in ready["guilds"]] == [first]
    created = other.named("GUILD_CREATE")[0]
    assert {c["name"] for c in created["channels"]} >= {"general", "challenges", "welcome"}
    assert {r["name"] for r in created["roles"]} >= {"@everyone", "Challengers"}

    amina = emulator.member("amina")
    await amina.says("general", "in the first guild", drain=False)
    await amina.says(emulator.channel("general", second), "in the second guild", drain=False)
    await emulator.drain()
    await wait_for(lambda: owner.named("MESSAGE_CREATE") and other.named("MESSAGE_CREATE"))
    assert [m["content"] for m in owner.named("MESSAGE_CREATE")] == ["in the first guild"]
    assert [m["content"] for m in other.named("MESSAGE_CREATE")] == ["in the second guild"]
    assert other.named("MESSAGE_CREATE")[0]["guild_id"] == second


async def test_without_shard_a_session_gets_every_guild(http: Any, emulator: Emulator) -> None:
    first, second = two_guilds(emulator)
    session = await identify(http, emulator)
    await wait_for(lambda: len(session.named("GUILD_CREATE")) == 2)
    assert session.guild_ids() == {first, second}
    assert "shard" not in session.named("READY")[0]


async def test_two_sessions_on_one_shard_both_get_its_events(http: Any, emulator: Emulator) -> None:
    shard = [shard_of(emulator.guild_id, 2), 2]
    one, two = await identify(http, emulator, shard), await identify(http, emulator, shard)
    await wait_for(lambda: one.named("GUILD_CREATE") and two.named("GUILD_CREATE"))
    await emulator.member("amina").says("general", "hello twice")
    await wait_for(lambda: one.named("MESSAGE_CREATE") and two.named("MESSAGE_CREATE"))


@pytest.mark.parametrize("shard", [[2, 2], [0, 0], [-1, 2], ["0", "1"], [0]])
async def test_an_invalid_shard_is_refused(http: Any, emulator: Emulator, shard: Any) -> None:
    session = await identify(http, emulator, shard)
    await asyncio.wait_for(session.reader, timeout=5)
    assert session.close_code == 4010
    assert session.events == []


async def test_sharding_required_only_past_a_configured_threshold(
    http: Any, emulator: Emulator
) -> None:
    two_guilds(emulator)
    unsharded = await identify(http, emulator)
    await wait_for(lambda: len(unsharded.named("GUILD_CREATE")) == 2)  # default: no limit

    emulator.gateway.max_guilds_per_shard = 1
    refused = await identify(http, emulator)
    await asyncio.wait_for(refused.reader, timeout=5)
    assert refused.close_code == 4011
    sharded = await identify(http, emulator, [0, 2])
    await wait_for(lambda: sharded.named("GUILD_CREATE"))


async def test_gateway_bot_recommends_the_configured_shards(http: Any, emulator: Emulator) -> None:
    emulator.gateway.recommended_shards = 4
    emulator.gateway.session_start_limit["max_concurrency"] = 2
    headers = {"Authorization": f"Bot {emulator.world.token}"}
    async with http.get(emulator.api_url + "/gateway/bot", headers=headers) as response:
        body = await response.json()
    assert body["shards"] == 4
    assert body["session_start_limit"]["max_concurrency"] == 2
    assert body["url"] == emulator.gateway_url


async def test_member_events_of_the_second_guild(http: Any, emulator: Emulator) -> None:
    _, second = two_guilds(emulator)
    everything = Intent.GUILDS | Intent.GUILD_MEMBERS
    ws = await http.ws_connect(emulator.gateway_url)
    await ws.receive_json()
    token = emulator.world.token
    await ws.send_json({"op": 2, "d": {"token": token, "intents": everything, "properties": {}}})
    session = RawSession(ws)
    await wait_for(lambda: len(session.named("GUILD_CREATE")) == 2)
    await ws.send_json({"op": 8, "d": {"guild_id": second, "query": "", "limit": 0}})
    chunk = (await wait_for(lambda: session.named("GUILD_MEMBERS_CHUNK")))[0]
    assert chunk["guild_id"] == second and len(chunk["members"]) == 8

    emulator.guilds.change_role(
        emulator.world.state(second).guild["owner_id"],
        emulator.world.member_named("youssef", second)["user"]["id"],
        emulator.role("Challengers", second)["id"],
        add=True,
        guild_id=second,
    )
    update = (await wait_for(lambda: session.named("GUILD_MEMBER_UPDATE")))[0]
    assert update["guild_id"] == second
    assert emulator.world.member_named("youssef")["roles"] == []  # the default guild's roles


async def test_a_guild_added_later_reaches_the_session_of_its_shard(
    http: Any, emulator: Emulator
) -> None:
    shard = shard_of(emulator.guild_id, 2)
    owner = await identify(http, emulator, [shard, 2])
    other = await identify(http, emulator, [1 - shard, 2])
    await wait_for(lambda: owner.named("GUILD_CREATE") and other.named("READY"))
    assert other.named("READY")[0]["guilds"] == []

    added = emulator.add_guild("Late Joiners", shard=(shard, 2))
    await wait_for(lambda: len(owner.named("GUILD_CREATE")) == 2)
    assert owner.guild_ids() == {emulator.guild_id, added}
    await emulator.drain()
    assert other.named("GUILD_CREATE") == []


def test_guilds_made_for_a_shard_never_share_an_id() -> None:
    """A guild id moved a millisecond on to reach its shard was later handed out again (to a
    channel or another guild): 200 guilds made quickly lost a few of them."""
    emulator = Emulator()
    guilds = [emulator.add_guild(f"Club {i}", shard=(i % 2, 2)) for i in range(200)]
    assert len(set(guilds)) == 200
    assert not set(guilds) & set(emulator.world.channels)
    assert all(shard_of(g, 2) == i % 2 for i, g in enumerate(guilds))
