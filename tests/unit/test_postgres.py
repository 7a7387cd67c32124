"""PostgreSQL as the state database: placeholders, migrations (once, under a lock, refusing a
newer or foreign schema), claims that hold across processes, and `migrate-to` from SQLite.
A real server (devtools.postgres); the store tests run on both backends through `state_url`."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.cli import main
from bot.cli.doctor import check_postgres
from bot.cli.series import stored_schedule
from bot.comments.model import Comment, Record
from bot.series.model import ChallengeDay
from bot.settings import Settings, SettingsError, load_settings
from bot.store import Database, StoreError, bundled_migrations, database_at
from bot.store.comments import CommentStore
from bot.store.copy import STATE_TABLES
from bot.store.database import NoDatabaseError, is_transient
from bot.store.dialect import POSTGRESQL, SQLITE, postgres_statement
from bot.store.members import MemberStore
from bot.store.postgres import PostgresDatabase, lock_key, redact
from bot.store.series import SeriesStore
from devtools.postgres import TemporaryPostgres
from tests.days import bare_day

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
G = 1_300_000_000_000_000_001  # a snowflake past 2**31: BIGINT columns


def plan(days: int = 3) -> list[tuple[ChallengeDay, datetime]]:
    return [(bare_day(n, f"Day {n}"), T0 + timedelta(days=n - 1)) for n in range(1, days + 1)]


def comment(message_id: int, author: int = 7, day: int = 1) -> Comment:
    return Comment(
        guild_id=G,
        day=day,
        thread_id=900 + day,
        message_id=message_id,
        author_id=author,
        author_name=f"member {author}",
        content=f"reply {message_id} — مرحبا",
        attachments=(),
        reply_to=None,
        created_at=T0 + timedelta(minutes=message_id),
        edited_at=None,
        deleted=False,
        reactions=1,
        series="s",
    )


# --- one SQL text, two spellings ---------------------------------------------------------------


def test_placeholders_become_numbered_and_literals_are_left_alone() -> None:
    sql, args = postgres_statement("SELECT '?', x FROM t WHERE a = ? AND b = ?", (1, 2))
    assert sql == "SELECT '?', x FROM t WHERE a = $1 AND b = $2" and args == [1, 2]
    sql, args = postgres_statement(
        "UPDATE t SET a = :v WHERE b = :k OR c = :v AND d::text = 'x:y'", {"k": 1, "v": 2}
    )
    assert sql == "UPDATE t SET a = $1 WHERE b = $2 OR c = $1 AND d::text = 'x:y'"
    assert args == [2, 1]
    with pytest.raises(ValueError, match="mixes"):
        postgres_statement("SELECT ? WHERE a = :b", ())


def test_the_dialects_spell_the_few_differences() -> None:
    assert SQLITE.greatest("0", "x") == "max(0, x)"
    assert POSTGRESQL.greatest("0", "x") == "greatest(0, x)"
    assert "string_agg" in POSTGRESQL.distinct_list("c.day")
    assert SQLITE.distinct_list("c.day") == "group_concat(DISTINCT c.day)"


def test_both_migration_sets_end_at_one_schema_version() -> None:
    sqlite, postgres = bundled_migrations(SQLITE), bundled_migrations(POSTGRESQL)
    assert sqlite[-1].version == postgres[-1].version
    assert [m.version for m in postgres] == list(range(postgres[0].version, sqlite[-1].version + 1))


def test_a_password_never_reaches_a_log_line() -> None:
    assert redact("postgresql://bot:s3cret@db.example:5432/bot") == (
        "postgresql://bot:***@db.example:5432/bot"
    )
    assert PostgresDatabase("postgresql://bot:s3cret@h/bot").describe().count("s3cret") == 0
    assert redact("postgresql://h/bot") == "postgresql://h/bot"


def test_only_failures_that_pass_by_themselves_are_transient() -> None:
    """What the comment writer waits out instead of dropping: SQLite locked or busy, a
    PostgreSQL server briefly away or a lost race; never a bad row or a bug."""
    assert is_transient(sqlite3.OperationalError("database is locked"))
    assert is_transient(sqlite3.OperationalError("database table is locked: comments"))
    assert is_transient(sqlite3.OperationalError("database is busy"))
    assert is_transient(asyncpg.SerializationError("could not serialize access"))
    assert is_transient(asyncpg.CannotConnectNowError("the database system is starting up"))
    assert is_transient(ConnectionResetError())
    assert not is_transient(sqlite3.OperationalError("no such table: comments"))
    assert not is_transient(sqlite3.IntegrityError("NOT NULL constraint failed"))
    assert not is_transient(asyncpg.NotNullViolationError("null value in column"))
    assert not is_transient(TypeError("locked"))


# --- settings ----------------------------------------------------------------------------------


def test_database_url_chooses_the_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings().database_location == load_settings().database_path
    sqlite = load_settings(database_url="sqlite:///state/bot.sqlite3").database_location
    assert isinstance(sqlite, Path) and sqlite.is_absolute() and sqlite.name == "bot.sqlite3"
    url = "postgresql://bot:pw@127.0.0.1/bot"
    assert load_settings(database_url=url).database_location == url
    with pytest.raises(SettingsError) as caught:
        load_settings(database_url="mysql://bot:hunter2@h/bot")
    (line,) = caught.value.problems
    assert line.startswith("DATABASE_URL: expected sqlite:///") and "hunter2" not in line


# --- migrations --------------------------------------------------------------------------------


async def test_a_fresh_database_is_migrated_once_even_by_processes_starting_together(
    postgres: TemporaryPostgres,
) -> None:
    url = postgres.create_database("together")
    first, second = PostgresDatabase(url), PostgresDatabase(url)
    await asyncio.gather(first.open(), second.open())
    try:
        latest = bundled_migrations(POSTGRESQL)[-1].version
        assert await first.user_version() == await second.user_version() == latest
        rows = await first.fetchall("SELECT version FROM schema_version")
        assert [row["version"] for row in rows] == [latest]
    finally:
        await first.close()
        await second.close()


async def test_a_newer_schema_is_refused_and_left_alone(postgres: TemporaryPostgres) -> None:
    url = postgres.create_database("newer")
    db = PostgresDatabase(url)
    await db.open()
    await db.execute("UPDATE schema_version SET version = 999")
    await db.close()
    with pytest.raises(StoreError, match="newer version of the bot"):
        await PostgresDatabase(url).open()
    connection = await asyncpg.connect(url)
    try:
        assert await connection.fetchval("SELECT version FROM schema_version") == 999
    finally:
        await connection.close()


async def test_someone_elses_database_is_refused(postgres: TemporaryPostgres) -> None:
    url = postgres.create_database("foreign")
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("CREATE TABLE invoices (id int)")
    finally:
        await connection.close()
    with pytest.raises(StoreError, match="other tables"):
        await PostgresDatabase(url).open()


async def test_an_unreachable_server_is_one_clear_line() -> None:
    db = PostgresDatabase("postgresql://bot:pw@127.0.0.1:1/bot")
    with pytest.raises(StoreError) as caught:
        await db.open()
    assert "can't connect" in str(caught.value) and "pw" not in str(caught.value)


async def test_a_read_only_tool_never_creates_the_schema(postgres: TemporaryPostgres) -> None:
    url = postgres.create_database("readonly")
    with pytest.raises(NoDatabaseError, match="no bot database"):
        await PostgresDatabase(url).open(create=False)
    # `check` says so, and reads the version once the bot has made its tables
    assert (await check_postgres(url))[0][0].endswith("the bot creates its tables at the first run")
    db = PostgresDatabase(url)
    await db.open()
    await db.close()
    latest = bundled_migrations(POSTGRESQL)[-1].version
    assert await check_postgres(url) == ([f"{db.describe()}: schema version {latest}"], [])


def test_schedule_of_an_empty_database_is_the_env_one(
    postgres: TemporaryPostgres, tmp_path: Path
) -> None:
    """`challenge-bot schedule` with no bot database yet, SQLite or PostgreSQL: the `.env`
    settings, no rows, and no database made."""
    url = postgres.create_database("schedule_empty")
    for location in (url, f"sqlite:///{tmp_path / 'none.sqlite3'}"):
        settings = load_settings(_env_file=None, database_url=location, guild_id=G)
        stored = stored_schedule(settings)
        assert (stored.guild_id, stored.rows) == (G, [])
    assert not (tmp_path / "none.sqlite3").exists()
    assert asyncio.run(_has_schema(url)) is False


async def _has_schema(url: str) -> bool:
    connection = await asyncpg.connect(url)
    try:
        return bool(await connection.fetchval("SELECT to_regclass('schema_version') IS NOT NULL"))
    finally:
        await connection.close()


# --- exactly once across processes -------------------------------------------------------------


async def test_two_processes_claiming_the_same_day_one_wins(postgres: TemporaryPostgres) -> None:
    url = postgres.create_database("claims")
    one, two = PostgresDatabase(url), PostgresDatabase(url)
    await one.open()
    await two.open()
    try:
        await SeriesStore(one).sync_plan(G, "s", plan(12))
        for day in range(1, 13):
            won = await asyncio.gather(
                SeriesStore(one).claim(G, "s", day, nonce=f"a{day}", channel_id=5),
                SeriesStore(two).claim(G, "s", day, nonce=f"b{day}", channel_id=5),
            )
            assert sum(bool(w) for w in won) == 1, day
        grants = await asyncio.gather(
            *(MemberStore(db).claim_grant(G, "s", 7, 500, T0) for db in (one, two, one, two))
        )
        assert sum(grants) == 1
    finally:
        await one.close()
        await two.close()


# --- migrate-to --------------------------------------------------------------------------------


async def _filled_sqlite(path: Path) -> None:
    db = Database(path)
    await db.open()
    try:
        series = SeriesStore(db)
        await series.sync_plan(G, "s", plan(3))
        await series.claim(G, "s", 1, nonce="n1", channel_id=5)
        await CommentStore(db).apply([Record(comment(i, author=i % 3)) for i in range(1, 121)])
        await MemberStore(db).claim_grant(G, "s", 1, 500, T0)
        await db.execute(
            "INSERT INTO guild_settings (guild_id, key, value) VALUES (?, 'language', 'fr')", (G,)
        )
    finally:
        await db.close()


async def test_migrate_to_copies_every_row_and_verifies_the_counts(
    postgres: TemporaryPostgres,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "bot.sqlite3"
    await _filled_sqlite(path)
    url = postgres.create_database("moved")
    monkeypatch.setenv("DATABASE_PATH", str(path))
    monkeypatch.chdir(tmp_path)
    assert await asyncio.to_thread(main, ["migrate-to", url]) == 0
    out = capsys.readouterr().out
    assert "comments" in out and "120 →       120  ok" in out and "MISMATCH" not in out
    source, target = Database(path), PostgresDatabase(url)
    await source.open(create=False)
    await target.open()
    try:
        for table in STATE_TABLES:
            query = f"SELECT count(*) FROM {table}"
            assert (await source.fetchone(query))[0] == (await target.fetchone(query))[0], table  # type: ignore[index]
        assert await CommentStore(target).get(7) == await CommentStore(source).get(7)
        assert await SeriesStore(target).list_days(G, "s") == await SeriesStore(source).list_days(
            G, "s"
        )
    finally:
        await source.close()
        await target.close()
    # a second copy into the same database is refused: nothing is doubled
    assert await asyncio.to_thread(main, ["migrate-to", url]) == 2
    assert "already holds rows" in capsys.readouterr().err


def test_migrate_to_wants_a_postgresql_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "bot.sqlite3"))
    assert main(["migrate-to", "sqlite:///elsewhere.sqlite3"]) == 2
    assert "postgresql://" in capsys.readouterr().err


def test_settings_keep_database_path_working(tmp_path: Path) -> None:
    settings = Settings(database_path=tmp_path / "x.sqlite3")
    assert settings.database_location == tmp_path / "x.sqlite3"
    assert isinstance(database_at(settings.database_location), Database)


async def test_a_held_server_waits_and_a_dead_holder_frees_it(postgres: TemporaryPostgres) -> None:
    url = postgres.create_database("exclusive")
    one, two = PostgresDatabase(url), PostgresDatabase(url)
    await one.open()
    await two.open()
    order: list[str] = []
    try:

        async def hold(db: PostgresDatabase, name: str, seconds: float) -> None:
            async with db.exclusive("series:1:s"):
                order.append(f"{name} in")
                await asyncio.sleep(seconds)
                order.append(f"{name} out")

        first = asyncio.create_task(hold(one, "one", 0.3))
        await asyncio.sleep(0.1)
        await hold(two, "two", 0)
        await first
        assert order == ["one in", "one out", "two in", "two out"]
        # A process killed while holding it: its session ends, and so does the lock.
        dying = await asyncpg.connect(url)
        await dying.execute("SELECT pg_advisory_lock($1)", lock_key("series:1:s"))
        dying.terminate()
        await asyncio.wait_for(hold(two, "after", 0), timeout=5)
    finally:
        await one.close()
        await two.close()


async def test_more_servers_due_at_once_than_pooled_connections_all_get_their_turn(
    postgres: TemporaryPostgres,
) -> None:
    """Each held server lock keeps a pooled connection; the work under it needs another.
    Five servers due at the same moment with a pool of five once held every connection and
    waited for one forever (nothing was posted anywhere)."""
    db = PostgresDatabase(postgres.create_database("crowded"), pool_size=3)
    await db.open()
    done: list[int] = []
    try:

        async def step(guild: int) -> None:
            async with db.exclusive(f"series:{guild}:s"):
                await asyncio.sleep(0.01)  # every step holds its lock at the same time
                await db.fetchone("SELECT 1")
                done.append(guild)

        await asyncio.wait_for(asyncio.gather(*(step(g) for g in range(10))), timeout=10)
        assert sorted(done) == list(range(10))
    finally:
        await db.close()
