"""Warnings about configuration (a missing channel or role) logged once, not per event."""

from __future__ import annotations

import logging


class WarnOnce:
    """`warn(key, message, *args)` logs a warning the first time `key` is seen."""

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._seen: set[str] = set()

    def __call__(self, key: str, message: str, *args: object) -> None:
        if key not in self._seen:
            self._seen.add(key)
            self.log.warning(message, *args)
