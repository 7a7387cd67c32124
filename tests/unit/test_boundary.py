"""The Discord boundary: the fake and the discord.py implementation both keep the protocol's
methods and signatures (so the fake can't drift), and the converters and error mapping."""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import discord
import pytest

from bot.boundary import (
    Discord,
    DiscordUnavailableError,
    GoneError,
    MessageKind,
    RefusedError,
    snowflake_at,
)
from bot.discord_boundary import DiscordBoundary, domain_error, incoming
from tests.fakes import FakeDiscord

PROTOCOL = sorted(name for name in vars(Discord) if not name.startswith("_"))


def methods(cls: type) -> dict[str, object]:
    return {
        name: member
        for name, member in inspect.getmembers(cls)
        if not name.startswith("_") and (callable(member) or isinstance(member, property))
    }


def test_the_protocol_is_what_the_services_need() -> None:
    assert PROTOCOL == [
        "add_role",
        "channel",
        "fetch_message",
        "guild_name",
        "history",
        "is_closed",
        "me",
        "role",
        "send",
        "send_dm",
    ]


@pytest.mark.parametrize("implementation", [DiscordBoundary, FakeDiscord])
@pytest.mark.parametrize("name", PROTOCOL)
def test_implementations_match_the_protocol(implementation: type, name: str) -> None:
    wanted = getattr(Discord, name)
    if isinstance(wanted, property):  # `me`: a property, or a plain attribute in the fake
        assert isinstance(getattr(implementation, name, None), property) or (
            name in implementation.__dataclass_fields__  # type: ignore[attr-defined]
        )
        return
    found = getattr(implementation, name)
    assert inspect.signature(found) == inspect.signature(wanted), name
    assert inspect.iscoroutinefunction(found) == inspect.iscoroutinefunction(wanted), name


def test_the_discord_implementation_has_nothing_the_protocol_lacks() -> None:
    assert sorted(methods(DiscordBoundary)) == PROTOCOL


def test_the_fake_also_passes_a_runtime_protocol_check() -> None:
    fake: Discord = FakeDiscord()
    real: Discord = DiscordBoundary(discord.Client(intents=discord.Intents.none()))
    for implementation in (fake, real):
        assert all(hasattr(implementation, name) for name in PROTOCOL)


def http_error(cls: type[discord.HTTPException], status: int, code: int) -> BaseException:
    response = SimpleNamespace(status=status, reason="reason")
    return cls(response, {"code": code, "message": "Discord says no"})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (http_error(discord.NotFound, 404, 10008), GoneError),
        (http_error(discord.Forbidden, 403, 50013), RefusedError),
        (http_error(discord.DiscordServerError, 503, 0), DiscordUnavailableError),
        (http_error(discord.HTTPException, 400, 50035), DiscordUnavailableError),
    ],
)
def test_discord_errors_become_domain_errors(
    error: discord.HTTPException, expected: type[Exception]
) -> None:
    mapped = domain_error(error)
    assert type(mapped) is expected
    assert (mapped.status, mapped.code, mapped.text) == (error.status, error.code, error.text)
    assert str(mapped) == str(error)  # the log lines read as before


def test_a_discord_message_becomes_a_snapshot() -> None:
    author = SimpleNamespace(id=7, display_name="Amina", bot=False)
    reaction = SimpleNamespace(count=2)
    message = SimpleNamespace(
        id=50,
        type=discord.MessageType.reply,
        channel=SimpleNamespace(id=10),
        guild=SimpleNamespace(id=1),
        author=author,
        webhook_id=None,
        content="Salam",
        created_at=None,
        edited_at=None,
        attachments=[SimpleNamespace(filename="a.png", url="https://cdn/a.png")],
        reference=SimpleNamespace(message_id=40),
        reactions=[reaction, reaction],
        embeds=[discord.Embed(title="Day 2 recap: T2"), discord.Embed()],
    )
    snapshot = incoming(message)  # type: ignore[arg-type]
    assert (snapshot.id, snapshot.channel_id, snapshot.guild_id) == (50, 10, 1)
    assert (snapshot.author_id, snapshot.author_name, snapshot.author_bot) == (7, "Amina", False)
    assert snapshot.kind is MessageKind.REPLY and snapshot.reference_id == 40
    assert snapshot.reactions == 4 and snapshot.embed_titles == ("Day 2 recap: T2",)
    assert [(a.name, a.url) for a in snapshot.attachments] == [("a.png", "https://cdn/a.png")]

    system = incoming(SimpleNamespace(**{**vars(message), "type": discord.MessageType.pins_add}))  # type: ignore[arg-type]
    assert system.kind is MessageKind.OTHER
    hooked = incoming(SimpleNamespace(**{**vars(message), "webhook_id": 3}))  # type: ignore[arg-type]
    assert hooked.author_bot  # a webhook's message counts as a bot's


def test_snowflake_at_matches_discord_py() -> None:
    moment = discord.utils.snowflake_time(1180000000000000000)
    assert snowflake_at(moment) == discord.utils.time_snowflake(moment)
