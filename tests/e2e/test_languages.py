"""Languages end to end: a member whose Discord is in French gets French, a member who chose
Arabic gets Arabic, public posts follow the server's language, /forgetme erases the choice.

Expected texts come from the catalogue itself (the translators may reword a sentence), and
every one is checked to differ from the English, so a reply left in English fails.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.i18n import ENGLISH, Language, messages
from devtools.emulator import Emulator, wait_for
from devtools.emulator.runner import BotRunner
from tests.e2e.test_series import FIXTURES, all_done, soon

pytestmark = pytest.mark.e2e

FRENCH, ARABIC = messages(Language.FRENCH), messages(Language.ARABIC)
ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
HELP_INTRO = "Reply in each day's challenge thread to take part. Commands:"
ABOUT_FIELD = "What the bot stores"
SAME_IN_FRENCH = {"stats"}  # command names French writes as English does
EXTENSIONS = (
    "cogs.meta",
    "cogs.language",
    "cogs.comments",
    "cogs.keywords",
    "cogs.participation",
)


def translated(tr: Any, message: str) -> str:
    text = str(tr._(message))
    assert text != message, f"no {tr.language} translation of {message!r}"
    return text


async def test_a_french_discord_gets_french_commands_and_replies(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    await bot_runner.start(extensions=EXTENSIONS)
    # The synced commands carry French names and descriptions the emulator validated.
    synced = emulator.world.commands_for(emulator.guild_id)
    localised = {c["name"] for c in synced if "fr" in (c.get("name_localizations") or {})}
    assert synced and {c["name"] for c in synced} - localised <= SAME_IN_FRENCH
    assert all("fr" in (c.get("description_localizations") or {}) for c in synced)

    amina = emulator.member("amina")
    amina.locale = "fr"
    help_ = await amina.runs("help")
    assert help_.ephemeral and translated(FRENCH, HELP_INTRO) in help_.text
    # /help names the commands as her French client shows them.
    keyword = next(c for c in synced if c["name"] == "keyword")
    assert f"/{keyword['name_localizations']['fr']}" in help_.text

    youssef = emulator.member("youssef")  # English client, no choice: English
    assert HELP_INTRO in (await youssef.runs("help")).text


async def test_a_member_who_chooses_arabic_reads_arabic_until_forgotten(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    bot = await bot_runner.start(extensions=EXTENSIONS)
    salma = emulator.member("amina")
    salma.locale = "fr"  # her own choice beats her client's language
    chosen = await salma.runs("language", language="ar")
    assert chosen.ephemeral and ARABIC_LETTER.search(chosen.text)
    about = await salma.runs("about")
    assert translated(ARABIC, ABOUT_FIELD) in about.text
    assert "\u2068" in about.text or ARABIC_LETTER.search(about.text)  # isolated inserts

    # An Arabic reader gets the article's Arabic summary, with the English text behind it.
    article = await salma.runs("keyword", term="deep learning")
    summary = await bot.get_cog("Keywords").service.resolve("deep learning")
    expected = summary.article.summary("ar")
    assert expected and expected[:40] in article.embed["description"]
    assert any(translated(ARABIC, "Read more") == b.get("label") for b in article.buttons()), (
        article.buttons
    )

    mydata = await salma.runs("mydata")
    assert "العربية" in mydata.text

    prompt = await salma.runs("forgetme")
    await prompt.click(ARABIC._("Confirm"))
    assert await bot.languages.chosen(int(salma.id)) is None
    # Forgotten: back to her client's language (French).
    assert translated(FRENCH, HELP_INTRO) in (await salma.runs("help")).text


async def test_public_posts_follow_the_server_language(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    before = {t["id"] for t in emulator.threads_of("challenges")}  # the server's own
    bot = await bot_runner.start(
        extensions=("cogs.meta", "cogs.series", "cogs.language", "cogs.comments"),
        series_dir=FIXTURES,
        series_start=soon(3.0),
        series_interval=timedelta(seconds=1),
        answer_delay=timedelta(0),
        bot_language="fr",
    )
    admin = emulator.member("organiser")
    english_admin = await admin.runs("challenge language", language="ar")
    assert english_admin.ephemeral
    assert await bot.languages.server_language(bot.settings.guild_id) is Language.ARABIC
    await wait_for(lambda: all_done()(bot), timeout=90, message="the series did not finish")
    threads = [t for t in emulator.threads_of("challenges") if t["id"] not in before]
    assert len(threads) == 12, [t["name"] for t in threads]
    # Thread names and the bot's framing around the organiser's text are Arabic.
    assert all(ARABIC_LETTER.search(t["name"]) for t in threads)
    join = translated(ARABIC, "## 💬 Join the Conversation")
    openers = [emulator.bot_messages(t)[0]["content"] for t in threads]
    assert all(join in opener for opener in openers)
    # A member's private reply still follows the member (English client, no choice → the
    # server's language, Arabic).
    assert ARABIC_LETTER.search((await emulator.member("youssef").runs("about")).text)


def test_the_expected_texts_differ_from_english() -> None:
    assert translated(FRENCH, HELP_INTRO) != ENGLISH._(HELP_INTRO)
