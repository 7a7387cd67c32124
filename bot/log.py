"""Logging: one line per thing that matters, colour only on a terminal, the token hidden."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from typing import TextIO

import discord


class RedactFilter(logging.Filter):
    """Replace any occurrence of the given secrets in log records."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            redacted = self.redact(message)
            if record.exc_info and record.exc_info[1] is not None:
                trace = "".join(traceback.format_exception(*record.exc_info)).rstrip()
                if self.redact(trace) != trace:  # the traceback itself holds a secret
                    redacted += "\n" + self.redact(trace)
                    record.exc_info, record.exc_text = None, None
            if record.stack_info:
                record.stack_info = self.redact(record.stack_info)
            if redacted != message:
                record.msg, record.args = redacted, None
        return True

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[token hidden]")
        return text


FORMAT = "%(asctime)s %(levelname)-8s %(name)s %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class VoiceWarningFilter(logging.Filter):
    """discord.py warns at every start that voice libraries are missing: this bot has no voice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never with NO_COLOR (https://no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def setup_logging(level: str, *secrets: str, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    # discord.py's format, coloured where it detects a terminal; a file, a pipe, journald or
    # NO_COLOR get plain lines.
    plain: dict[str, logging.Formatter] = {}
    if not wants_colour(handler.stream):
        plain["formatter"] = logging.Formatter(FORMAT, DATE_FORMAT)
    discord.utils.setup_logging(handler=handler, level=getattr(logging, level), root=True, **plain)
    redact, voice = RedactFilter(*secrets), VoiceWarningFilter()
    for installed in logging.getLogger().handlers:
        installed.addFilter(redact)
        installed.addFilter(voice)
    # discord.py logs every gateway payload at DEBUG; keep that off unless asked for.
    # APScheduler logs each job it adds and runs: that is ours to say, once, at INFO.
    if level != "DEBUG":
        logging.getLogger("discord.gateway").setLevel(logging.INFO)
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
