"""Series declared by series.yml: loading, clear errors, per-series overrides, and two
series side by side on one database (fake Discord, fake clock)."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from bot.cli.doctor import check_more_series
from bot.series.config import PAUSED_KEY, START_KEY, effective_config
from bot.series.definition import (
    DefinitionError,
    default_definition,
    load_definition,
    load_definitions,
)
from bot.series.loader import load_series
from bot.series.service import SeriesService
from bot.store import Database
from bot.store.series import record_key, series_of
from tests.days import first_days
from tests.fakes import FakeClock, FakeTimers
from tests.unit.test_series_service import (
    FIXTURES,
    GUILD,
    FakeBot,
    FakePublisher,
    make_settings,
)


def folder_with(tmp_path: Path, text: str, name: str = "topic") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "series.yml").write_text(text, encoding="utf-8")
    return folder


def test_a_series_yml_with_its_own_schedule(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    folder = folder_with(
        tmp_path,
        "id: topic-week\nname: Topic of the Week\nchannel_id: 88\nstart: 2027-01-04\n"
        "post_time: 18:30\ninterval: 7d\n",
    )
    found = load_definition(folder, settings)
    assert (found.id, found.name, found.channel_id) == ("topic-week", "Topic of the Week", 88)
    assert found.start == date(2027, 1, 4) and found.post_time == time(18, 30)
    assert found.interval == timedelta(days=7)
    assert found.tz == settings.tz and found.answer_delay == settings.answer_delay  # from .env
    assert found.guild_id == GUILD and not found.default and found.content_dir == folder
    assert found.key(START_KEY) == f"{START_KEY}:topic-week"
    assert default_definition(settings).key(START_KEY) == START_KEY  # today's keys unchanged


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: topic\nname: [unclosed\n", "series.yml:2: not valid YAML"),
        ("- just\n- a list\n", "expected `key: value` lines"),
        ("id: topic\nchanel_id: 5\n", "series.yml:2: unknown key 'chanel_id'"),
        ("id: topic\n\ninterval: fast\n", "series.yml:3: interval 'fast'"),
        ("id: Topic Week\n", "`id` must be"),
        ("name: no id\n", "`id` must be"),
        ("id: topic\ninterval: weekly\n", "interval 'weekly' is not a duration"),
        ("id: topic\ninterval: 0s\n", "series.yml:2: interval '0s' is too short"),
        ("id: topic\nchannel_id: '#general'\n", "channel_id '#general' is not a Discord id"),
        ("id: topic\nstart: next monday\n", "start 'next monday' is not a date"),
        ("id: topic\ntimezone: Mars/Olympus\n", "Mars/Olympus"),
        ("id: topic\npost_time: '25:00'\n", "post_time '25:00'"),
    ],
)
def test_a_broken_series_yml_names_the_file_and_the_problem(
    tmp_path: Path, text: str, expected: str
) -> None:
    folder = folder_with(tmp_path, text)
    with pytest.raises(DefinitionError) as caught:
        load_definition(folder, make_settings(tmp_path))
    assert str(folder / "series.yml") in str(caught.value)
    assert expected in str(caught.value)


def test_one_broken_or_clashing_series_costs_only_itself(tmp_path: Path) -> None:
    good = folder_with(tmp_path, "id: topic\nchannel_id: 5\n", "good")
    clash = folder_with(tmp_path, "id: ml-dl-morocco\n", "clash")
    broken = folder_with(tmp_path, "id: [\n", "broken")
    missing = tmp_path / "missing"
    dirs = ",".join(str(p) for p in (good, clash, broken, missing))
    settings = make_settings(tmp_path, extra_series_dirs=dirs, series_id="ml-dl-morocco")
    definitions, problems = load_definitions(settings)
    assert [d.id for d in definitions] == ["ml-dl-morocco", "topic"]
    assert len(problems) == 3
    assert any("already used" in p and "clash" in p for p in problems)
    assert any("broken" in p and "YAML" in p for p in problems)
    assert any("missing" in p and "can't be read" in p for p in problems)
    titles = [title for title, _, _ in check_more_series(settings)]
    assert titles[0] == "Series files (EXTRA_SERIES_DIRS)" and "Series topic" in titles[1]


def test_overrides_belong_to_one_series(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    topic = load_definition(folder_with(tmp_path, "id: topic\nchannel_id: 5\n"), settings)
    overrides = {f"{PAUSED_KEY}:topic": "1", START_KEY: "2027-02-01"}
    main = effective_config(settings, overrides, guild_id=GUILD)
    other = effective_config(settings, overrides, guild_id=GUILD, definition=topic)
    assert main.start == date(2027, 2, 1) and not main.paused
    assert other.start is None and other.paused and other.channel_id == 5
    elsewhere = effective_config(settings, {}, guild_id=GUILD + 1, definition=topic)
    assert elsewhere.channel_id is None  # its channel belongs to its own server


def test_records_name_their_series() -> None:
    for edition, kind in ((1, "live"), (3, "live"), (2, "rehearsal")):
        assert series_of(record_key("topic-week", edition, kind)) == "topic-week"


async def test_two_series_on_one_database_keep_their_own_rows_and_timers(
    tmp_path: Path,
) -> None:
    start = datetime(2029, 6, 4, 8, 0, tzinfo=UTC)  # 09:00 in Casablanca (UTC+1, no Ramadan)
    settings = make_settings(tmp_path, series_start=start.date().isoformat())
    days = load_series(FIXTURES)
    folder = folder_with(
        tmp_path, f"id: topic\nchannel_id: 88\nstart: '{start.date()}T12:00'\ninterval: 2d\n"
    )
    topic = load_definition(folder, settings)
    db = Database(settings.database_path)
    await db.open()
    try:
        clock = FakeClock(start - timedelta(hours=1))
        timers = FakeTimers(clock)
        bot = FakeBot(settings, db)
        services = []
        for base, definition in ((1000, default_definition(settings)), (5000, topic)):
            publisher = FakePublisher(clock=clock, id_base=base)
            service = SeriesService(
                settings,
                db,
                days,
                [],
                discord=bot.discord,
                publisher=publisher,  # type: ignore[arg-type]
                dispatch=bot.dispatch,
                clock=clock,
                timers=timers,
                definition=definition,
            )
            publisher.store = service.store
            services.append((service, publisher))
            await service.start(GUILD)
        (main, main_posts), (other, other_posts) = services
        assert timers.when(f"series:{GUILD}") == start
        assert timers.when(f"series:{GUILD}:topic") == start + timedelta(hours=3)
        for hours in range(0, 24 * 5, 1):  # five days, one hour at a time
            clock.set(start + timedelta(hours=hours))
            for service, _ in services:
                await service.wake(GUILD)
        assert [d for d, _, _ in main_posts.posts] == [1, 2, 3, 4, 5]
        assert [d for d, _, _ in other_posts.posts] == [1, 2, 3]  # every 2 days from noon
        await other.pause(GUILD)
        assert (await other.config(GUILD)).paused and not (await main.config(GUILD)).paused
        main_rows, other_rows = await main.rows(GUILD), await other.rows(GUILD)
        assert {r.series for r in main_rows} == {settings.series_id}
        assert {r.series for r in other_rows} == {"topic"}
    finally:
        await db.close()


def test_schedule_cli_shows_the_series_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli.series import schedule

    folder = first_days(tmp_path, 3)
    (folder / "series.yml").write_text(
        "id: topic\nname: Topic of the Week\nchannel_id: 5\nstart: 2030-03-04\n", encoding="utf-8"
    )
    settings = make_settings(tmp_path, extra_series_dirs=str(folder))
    assert schedule(settings, argparse.Namespace(series="topic")) == 0
    out = capsys.readouterr().out
    assert out.startswith("Topic of the Week: 3 days") and "2030-03-04" in out
    assert "Other series: ml-dl-morocco" in out
    assert schedule(settings, argparse.Namespace(series=None)) == 0
    assert "Other series: topic (Topic of the Week)" in capsys.readouterr().out
    assert schedule(settings, argparse.Namespace(series="nope")) == 2
    assert "no series 'nope'" in capsys.readouterr().err
