"""ChallengeBot's bot-wide defaults."""

from __future__ import annotations

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.bot import ChallengeBot
from bot.settings import Settings


def test_nobody_is_pinged_unless_a_message_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    # apply_endpoints sets these class attributes; put them back afterwards
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    bot = ChallengeBot(Settings(_env_file=None), extensions=())  # type: ignore[call-arg]
    mentions = bot.allowed_mentions
    assert mentions is not None
    assert (mentions.everyone, mentions.users, mentions.roles, mentions.replied_user) == (
        False,
        False,
        False,
        False,
    )
    assert mentions.to_dict() == {"parse": []}  # what Discord gets: parse nothing
