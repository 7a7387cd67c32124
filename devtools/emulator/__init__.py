"""A Discord emulator for end-to-end tests: REST under /api/v10 and the gateway, on loopback.

See tests/README.md. Entry points: `Emulator` (server.py), `Actor` (actors.py), `Answer`
(answers.py), `wait_for` (support.py), `BotRunner`/`BotProcess` (runner.py).
"""

from devtools.emulator.actors import Actor
from devtools.emulator.answers import Answer
from devtools.emulator.server import Emulator
from devtools.emulator.support import EmulatorUsageError, wait_for

__all__ = ["Actor", "Answer", "Emulator", "EmulatorUsageError", "wait_for"]
