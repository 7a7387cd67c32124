"""ChallengeBot's bot-wide defaults."""

from __future__ import annotations

import aiohttp
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.bot import ChallengeBot, send_private
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


@pytest.mark.parametrize(
    "failure",
    [
        aiohttp.ClientOSError(None, "Can not write request body"),  # the connection dropped
        RuntimeError("Session is closed"),
    ],
)
async def test_an_apology_that_cannot_be_sent_is_logged_not_raised(
    failure: Exception, caplog: pytest.LogCaptureFixture
) -> None:
    """The error reply of a failed command meets a dropped connection (or a stopping bot):
    one warning, and nothing escapes into discord.py's task."""

    class Response:
        def is_done(self) -> bool:
            return False

        async def send_message(self, text: str, *, ephemeral: bool) -> None:
            raise failure

    class Interaction:
        response = Response()

    await send_private(Interaction(), "Sorry")  # type: ignore[arg-type]
    assert "Could not tell the user about an error" in caplog.text
