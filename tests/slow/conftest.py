"""The slow tests reuse the end-to-end fixtures (emulator, bot_process, error_log...)."""

from tests.e2e.conftest import *  # noqa: F403
