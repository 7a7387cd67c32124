"""A throwaway PostgreSQL server for tests and benchmarks: Debian's binaries (the Makefile
installs the `postgresql` package when they are missing), a fresh cluster in a temporary
folder, listening on 127.0.0.1 on a free port, trusted local logins, removed on stop.

    with TemporaryPostgres() as server:
        url = server.create_database("test_1")   # postgresql://postgres@127.0.0.1:PORT/test_1

PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

SEARCH = ("/usr/lib/postgresql",)


class PostgresUnavailableError(RuntimeError):
    """No PostgreSQL server binaries here (install Debian's `postgresql` package)."""


def find_bindir() -> Path:
    """The folder with `initdb`, `pg_ctl` and `postgres` (newest version first)."""
    configured = os.environ.get("PG_BINDIR")
    if configured:
        return Path(configured)
    for root in SEARCH:
        versions = sorted(Path(root).glob("*/bin/initdb"), key=lambda p: p.parts, reverse=True)
        if versions:
            return versions[0].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailableError(
        "PostgreSQL server binaries not found: `apt-get install postgresql` "
        "(make test does it) or set PG_BINDIR"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TemporaryPostgres:
    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="challenge-bot-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._as_user: list[str] = []
        self._started = False

    def __enter__(self) -> TemporaryPostgres:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "server.log"),
            "-w",
            "start",
        )
        self._started = True
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise PostgresUnavailableError(f"PostgreSQL did not start: see {self.root / 'server.log'}")

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        self._psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        self._psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _psql(self, sql: str) -> None:
        psql = self.bindir / "psql"
        command = str(psql) if psql.exists() else "psql"
        subprocess.run(
            [command, "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-c", sql],
            check=True,
            capture_output=True,
            text=True,
        )

    def stop(self) -> None:
        if self._started:
            self._started = False
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            [*self._as_user, *command], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise PostgresUnavailableError(
                f"{' '.join(command)} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-2000:]}"
            )
