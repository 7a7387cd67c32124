"""Fixtures every test folder shares: a real PostgreSQL server, and the bot's state database
on either backend (`state_url`: a SQLite file or a fresh PostgreSQL database)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.postgres import TemporaryPostgres

BACKENDS = ("sqlite", "postgresql")
_names = itertools.count(1)


@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryPostgres]:
    """One throwaway PostgreSQL server for the whole run (started on first use)."""
    with TemporaryPostgres() as server:
        yield server


def fresh_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where a new, empty state database lives on `backend`."""
    if backend == "sqlite":
        return str(tmp_path / "bot.sqlite3")
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    return server.create_database(f"test_{next(_names)}")


@pytest.fixture(params=BACKENDS)
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new state database on each backend in turn (the test runs once per backend)."""
    return fresh_url(request.param, tmp_path, request)
