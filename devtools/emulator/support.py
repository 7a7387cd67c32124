"""Small shared helpers for tests using the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

Payload = dict[str, Any]


class EmulatorUsageError(AssertionError):
    """A test asked for something a Discord client could not do (unknown command, missing
    required option, a button that isn't there...)."""


def walk_components(components: list[Payload]) -> Iterable[Payload]:
    """Every component, nested ones included (rows, sections' accessories)."""
    for component in components:
        yield component
        yield from walk_components(component.get("components") or [])
        if isinstance(component.get("accessory"), dict):
            yield component["accessory"]


async def wait_for(
    predicate: Any,
    timeout: float = 5.0,  # noqa: ASYNC109
    interval: float = 0.01,
    message: str = "",
) -> Any:
    """Poll `predicate()` (sync or async) until it returns something truthy; return it."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                result = predicate()
                if asyncio.iscoroutine(result):
                    result = await result
                if result:
                    return result
                await asyncio.sleep(interval)
    except TimeoutError:
        raise AssertionError(message or f"condition not met within {timeout}s") from None
