"""Logging: discord.py's handler and format, our level, and a filter that hides the token."""

from __future__ import annotations

import logging

import discord


class RedactFilter(logging.Filter):
    """Replace any occurrence of the given secrets in log records."""

    def __init__(self, *secrets: str) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            redacted = message
            for secret in self.secrets:
                redacted = redacted.replace(secret, "[token hidden]")
            if redacted != message:
                record.msg, record.args = redacted, None
        return True


def setup_logging(level: str, *secrets: str) -> None:
    discord.utils.setup_logging(level=getattr(logging, level), root=True)
    redact = RedactFilter(*secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    # discord.py logs every gateway payload at DEBUG; keep that off unless asked for.
    if level != "DEBUG":
        logging.getLogger("discord.gateway").setLevel(logging.INFO)
