"""A Discord emulator for end-to-end tests: REST under /api/v10 and the gateway, on loopback.

See tests/README.md. Entry points: `Emulator` (server.py), `Actor` (actors.py), `Answer`
(answers.py), `wait_for` (support.py), `BotRunner`/`BotProcess` (runner.py).
"""

from tests.emulator.actors import Actor
from tests.emulator.answers import Answer
from tests.emulator.server import Emulator
from tests.emulator.support import EmulatorUsageError, wait_for

__all__ = ["Actor", "Answer", "Emulator", "EmulatorUsageError", "wait_for"]
