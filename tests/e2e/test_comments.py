"""Comments end to end: the real bot records replies in the challenge threads of the emulator,
keeps the record true across downtime, shows, exports and forgets them."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.settings import Settings
from bot.store import database_at
from bot.store.comments import CommentStore
from bot.store.timestamps import to_db
from devtools.emulator import Emulator, wait_for
from devtools.emulator.ids import MessageKind
from devtools.emulator.runner import BotRunner

pytestmark = pytest.mark.e2e


# --- helpers -----------------------------------------------------------------------------


def open_day_thread(emulator: Emulator, day: int, *, archived: bool = False) -> str:
    """A day's thread as the series posting leaves it, with the bot's question inside."""
    thread = emulator.open_day_thread(day, archived=archived)
    world = emulator.world
    world.store_message(world.new_message(int(thread), world.application_id, content="Reply here!"))
    return thread


def open_forum_day(emulator: Emulator, day: int) -> str:
    """A forum post: its starter message has the thread's id."""
    world = emulator.world
    forum = emulator.channel("challenges-forum")["id"]
    thread = world.add_thread(forum, f"Day {day}", owner_id=world.application_id)
    world.store_message(
        world.new_message(
            thread["id"], world.application_id, content="Day post", message_id=thread["id"]
        )
    )
    return str(thread["id"])


async def declare_days(location: str | Path, guild_id: str, threads: dict[int, str]) -> None:
    """Rows the series feature writes once a day's thread exists."""
    db = database_at(location)
    await db.open()
    try:
        for day, thread_id in threads.items():
            await db.execute(
                "INSERT INTO series_days (guild_id, series, day, title, planned_at, state, "
                "thread_id, posted_at) VALUES (?, ?, ?, ?, ?, 'posted', ?, ?)",
                (
                    int(guild_id),
                    SERIES,
                    day,
                    f"Day {day}",
                    to_db(datetime.now(UTC)),
                    int(thread_id),
                    to_db(datetime.now(UTC)),
                ),
            )
    finally:
        await db.close()


# The default series' first edition: what the commands read when no `series` is given.
SERIES = str(Settings.model_fields["series_id"].default)


def store_of(bot: Any) -> CommentStore:
    return CommentStore(bot.db)


async def comment(bot: Any, message: dict[str, Any]) -> Any:
    await bot.get_cog("Comments").service.writer.flush()
    return await store_of(bot).get(int(message["id"]))


async def wait_comment(bot: Any, message: dict[str, Any], check: Any = bool) -> Any:
    return await wait_for(
        lambda: _matching(bot, message, check), message=f"comment {message['id']} not as expected"
    )


async def _matching(bot: Any, message: dict[str, Any], check: Any) -> Any:
    found = await comment(bot, message)
    return found if found is not None and check(found) else None


@pytest.fixture
async def days(emulator: Emulator, make_settings: Callable[..., Settings]) -> dict[int, str]:
    threads = {1: open_day_thread(emulator, 1), 2: open_day_thread(emulator, 2)}
    await declare_days(make_settings().database_location, emulator.guild_id, threads)
    return threads


# --- recording ---------------------------------------------------------------------------


async def test_replies_edits_deletes_and_reactions_are_recorded(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    bot = await bot_runner.start()
    amina, youssef, karim = (emulator.member(n) for n in ("amina", "youssef", "karim"))
    thread = days[1]

    first = await amina.says(thread, "Education needs Darija NLP", attachments=[("plan.txt", b"x")])
    reply = await youssef.says(thread, "Agreed!", reply_to=first)
    deeper = await karim.says(thread, "And tutors in Tamazight", reply_to=reply)

    recorded = await wait_comment(bot, deeper)
    assert recorded.reply_to == int(reply["id"]) and recorded.day == 1
    top = await comment(bot, first)
    assert top.author_name == "Amina" and top.reply_to is None
    assert [a.name for a in top.attachments] == ["plan.txt"]
    assert (await comment(bot, reply)).reply_to == int(first["id"])

    await amina.edits(first, "Education needs Darija and Tamazight NLP")
    edited = await wait_comment(bot, first, lambda c: c.edited_at is not None)
    assert edited.content == "Education needs Darija and Tamazight NLP"

    await youssef.reacts(first, "👍")
    await karim.reacts(first, "🔥")
    await karim.reacts(first, "👍")
    await karim.unreacts(first, "🔥")
    assert (await wait_comment(bot, first, lambda c: c.reactions == 2)).reactions == 2

    await youssef.deletes(reply)
    gone = await wait_comment(bot, reply, lambda c: c.deleted)
    assert gone.content == "" and gone.attachments == ()

    extra = await karim.says(thread, "one more")
    emulator.world.message_in(thread, deeper["id"]).deleted = True  # type: ignore[union-attr]
    emulator.world.message_in(thread, extra["id"]).deleted = True  # type: ignore[union-attr]
    emulator.dispatch(
        "MESSAGE_DELETE_BULK",
        {"ids": [deeper["id"], extra["id"]], "channel_id": thread, "guild_id": emulator.guild_id},
    )
    await emulator.drain()
    assert (await wait_comment(bot, extra, lambda c: c.deleted)).content == ""
    assert (await comment(bot, deeper)).deleted

    emulator.dispatch(
        "MESSAGE_REACTION_REMOVE_ALL",
        {"channel_id": thread, "message_id": first["id"], "guild_id": emulator.guild_id},
    )
    await emulator.drain()
    assert (await wait_comment(bot, first, lambda c: c.reactions == 0)).reactions == 0
    assert (await store_of(bot).day_stats(int(emulator.guild_id), SERIES, 1)).comments == 1


async def test_only_member_replies_in_challenge_threads_count(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    forum_day = open_forum_day(emulator, 3)
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, {3: forum_day}
    )
    bot = await bot_runner.start()
    amina = emulator.member("amina")
    study_group = next(t for t in emulator.world.threads() if t["name"] == "study-group")

    ignored = [
        await amina.says("general", "not a challenge thread"),
        await amina.says(study_group["id"], "a thread, but not a challenge one"),
    ]
    world = emulator.world
    bot_post = world.store_message(world.new_message(days[1], world.application_id, content="bot"))
    pin_notice = world.store_message(
        world.new_message(days[1], amina.id, kind=MessageKind.CHANNEL_PINNED_MESSAGE)
    )
    for stored in (bot_post, pin_notice):
        emulator.dispatch("MESSAGE_CREATE", emulator.messages.payload(stored))
    counted = await amina.says(forum_day, "forum replies count")
    await wait_comment(bot, counted)

    assert (await comment(bot, counted)).day == 3
    for message in ignored:
        assert await comment(bot, message) is None
    for stored in (bot_post, pin_notice):
        assert await store_of(bot).get(int(stored.id)) is None
    assert await store_of(bot).get(int(forum_day)) is None  # the forum starter
    assert await store_of(bot).count() == 1


async def test_a_newly_posted_day_is_recorded_without_restart(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await bot_runner.start()
    thread = open_day_thread(emulator, 4)
    early = await emulator.member("omar").says(thread, "first!")  # before the bot knows the thread
    await declare_days(bot_runner.settings.database_location, emulator.guild_id, {4: thread})
    bot.dispatch("challenge_posted", int(emulator.guild_id), 4, int(thread))
    later = await emulator.member("salma").says(thread, "second")
    assert (await wait_comment(bot, later)).day == 4
    assert (await wait_comment(bot, early)).content == "first!"  # picked up by the backfill


# --- nothing lost ------------------------------------------------------------------------


async def test_downtime_is_backfilled_once_and_reconciled(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str], tmp_path: Path
) -> None:
    archived = open_day_thread(emulator, 3)
    await declare_days(
        bot_runner.make_settings().database_location, emulator.guild_id, {3: archived}
    )
    bot = await bot_runner.start()
    amina, youssef = emulator.member("amina"), emulator.member("youssef")
    kept = await amina.says(days[1], "posted while the bot runs")
    to_edit = await youssef.says(days[1], "typo teh")
    to_delete = await youssef.says(days[1], "delete me")
    await youssef.reacts(kept, "👍")
    await wait_comment(bot, to_delete)
    await bot_runner.stop()

    # While the bot is away: 500 replies, an edit, a delete, a reaction, and an old thread
    # that got replies and then archived.
    messages = emulator.messages
    members = [emulator.member(n).id for n in ("amina", "youssef", "karim", "salma", "omar")]
    offline = [
        messages.create(days[2], members[i % 5], {"content": f"offline reply {i}"})
        for i in range(500)
    ]
    messages.edit(messages.message(days[1], to_edit["id"]), youssef.id, {"content": "typo the"})
    messages.delete(messages.message(days[1], to_delete["id"]), youssef.id)
    messages.react(messages.message(days[1], kept["id"]), amina.id, "🎉")
    in_archive = messages.create(archived, amina.id, {"content": "late thought"})
    emulator.world.channels[archived]["thread_metadata"]["archived"] = True

    bot = await bot_runner.restart()
    service = bot.get_cog("Comments").service
    report = await wait_for(service.wait_backfill, timeout=20)
    store = store_of(bot)
    guild = int(emulator.guild_id)
    assert (await store.day_stats(guild, SERIES, 2)).comments == 500
    assert {c.content for c in await store.for_export(guild, SERIES, 2)} == {
        f"offline reply {i}" for i in range(500)
    }
    assert (await store.get(int(in_archive.id))).content == "late thought"  # type: ignore[union-attr]
    assert (await store.get(int(to_edit["id"]))).content == "typo the"  # type: ignore[union-attr]
    assert (await store.get(int(to_edit["id"]))).edited_at is not None  # type: ignore[union-attr]
    assert (await store.get(int(to_delete["id"]))).deleted  # type: ignore[union-attr]
    assert (await store.get(int(kept["id"]))).reactions == 2  # type: ignore[union-attr]
    assert (report.new, report.updated, report.deleted) == (501, 2, 1)
    assert offline[0].id and report.failed_threads == []

    # A second restart finds nothing new: every reply is recorded exactly once.
    bot = await bot_runner.restart()
    report = await wait_for(bot.get_cog("Comments").service.wait_backfill, timeout=20)
    assert (report.new, report.updated, report.deleted) == (0, 0, 0)
    assert await store_of(bot).count(guild) == 3 + 500 + 1


async def test_a_killed_bot_loses_no_reply(
    bot_process: Any, bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    process = bot_process()
    process.start()
    await process.wait_ready()
    members = [emulator.member(n) for n in ("amina", "youssef", "karim")]
    posted = [await members[i % 3].says(days[1], f"burst {i}", drain=False) for i in range(200)]
    await emulator.drain()
    process.kill()  # SIGKILL: queued writes die with it
    assert await process.wait() != 0

    bot = await bot_runner.start()
    await wait_for(bot.get_cog("Comments").service.wait_backfill, timeout=20)
    stored = await store_of(bot).for_export(int(emulator.guild_id), SERIES, 1)
    assert [c.message_id for c in stored] == [int(m["id"]) for m in posted]


async def test_a_gateway_resume_triggers_a_backfill(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    bot = await bot_runner.start()
    service = bot.get_cog("Comments").service
    await wait_for(service.wait_backfill)
    before = service.last_report
    await emulator.drop_gateway()
    await wait_for(lambda: emulator.gateway.resume_count == 1)
    await wait_for(lambda: service.last_report is not before)
    message = await emulator.member("karim").says(days[1], "after the resume")
    assert (await wait_comment(bot, message)).content == "after the resume"


# --- showing, exporting, privacy ------------------------------------------------------------


async def _conversation(emulator: Emulator, thread: str, count: int = 7) -> list[dict[str, Any]]:
    amina, youssef = emulator.member("amina"), emulator.member("youssef")
    posted = []
    for i in range(count):
        author = amina if i % 2 == 0 else youssef
        reply_to = posted[-1] if posted and i % 3 == 0 else None
        posted.append(
            await author.says(thread, f"point {i} @everyone", reply_to=reply_to, drain=False)
        )
    await emulator.drain()
    return posted


async def test_comments_day_pages_for_the_invoker_only(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    bot = await bot_runner.start()
    posted = await _conversation(emulator, days[1], count=7)
    await wait_comment(bot, posted[-1])
    karim = emulator.member("karim")

    answer = await karim.runs("comments day", day=1)
    assert not answer.ephemeral
    assert "**7** comment(s) from **2** participant(s)" in answer.text
    assert "point 6" in answer.text and "point 1" not in answer.text  # newest first, 5 a page
    assert posted[-1]["id"] in answer.text  # jump link
    assert "Page 1/2" in answer.text

    refused = await emulator.member("amina").clicks(answer.record.original, "Next")
    assert refused.ephemeral and "belong to whoever ran" in refused.text
    turned = await answer.click("Next")  # deferred, then the same message edited in place
    assert turned.record.original is answer.record.original
    description = turned.embed["description"]
    assert "point 1" in description and "point 6" not in description
    assert turned.embed["footer"]["text"] == "Page 2/2"

    empty = await karim.runs("comments day", day=9)
    assert "No comments recorded for day 9" in empty.text
    assert emulator.recorder.pinging() == []


async def test_comments_day_answers_while_the_writer_is_busy(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    bot = await bot_runner.start()
    posted = await _conversation(emulator, days[1], count=2)
    await wait_comment(bot, posted[-1])
    writer = bot.get_cog("Comments").service.writer
    async with writer._lock:  # a long batch is being committed (backfill, busy database)
        answer = await emulator.member("karim").runs("comments day", day=1)
    assert "**2** comment(s) from **2** participant(s)" in answer.text


async def test_export_is_for_admins_in_every_format(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    bot = await bot_runner.start()
    posted = await _conversation(emulator, days[1], count=4)
    await wait_comment(bot, posted[-1])

    refused = await emulator.member("amina").runs("comments export")
    assert refused.ephemeral and "Manage Server" in refused.text and not refused.files

    as_json = await emulator.admin.runs("comments export", day=1, format="json")
    assert as_json.ephemeral
    document = json.loads(as_json.files[0].data)
    roots = document["days"][0]["threads"]
    assert [r["message_id"] for r in roots] == [posted[0]["id"], posted[1]["id"], posted[2]["id"]]
    assert roots[2]["replies"][0]["message_id"] == posted[3]["id"]  # point 3 replies to point 2

    as_csv = await emulator.admin.runs("comments export", format="csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.files[0].data.decode(), newline="")))
    assert [r["content"] for r in rows] == [f"point {i} @everyone" for i in range(4)]

    as_md = await emulator.admin.runs("comments export", format="md")
    text = as_md.files[0].data.decode()
    assert all(f"point {i}" in text for i in range(4))
    assert as_md.files[0].filename.endswith(".md")
    assert "4 comment(s) for all days" in as_md.text

    nothing = await emulator.admin.runs("comments export", day=7)
    assert "No comments recorded for day 7" in nothing.text and not nothing.files


async def test_mydata_and_forgetme_touch_only_the_member_who_asks(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str]
) -> None:
    bot = await bot_runner.start()
    posted = await _conversation(emulator, days[1], count=6)  # amina: 0, 2, 4; youssef: 1, 3, 5
    amina_day2 = await emulator.member("amina").says(days[2], "day two thoughts")
    await wait_comment(bot, amina_day2)
    await wait_comment(bot, posted[-1])
    amina, youssef = emulator.member("amina"), emulator.member("youssef")
    guild = int(emulator.guild_id)

    mine = await amina.runs("mydata")
    assert mine.ephemeral and "**4** comment(s) on **2** day(s)" in mine.text
    assert "Day 1: 3 comment(s)" in mine.text and "Day 2: 1 comment(s)" in mine.text
    document = json.loads(mine.files[0].data)
    assert {c["author_id"] for c in document["comments"]} == {amina.id}
    assert len(document["comments"]) == 4

    cancelled = await (await amina.runs("forgetme")).click("Cancel")
    assert "nothing was erased" in cancelled.text
    assert len(await store_of(bot).user_comments(guild, int(amina.id))) == 4

    prompt = await amina.runs("forgetme")
    assert prompt.ephemeral and "records nothing more from you" in prompt.text
    meddling = await youssef.clicks(prompt.record.original, "Confirm")
    assert meddling.ephemeral and "belong to whoever ran" in meddling.text
    assert len(await store_of(bot).user_comments(guild, int(amina.id))) == 4
    done = await prompt.click("Confirm")
    assert "4 stored comment(s) erased" in done.content
    assert await store_of(bot).user_comments(guild, int(amina.id)) == []
    assert len(await store_of(bot).user_comments(guild, int(youssef.id))) == 3

    after = await amina.says(days[1], "am I still recorded?")
    control = await youssef.says(days[1], "I am")
    await wait_comment(bot, control)
    assert await comment(bot, after) is None
    assert (await store_of(bot).day_stats(guild, SERIES, 1)).participants == 1

    # Restarting doesn't bring anything back: backfill skips erased members.
    bot = await bot_runner.restart()
    await wait_for(bot.get_cog("Comments").service.wait_backfill)
    assert await store_of(bot).user_comments(guild, int(amina.id)) == []
    again = await amina.runs("mydata")
    assert "No comments of yours" in again.text and "asked to be forgotten" in again.text
    assert not again.files


async def test_cli_exports_and_erases_while_the_bot_runs(
    bot_runner: BotRunner, emulator: Emulator, days: dict[int, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = await bot_runner.start()
    omar, salma = emulator.member("omar"), emulator.member("salma")
    first = await omar.says(days[1], "from omar")
    reply = await salma.says(days[1], "from salma", reply_to=first)
    await wait_comment(bot, reply)
    await bot.get_cog("Comments").service.writer.flush()
    settings = bot_runner.settings
    assert settings is not None
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    if settings.database_url is not None:  # the PostgreSQL run: the CLI reads the same state
        monkeypatch.setenv("DATABASE_URL", settings.database_url.get_secret_value())
    monkeypatch.setenv("GUILD_ID", emulator.guild_id)
    out = settings.database_path.parent / "day1.json"

    assert await asyncio.to_thread(main, ["export", "--day", "1", "--out", str(out)]) == 0
    (root,) = json.loads(out.read_text("utf-8"))["days"][0]["threads"]
    assert root["content"] == "from omar" and root["replies"][0]["content"] == "from salma"

    assert await asyncio.to_thread(main, ["erase-user", omar.id, "--yes"]) == 0
    guild = int(emulator.guild_id)
    assert await store_of(bot).user_comments(guild, int(omar.id)) == []
    assert len(await store_of(bot).user_comments(guild, int(salma.id))) == 1
    # The running bot didn't hear about it, but the store refuses new rows for omar.
    late = await omar.says(days[1], "still there?")
    control = await salma.says(days[1], "yes")
    await wait_comment(bot, control)
    assert await comment(bot, late) is None
