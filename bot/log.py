"""Logging: discord.py's handler and format, our level, and a filter that hides the token."""

from __future__ import annotations

import logging
import traceback

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


def setup_logging(level: str, *secrets: str) -> None:
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    redact = RedactFilter(*secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    # discord.py logs every gateway payload at DEBUG; keep that off unless asked for.
    if level != "DEBUG":
        logging.getLogger("discord.gateway").setLevel(logging.INFO)
