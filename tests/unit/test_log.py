"""`setup_logging` installs the token filter on the handlers it sets up: whatever carries the
token (message, arguments, exception, stack) reaches stderr redacted."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.log import RedactFilter, setup_logging, wants_colour

TOKEN = "MTEyMzU4MTMyMTM0NTU4OTE0NA.GsEcRt.distinctive-Secret_Token-0123456789abcdef"
SEGMENTS = (TOKEN, *TOKEN.split("."))


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Undo what setup_logging does to the root logger (handlers, filters, levels)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    gateway_level = logging.getLogger("discord.gateway").level
    scheduler_level = logging.getLogger("apscheduler").level
    filters = {handler: list(handler.filters) for handler in handlers}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler, kept in filters.items():
        handler.filters[:] = kept
    root.setLevel(level)
    logging.getLogger("discord.gateway").setLevel(gateway_level)
    logging.getLogger("apscheduler").setLevel(scheduler_level)


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_setup_logging_redacts_the_token_on_stderr(
    level: str, restored_logging: None, capfd: pytest.CaptureFixture[str]
) -> None:
    before = set(logging.getLogger().handlers)
    setup_logging(level, TOKEN)
    added = [h for h in logging.getLogger().handlers if h not in before]
    assert added, "setup_logging installed no handler"
    for handler in logging.getLogger().handlers:
        assert any(isinstance(f, RedactFilter) for f in handler.filters), handler

    logger = logging.getLogger("bot.tests.log")
    logger.warning("plain %s", "text")  # untouched records still come out
    logger.warning(f"message {TOKEN}")
    logger.warning("argument %s and %r", TOKEN, {"token": TOKEN})
    try:
        raise RuntimeError(f"login failed for {TOKEN}")
    except RuntimeError:
        logger.exception("with a traceback")
    logger.error("stack %s", TOKEN, stack_info=True)
    err = capfd.readouterr().err

    assert "plain text" in err and "message [token hidden]" in err
    assert "argument [token hidden] and {'token': '[token hidden]'}" in err
    assert "login failed for [token hidden]" in err and "RuntimeError" in err
    assert err.count("[token hidden]") >= 5
    for secret in SEGMENTS:
        assert secret not in err, f"token segment {secret!r} reached stderr"


def test_without_secrets_nothing_is_redacted(
    restored_logging: None, capfd: pytest.CaptureFixture[str]
) -> None:
    setup_logging("INFO", "")
    logging.getLogger("bot.tests.log").warning("keep %s", TOKEN)
    assert f"keep {TOKEN}" in capfd.readouterr().err


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_colour_in_a_file_or_with_no_color(
    restored_logging: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    file = io.StringIO()
    setup_logging("INFO", "", stream=file)
    logging.getLogger("bot.tests.log").warning("one line")
    assert "\x1b[" not in file.getvalue() and " WARNING  bot.tests.log one line" in file.getvalue()
    assert wants_colour(Tty())  # a terminal gets discord.py's colours
    monkeypatch.setenv("NO_COLOR", "1")
    terminal = Tty()
    setup_logging("INFO", "", stream=terminal)
    logging.getLogger("bot.tests.log").warning("one line")
    line = terminal.getvalue()
    assert "\x1b[" not in line and line.count("\n") == 1
    assert " WARNING  bot.tests.log one line" in line


def test_third_party_chatter_stays_out_of_the_info_log(restored_logging: None) -> None:
    stream = io.StringIO()
    setup_logging("INFO", "", stream=stream)
    logging.getLogger("apscheduler.scheduler").info('Added job "x" to job store "default"')
    logging.getLogger("discord.client").warning(
        "PyNaCl is not installed, voice will NOT be supported"
    )
    logging.getLogger("bot.series").info("Posted day 1")
    assert stream.getvalue().count("\n") == 1 and "Posted day 1" in stream.getvalue()
