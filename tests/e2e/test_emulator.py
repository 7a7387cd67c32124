"""The emulator's own fidelity, checked with the real discord.py client where possible."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any

import discord
import pytest
from discord.http import Route

from devtools.emulator import Emulator, EmulatorUsageError, wait_for
from devtools.emulator.ids import MessageKind
from devtools.emulator.runner import BotRunner
from tests.e2e.conftest import ErrorLog
from tests.e2e.emulator_probe import tiny_png

pytestmark = pytest.mark.e2e

PROBE = ("tests.e2e.emulator_probe",)


@pytest.fixture
async def client(bot_runner: BotRunner) -> Any:
    """The real bot with no cogs: a discord.py client to drive the REST API."""
    return await bot_runner.start(extensions=())


@pytest.fixture
async def probe(bot_runner: BotRunner) -> Any:
    return await bot_runner.start(extensions=PROBE)


def text_channel(client: Any, emulator: Emulator, name: str) -> discord.TextChannel:
    channel = client.get_channel(emulator.channel_id(name))
    assert isinstance(channel, discord.TextChannel)
    return channel


async def raw(client: Any, method: str, path: str, **params: Any) -> Any:
    """A raw REST call through discord.py's HTTP client (rate limits, retries and all)."""
    return await client.http.request(Route(method, path, **params.pop("route", {})), **params)


# ---- login and gateway -----------------------------------------------------------------


async def test_ready_guild_and_member_chunk(client: Any, emulator: Emulator) -> None:
    guild = client.get_guild(int(emulator.guild_id))
    assert guild.name == "ML & DL Morocco"
    await guild.chunk()  # the bot doesn't ask member lists at start-up; asked, they come
    assert guild.chunked and guild.member_count == len(emulator.world.members)
    assert len(guild.members) == len(emulator.world.members)
    assert {c.name for c in guild.text_channels} >= {"welcome", "general", "challenges"}
    assert isinstance(
        discord.utils.get(guild.channels, name="challenges-forum"), discord.ForumChannel
    )
    assert guild.get_member(int(emulator.admin.id)).guild_permissions.manage_guild
    assert discord.utils.get(guild.roles, name="Challengers").mentionable
    assert {t.name for t in guild.threads} == {
        "study-group",
        "Rules & FAQ",
    }  # archived ones aren't sent
    chunk = emulator.recorder.gateway("GUILD_MEMBERS_CHUNK")[0]
    request = next(p for p in emulator.recorder.received if p["op"] == 8)
    assert chunk.data["nonce"] == request["d"]["nonce"]


async def test_resume_replays_events_missed_while_disconnected(
    client: Any, emulator: Emulator
) -> None:
    received: list[str] = []

    async def on_message(message: discord.Message) -> None:
        received.append(message.content)

    client.add_listener(on_message)
    await emulator.drop_gateway()
    await emulator.member("amina").says("general", "sent while the bot was away", drain=False)
    await wait_for(lambda: emulator.gateway.resume_count == 1)
    await emulator.drain()
    await wait_for(lambda: "sent while the bot was away" in received)
    assert emulator.gateway.identify_count == 1


# discord.py may dispatch an event from the invalidated connection after the test client has
# closed (its loop is MISSING by then): a client shutdown artefact, not a bot error.
@pytest.mark.allow_errors(r"'_MissingSentinel' object has no attribute 'create_task'")
async def test_abrupt_drop_and_invalid_session(client: Any, emulator: Emulator) -> None:
    async def no_identify_delay(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py waits 5 s before re-identifying; not needed on loopback

    client.before_identify_hook = no_identify_delay
    await emulator.drop_gateway(abrupt=True)
    await wait_for(lambda: emulator.gateway.resume_count == 1)
    await emulator.invalidate_session()
    await wait_for(lambda: emulator.gateway.identify_count == 2, timeout=10)
    await wait_for(lambda: emulator.gateway.connected_sessions)
    message = await emulator.member("amina").says("general", "still there?")
    found = await client.get_channel(emulator.channel_id("general")).fetch_message(
        int(message["id"])
    )
    assert found.content == "still there?"


async def test_restart_keeps_the_database_and_gets_a_new_session(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    first = await bot_runner.start(extensions=())
    database = first.settings.database_path
    second = await bot_runner.restart()
    assert second is not first and second.settings.database_path == database
    assert emulator.gateway.identify_count == 2
    assert len(emulator.gateway.connected_sessions) == 1
    assert bot_runner.alive


async def test_privileged_intents_refused(bot_runner: BotRunner, emulator: Emulator) -> None:
    emulator.gateway.privileged_intents = 0
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await bot_runner.start(extensions=())


async def test_without_message_content_intent_content_is_blank(
    client: Any, emulator: Emulator
) -> None:
    session = emulator.gateway.connected_sessions[0]
    session.intents &= ~(1 << 15)
    waiter = asyncio.ensure_future(client.wait_for("message"))
    await emulator.member("amina").says("general", "secret words")
    message = await asyncio.wait_for(waiter, 5)
    assert message.content == ""


# ---- messages ---------------------------------------------------------------------------


async def test_messages_are_echoed_as_gateway_events(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "general")
    sent = await channel.send("hello")
    await sent.edit(content="hello again")
    await sent.delete()
    names = [e.name for e in emulator.recorder.gateway() if e.data.get("id") == str(sent.id)]
    assert names == ["MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE"]
    assert emulator.world.find_message(sent.id) is None


async def test_member_reply_with_attachment_reaches_the_bot(
    client: Any, emulator: Emulator
) -> None:
    amina = emulator.member("amina")
    first = await amina.says("general", "question")
    waiter = asyncio.ensure_future(
        client.wait_for("message", check=lambda m: m.content == "answer")
    )
    await emulator.member("youssef").says(
        "general", "answer", reply_to=first, attachments=[("notes.txt", b"some notes")]
    )
    message = await asyncio.wait_for(waiter, 5)
    assert message.reference.message_id == int(first["id"])
    assert message.type is discord.MessageType.reply
    assert message.attachments[0].filename == "notes.txt"
    assert await message.attachments[0].read() == b"some notes"


async def test_nonce_is_enforced(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "general")
    first = await channel.send("once", nonce=12345)
    second = await channel.send("once", nonce=12345)
    assert first.id == second.id
    assert len([m for m in emulator.history("general") if m["content"] == "once"]) == 1

    emulator.messages.nonce_window = timedelta(0)  # like Discord minutes later: a new message
    third = await channel.send("once", nonce=12345)
    assert third.id != first.id
    assert len([m for m in emulator.history("general") if m["content"] == "once"]) == 2


async def test_history_paging(client: Any, emulator: Emulator) -> None:
    amina = emulator.member("amina")
    for n in range(130):
        await amina.says("challenges", f"m{n}", drain=False)
    channel = text_channel(client, emulator, "challenges")
    newest_first = [m.content async for m in channel.history(limit=None)]
    assert newest_first[:3] == ["m129", "m128", "m127"]
    assert len([c for c in newest_first if c.startswith("m")]) == 130
    oldest_first = [m.content async for m in channel.history(limit=None, oldest_first=True)]
    assert oldest_first == list(reversed(newest_first))
    pivot = next(m for m in emulator.history("challenges") if m["content"] == "m50")
    after = [
        m.content async for m in channel.history(limit=3, after=discord.Object(int(pivot["id"])))
    ]
    assert after == ["m51", "m52", "m53"]
    around = [
        m.content async for m in channel.history(limit=5, around=discord.Object(int(pivot["id"])))
    ]
    assert "m50" in around and len(around) == 5
    pages = emulator.recorder.rest("GET", "/channels/{channel_id}/messages")
    assert all(int(p.query.get("limit", 50)) <= 100 for p in pages)
    with pytest.raises(discord.HTTPException) as caught:
        await raw(client, "GET", f"/channels/{channel.id}/messages", params={"limit": 101})
    assert caught.value.code == 50035


async def test_reactions_and_pins(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "general")
    emulator.set_role("Challenges Bot", "Admin")  # pinning needs Manage Messages
    sent = await channel.send("react to me")
    waiter = asyncio.ensure_future(client.wait_for("raw_reaction_add"))
    await emulator.member("amina").reacts(sent, "👍")
    event = await asyncio.wait_for(waiter, 5)
    assert str(event.emoji) == "👍" and event.user_id == int(emulator.member("amina").id)
    await emulator.member("youssef").reacts(sent, "👍")
    await sent.add_reaction("🎉")
    fetched = await channel.fetch_message(sent.id)
    counts = {str(r.emoji): (r.count, r.me) for r in fetched.reactions}
    assert counts == {"👍": (2, False), "🎉": (1, True)}
    await emulator.member("youssef").unreacts(sent, "👍")
    assert {str(r.emoji): r.count for r in (await channel.fetch_message(sent.id)).reactions}[
        "👍"
    ] == 1

    await sent.pin()
    assert [m.id async for m in channel.pins()] == [sent.id]
    assert emulator.history("general")[-1]["type"] == MessageKind.CHANNEL_PINNED_MESSAGE
    await sent.unpin()
    assert [m async for m in channel.pins()] == []


async def test_bulk_delete(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "general")
    emulator.set_role("Challenges Bot", "Admin")  # bulk delete needs Manage Messages
    sent = [await channel.send(f"bulk {n}") for n in range(3)]
    await channel.delete_messages(sent)
    event = emulator.recorder.gateway("MESSAGE_DELETE_BULK")[0]
    assert sorted(event.data["ids"]) == sorted(str(m.id) for m in sent)


# ---- threads ----------------------------------------------------------------------------


async def test_thread_from_message_and_archive_cycle(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "challenges")
    post = await channel.send("Day 1")
    thread = await post.create_thread(name="Day 1 discussion", auto_archive_duration=10080)
    assert thread.id == post.id
    created = emulator.recorder.gateway("THREAD_CREATE")[-1]
    assert created.data["newly_created"] is True
    history = emulator.history(thread.id)
    assert history[0]["type"] == MessageKind.THREAD_STARTER_MESSAGE

    await thread.edit(archived=True)
    assert emulator.world.channels[str(thread.id)]["thread_metadata"]["archived"]
    archived = [t.id async for t in channel.archived_threads()]
    assert thread.id in archived
    await emulator.member("amina").says(thread.id, "late reply")
    joined = emulator.recorder.gateway("THREAD_MEMBERS_UPDATE")[-1].data
    assert joined["added_members"][0]["user_id"] == emulator.member("amina").id
    fetched = await client.fetch_channel(thread.id)
    assert isinstance(fetched, discord.Thread) and fetched.parent_id == channel.id
    assert not emulator.world.channels[str(thread.id)]["thread_metadata"]["archived"]
    await wait_for(
        lambda: client.get_channel(thread.id) and not client.get_channel(thread.id).archived
    )
    with pytest.raises(discord.HTTPException) as caught:
        await post.create_thread(name="again")
    assert caught.value.code == 160004
    await thread.delete()
    assert emulator.recorder.gateway("THREAD_DELETE")[-1].data["id"] == str(thread.id)
    await wait_for(lambda: client.get_channel(thread.id) is None)


async def test_channel_threads_and_forum_posts(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "challenges")
    with pytest.raises(discord.Forbidden):  # discord.py's default type is a private thread,
        await channel.create_thread(name="no type given")  # which needs another permission
    assert emulator.recorder.rest("POST", "/channels/*/threads")[-1].json["type"] == 12
    emulator.set_role("Challenges Bot", "Moderator")
    emulator.world.role_named("Moderator")["permissions"] = str(1 << 36)
    private = await channel.create_thread(name="private one")
    assert private.type is discord.ChannelType.private_thread
    public = await channel.create_thread(name="public one", type=discord.ChannelType.public_thread)
    assert public.type is discord.ChannelType.public_thread
    assert emulator.history("challenges")[-1]["type"] == MessageKind.THREAD_CREATED

    forum = client.get_channel(emulator.channel_id("challenges-forum"))
    made = await forum.create_thread(name="Day 2", content="Forum day 2")
    assert made.thread.id == made.message.id
    assert emulator.history(made.thread.id)[0]["content"] == "Forum day 2"
    active = await client.get_guild(int(emulator.guild_id)).active_threads()
    assert {private.id, public.id, made.thread.id} <= {t.id for t in active}
    archived = [t.name async for t in forum.archived_threads()]
    assert archived == ["Old ideas"]


# ---- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"content": "x" * 2001}, 50035),
        ({"embed": discord.Embed(description="x" * 4097)}, 50035),
        ({"embed": discord.Embed(title="x" * 257)}, 50035),
        ({"embeds": [discord.Embed(description="x" * 3000) for _ in range(3)]}, 50035),
        ({"embed": discord.Embed().set_footer(text="x" * 2049)}, 50035),
        ({"embed": discord.Embed().set_author(name="x" * 257)}, 50035),
        ({"embed": discord.Embed().add_field(name="n", value="x" * 1025)}, 50035),
        ({"content": ""}, 50006),
    ],
)
async def test_messages_over_discord_limits_are_refused(
    client: Any, emulator: Emulator, kwargs: dict[str, Any], code: int
) -> None:
    channel = text_channel(client, emulator, "general")
    with pytest.raises(discord.HTTPException) as caught:
        await channel.send(**kwargs)
    assert caught.value.status == 400 and caught.value.code == code


async def test_components_and_threads_are_validated(client: Any, emulator: Emulator) -> None:
    channel_id = emulator.channel_id("general")
    button = {"type": 2, "style": 1, "label": "ok", "custom_id": "a"}
    bad_bodies = [
        {"embeds": [{"title": str(n)} for n in range(11)]},
        {"components": [{"type": 1, "components": [button]} for _ in range(6)]},
        {
            "components": [
                {"type": 1, "components": [{**button, "custom_id": str(n)} for n in range(6)]}
            ]
        },
        {"components": [{"type": 1, "components": [{**button, "label": "x" * 81}]}]},
        {"components": [{"type": 1, "components": [{**button, "custom_id": "x" * 101}]}]},
        {"components": [{"type": 1, "components": [button, dict(button)]}]},
    ]
    for body in bad_bodies:
        with pytest.raises(discord.HTTPException) as caught:
            await raw(
                client, "POST", f"/channels/{channel_id}/messages", json={"content": "c", **body}
            )
        assert caught.value.code == 50035, body
    post = await text_channel(client, emulator, "challenges").send("post")
    for name, duration in (("x" * 101, 1440), ("", 1440), ("fine", 30)):
        with pytest.raises(discord.HTTPException) as caught:
            await raw(
                client,
                "POST",
                f"/channels/{post.channel.id}/messages/{post.id}/threads",
                json={"name": name, "auto_archive_duration": duration},
            )
        assert caught.value.code == 50035


async def test_command_sync_is_validated(client: Any, emulator: Emulator) -> None:
    path = f"/applications/{emulator.bot_id}/guilds/{emulator.guild_id}/commands"
    good = {"name": "fine", "description": "ok", "type": 1}
    bad = [
        {**good, "name": "Upper"},
        {**good, "name": "has space"},
        {**good, "name": "x" * 33},
        {**good, "description": ""},
        {**good, "description": "d" * 101},
        {**good, "options": [{"type": 3, "name": f"o{n}", "description": "d"} for n in range(26)]},
        {
            **good,
            "options": [
                {
                    "type": 3,
                    "name": "o",
                    "description": "d",
                    "choices": [{"name": str(n), "value": str(n)} for n in range(26)],
                }
            ],
        },
        {
            **good,
            "options": [
                {"type": 3, "name": "a", "description": "d"},
                {"type": 3, "name": "b", "description": "d", "required": True},
            ],
        },
    ]
    for command in bad:
        with pytest.raises(discord.HTTPException) as caught:
            await raw(client, "PUT", path, json=[command])
        assert caught.value.code == 50035, command
    synced = await raw(client, "PUT", path, json=[good, {**good, "name": "café-é"}])
    assert all({"id", "application_id", "version"} <= set(c) for c in synced)
    again = await raw(client, "PUT", path, json=[good])
    assert again[0]["id"] == synced[0]["id"] and again[0]["version"] == synced[0]["version"]


# ---- mentions ---------------------------------------------------------------------------


async def test_recorder_flags_real_pings_only(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "general")
    amina = emulator.member("amina")
    role = emulator.role("Challengers")["id"]
    text = f"{amina.mention} <@&{role}> @everyone"
    await channel.send(text)  # the bot's default: AllowedMentions.none()
    assert emulator.recorder.pinging() == []
    await channel.send(text, allowed_mentions=discord.AllowedMentions(users=True))
    await channel.send(text, allowed_mentions=discord.AllowedMentions(roles=True, everyone=True))
    pings = emulator.recorder.pinging()
    assert [p.users for p in pings] == [[amina.id], []]
    assert pings[1].roles == [role] and not pings[1].everyone  # the bot can't @everyone
    member_message = await amina.says("general", "hi")
    replied = await channel.send(
        "reply",
        reference=discord.MessageReference(
            message_id=int(member_message["id"]), channel_id=channel.id
        ),
    )
    assert not any(p.message_id == str(replied.id) for p in emulator.recorder.pinging())


# ---- members, roles, DMs ----------------------------------------------------------------


async def test_members_join_roles_and_dms(client: Any, emulator: Emulator) -> None:
    waiter = asyncio.ensure_future(client.wait_for("member_join"))
    newcomer = emulator.add_member("nour")
    joined = await asyncio.wait_for(waiter, 5)
    assert joined.id == int(newcomer.id)
    assert emulator.history("welcome")[-1]["type"] == MessageKind.USER_JOIN
    emulator.add_members(20)
    await emulator.drain()
    guild = client.get_guild(int(emulator.guild_id))
    assert guild.member_count == len(emulator.world.members)

    finisher = guild.get_role(int(emulator.role("Challenge Finisher")["id"]))
    await joined.add_roles(finisher)
    assert finisher.id in {int(r) for r in emulator.world.members[newcomer.id]["roles"]}
    await wait_for(lambda: finisher in guild.get_member(joined.id).roles)
    moderator = guild.get_role(int(emulator.role("Moderator")["id"]))
    with pytest.raises(discord.Forbidden) as caught:
        await joined.add_roles(moderator)  # above the bot's own role
    assert caught.value.code == 50013

    await joined.remove_roles(finisher)
    assert finisher.id not in {int(r) for r in emulator.world.members[newcomer.id]["roles"]}
    updates = emulator.recorder.gateway("GUILD_MEMBER_UPDATE")
    assert [len(e.data["roles"]) for e in updates[-2:]] == [1, 0]

    await joined.send("welcome!")
    assert [m["content"] for m in newcomer.dm_messages()] == ["welcome!"]
    waiter = asyncio.ensure_future(
        client.wait_for("message", check=lambda m: m.content == "thanks")
    )
    await newcomer.dms("thanks")
    reply = await asyncio.wait_for(waiter, 5)
    assert isinstance(reply.channel, discord.DMChannel) and reply.guild is None
    newcomer.blocks_dms()
    with pytest.raises(discord.Forbidden) as caught:
        await joined.send("again")
    assert caught.value.code == 50007


# ---- faults -----------------------------------------------------------------------------


async def test_rate_limits_and_server_errors_are_retried(client: Any, emulator: Emulator) -> None:
    channel = text_channel(client, emulator, "general")
    emulator.faults.rate_limit("POST", "/channels/*/messages", retry_after=0.1)
    emulator.faults.rate_limit("GET", "*", retry_after=0.1, scope="global")
    await channel.send("after a 429")
    await channel.fetch_message(channel.last_message_id)
    assert emulator.recorder.count_429() == 2
    retried = emulator.recorder.statuses(429)[1]
    assert retried.route == "/channels/{channel_id}/messages/{message_id}"

    emulator.faults.server_error("POST", "/channels/*/messages", status=502)
    await channel.send("after a 502")
    assert [c.status for c in emulator.recorder.rest("POST", "/channels/*/messages")][-2:] == [
        502,
        200,
    ]

    emulator.faults.forbidden("POST", "/channels/*/messages", times=1)
    with pytest.raises(discord.Forbidden):
        await channel.send("refused")
    emulator.faults.delay("GET", "/channels/*", seconds=0.2, times=1)
    started = time.monotonic()
    await channel.fetch_message(channel.last_message_id)
    assert time.monotonic() - started >= 0.2


async def test_enforced_rate_limits_are_respected_by_discord_py(
    client: Any, emulator: Emulator
) -> None:
    emulator.rate_limits.enforce(messages=5, per=0.5)
    channel = text_channel(client, emulator, "general")
    for n in range(8):
        await channel.send(f"fast {n}")
    assert emulator.recorder.count_429() == 0  # discord.py waits on X-RateLimit-Remaining: 0
    calls = emulator.recorder.rest("POST", "/channels/*/messages")
    assert calls[-1].time - calls[0].time >= 0.4


async def test_missing_permissions_are_enforced(client: Any, emulator: Emulator) -> None:
    staff = client.get_channel(emulator.channel_id("staff"))
    with pytest.raises(discord.Forbidden) as caught:
        await raw(client, "POST", f"/channels/{staff.id}/messages", json={"content": "hi"})
    assert caught.value.code == 50001


# ---- interactions -----------------------------------------------------------------------


async def test_deferred_answer_and_follow_ups(probe: Any, emulator: Emulator) -> None:
    answer = await emulator.member("amina").runs("probe defer")
    assert answer.ephemeral and answer.content == "done after defer"
    await wait_for(lambda: len(answer.followups) == 1)
    assert answer.followups[0]["content"] == "second follow-up"


async def test_public_answer_and_original_edit(probe: Any, emulator: Emulator) -> None:
    answer = await emulator.member("amina").runs("probe public")
    await wait_for(lambda: answer.content == "edited")
    assert not answer.ephemeral
    assert emulator.history("general")[-1]["content"] == "edited"
    events = [
        e.name for e in emulator.recorder.gateway() if e.data.get("id") == answer.message["id"]
    ]
    assert events == ["MESSAGE_CREATE", "MESSAGE_UPDATE"]


async def test_buttons_and_modals(probe: Any, emulator: Emulator) -> None:
    amina = emulator.member("amina")
    answer = await amina.runs("probe buttons")
    payload = answer.record.payload
    assert payload["member"]["permissions"] == str(amina.permissions_in("general"))
    assert int(payload["app_permissions"]) & (1 << 11)  # the bot may send messages there
    assert not int(payload["member"]["permissions"]) & (1 << 5)  # amina can't manage the server
    assert [b["label"] for b in answer.buttons()] == ["Add", "Ask"]
    clicked = await answer.click("Add")
    assert clicked.type == 7 and answer.content == "count=1"
    modal = await answer.click("probe:ask")
    assert modal.modal["title"] == "Feedback"
    submitted = await modal.submit({"probe:answer": "great"})
    assert submitted.content == "thanks for: great" and submitted.ephemeral
    direct = await amina.runs("probe modal")
    assert (await direct.submit(**{"probe:answer": "ok"})).content == "thanks for: ok"


async def test_files_options_and_autocomplete(
    probe: Any, emulator: Emulator, error_log: ErrorLog
) -> None:
    amina = emulator.member("amina")
    answer = await amina.runs("probe file")
    assert answer.files[0].filename == "chart.png"
    assert answer.files[0].data == tiny_png()
    assert (answer.files[0].attachment["width"], answer.files[0].attachment["height"]) == (3, 2)

    echoed = await amina.runs(
        "probe options echo",
        who="youssef",
        where="challenges",
        role="Challengers",
        count=3,
        attachment=("data.csv", b"a,b\n1,2\n"),
    )
    assert echoed.content == "youssef challenges Challengers 3 data.csv 8"
    with pytest.raises(EmulatorUsageError):
        await amina.runs(
            "probe options echo", who="youssef", where="challenges", role="Admin", count=11
        )

    choices = await amina.autocomplete("probe pick", "fruit", "fruit-1")
    assert [c["name"] for c in choices][:2] == ["fruit-10", "fruit-11"]
    error_log.allow("Ignoring exception in autocomplete")
    with pytest.raises(AssertionError, match="50035"):
        await amina.autocomplete("probe pick", "fruit", "fruit", many=True)


@pytest.mark.allow_errors("Command 'defer' raised an exception", "Could not tell the user")
async def test_an_answer_after_three_seconds_is_refused(probe: Any, emulator: Emulator) -> None:
    emulator.interactions.response_timeout = 0.0  # as if the bot took more than 3 s
    with pytest.raises(AssertionError, match="10062"):
        await emulator.member("amina").runs("probe defer")


@pytest.mark.allow_errors("Command 'big' raised an exception", "Could not tell the user")
async def test_an_answer_over_the_limits_is_refused(probe: Any, emulator: Emulator) -> None:
    with pytest.raises(AssertionError, match="50035"):
        await emulator.member("amina").runs("probe big")


# ---- the bot as a subprocess ------------------------------------------------------------


async def test_bot_process_runs_and_can_be_killed(bot_process: Any, emulator: Emulator) -> None:
    process = bot_process()
    process.start()
    await process.wait_ready()
    answer = await emulator.member("amina").runs("about")
    assert "Twelve daily posts" in answer.text
    process.kill()
    assert await process.wait() == -9
    emulator.faults.clear()
    assert emulator.gateway.sessions  # the killed session stays resumable, like on Discord
