"""The message catalogue: complete in every language, placeholders intact, plurals and
right-to-left text handled, slash commands localised within Discord's rules."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands

from bot.i18n import ENGLISH, Language, messages
from bot.i18n.catalogue import FSI, PDI, Messages, read_catalogue
from bot.i18n.choice import LanguageChoice
from bot.i18n.commands import CommandTranslator, language_of_locale
from bot.store.database import Database
from bot.store.languages import LanguageStore
from devtools import translations
from devtools.emulator.validation import DiscordError, check_commands

ARABIC_LETTER = re.compile(r"[\u0600-\u06FF]")
# What UTF-8 Arabic or French looks like when decoded as Latin-1/cp1252.
MOJIBAKE = re.compile(r"Ã.|Ø.|Ù.|â€|Â")


@pytest.fixture(scope="module")
def template() -> Any:
    return translations.template()


@pytest.mark.parametrize("language", [Language.FRENCH, Language.ARABIC])
def test_every_message_is_translated_with_the_same_placeholders(
    language: Language, template: Any
) -> None:
    problems = translations.problems(language, translations.read(language), template)
    assert problems == [], "\n".join(problems)


def test_the_catalogue_holds_every_message_of_the_code(template: Any) -> None:
    """A new `_()` call without a catalogue entry fails here (run the update)."""
    ids = {(m.id if isinstance(m.id, str) else m.id[0]) for m in template if m.id}
    assert len(ids) > 250  # the whole bot, not a sample
    assert "Reply in each day's challenge thread to take part. Commands:" in ids
    assert "help" in ids  # command names come from the command objects


@pytest.mark.parametrize("language", [Language.FRENCH, Language.ARABIC])
def test_translations_read_well(language: Language) -> None:
    catalogue = translations.read(language)
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for text in strings:
            assert not MOJIBAKE.search(text), f"mojibake in {message.id!r}: {text!r}"
            assert "\ufffd" not in text
            # Markdown and code spans survive translation in pairs.
            assert text.count("`") % 2 == 0, f"unbalanced code span: {text!r}"
            assert text.count("**") % 2 == 0, f"unbalanced bold: {text!r}"
            words = re.sub(r"\{\w+\}|[*`_:]", "", text).strip()
            if language is Language.ARABIC and len(words) > 12 and message.context is None:
                assert ARABIC_LETTER.search(text), f"not Arabic: {message.id!r} → {text!r}"


def test_arabic_has_all_six_plural_forms() -> None:
    tr = messages(Language.ARABIC)
    forms = {tr.n_("{count} comment", "{count} comments", n) for n in (0, 1, 2, 3, 11, 100)}
    assert len(forms) >= 5  # zero, one, two, few, many, other (some may coincide in wording)
    for n in (0, 1, 2, 3, 11, 100):
        text = tr.n_("{count} comment", "{count} comments", n)
        assert ARABIC_LETTER.search(text)


def test_english_plurals_and_placeholders() -> None:
    assert ENGLISH.n_("{count} comment", "{count} comments", 1) == "1 comment"
    assert ENGLISH.n_("{count} comment", "{count} comments", 2) == "2 comments"
    assert ENGLISH._("Day {day}", day=3) == "Day 3"


def test_arabic_isolates_values_but_not_links_or_blocks() -> None:
    tr = Messages(Language.ARABIC, messages(Language.ENGLISH)._translations)
    assert tr._("a {x} b", x="Deep Learning") == f"a {FSI}Deep Learning{PDI} b"
    assert tr._("a {x} b", x=12) == f"a {FSI}12{PDI} b"
    assert tr._("[jump]({url})", url="https://discord.com/x") == "[jump](https://discord.com/x)"
    assert tr._("{x}", x="one\ntwo") == "one\ntwo"
    assert ENGLISH._("a {x} b", x="Deep Learning") == "a Deep Learning b"  # no marks in English


def test_a_broken_translation_falls_back_to_english(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    po = tmp_path / "bot.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Day {day}"\nmsgstr "Jour {jour}"\n',
        encoding="utf-8",
    )
    tr = Messages(Language.FRENCH, read_catalogue(po))
    assert tr._("Day {day}", day=4) == "Day 4"
    assert "Broken" in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fr", Language.FRENCH),
        ("FR-fr", Language.FRENCH),
        ("Français", Language.FRENCH),
        ("french", Language.FRENCH),
        ("ar_MA", Language.ARABIC),
        ("العربية", Language.ARABIC),
        ("en-GB", Language.ENGLISH),
        ("de", None),
        ("", None),
        (None, None),
    ],
)
def test_language_names(text: str | None, expected: Language | None) -> None:
    assert Language.parse(text) is expected


def test_discord_locales() -> None:
    assert language_of_locale(discord.Locale.french) is Language.FRENCH
    assert language_of_locale("fr") is Language.FRENCH
    assert language_of_locale("en-US") is None
    assert language_of_locale("xx") is None
    assert language_of_locale(None) is None


async def _payloads() -> list[dict[str, Any]]:
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    translator = CommandTranslator()
    found = [
        await command.get_translated_payload(tree, translator)
        for command in translations.command_objects()
    ]
    await client.close()
    return found


def _walk(item: dict[str, Any]) -> Any:
    yield item
    for option in item.get("options") or []:
        yield from _walk(option)


def test_every_command_is_localised_in_french_within_discords_rules() -> None:
    payloads = asyncio.run(_payloads())
    try:
        check_commands(payloads)  # the emulator's validator: names, lengths, locales, size
    except DiscordError as exc:
        pytest.fail(f"Discord would refuse the commands: {json.dumps(exc.errors)}")
    french = translations.read(Language.FRENCH)
    # A name French writes like English ("stats", "pause") needs no localisation.
    same = {m.id for m in french if m.context and m.context.endswith("_name") and m.string == m.id}
    for command in payloads:
        for item in _walk(command):
            assert item["name"] in same or "fr" in (item.get("name_localizations") or {}), item
            assert "fr" in (item.get("description_localizations") or {}), item["name"]
            for choice in item.get("choices") or []:
                native = choice["name"] in {language.label for language in Language}
                localised = "fr" in (choice.get("name_localizations") or {})
                assert native or choice["name"] in same or localised, choice
    names = [(c.get("name_localizations") or {}).get("fr", c["name"]) for c in payloads]
    assert len(names) == len(set(names))


def test_the_validator_refuses_bad_localisations() -> None:
    bad = {
        "name": "stats",
        "description": "Stats",
        "type": 1,
        "name_localizations": {"fr": "Statistiques Du Jour"},
        "description_localizations": {"fr": "x" * 101, "ar": "إحصاءات"},
    }
    with pytest.raises(DiscordError) as caught:
        check_commands([bad])
    text = json.dumps(caught.value.errors)
    assert "APPLICATION_COMMAND_INVALID_NAME" in text
    assert "BASE_TYPE_BAD_LENGTH" in text or "LENGTH" in text
    assert "LOCALE_INVALID" in text


async def test_who_reads_which_language(tmp_path: Path) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    try:
        choice = LanguageChoice(LanguageStore(db), Language.ENGLISH)
        assert await choice.member_language(1, 10) is Language.ENGLISH
        # The client's language beats the server's …
        assert await choice.member_language(1, 10, Language.FRENCH) is Language.FRENCH
        await choice.set_server(10, Language.ARABIC)
        assert await choice.server_language(10) is Language.ARABIC
        assert await choice.server_language(11) is Language.ENGLISH
        assert await choice.member_language(1, 10) is Language.ARABIC
        # … and the member's own choice beats both.
        await choice.choose(1, Language.FRENCH)
        assert await choice.member_language(1, 10, None) is Language.FRENCH
        assert await choice.chosen(1) is Language.FRENCH
        await choice.choose(1, None)
        assert await choice.chosen(1) is None
        await choice.set_server(10, None)
        assert await choice.server_language(10) is Language.ENGLISH
    finally:
        await db.close()


async def test_words_are_chosen_even_when_the_database_is_gone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A post or reply during shutdown, or with the database unreachable, uses the default
    words (the client's for a private reply); a bug in the caller is still raised."""
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    choice = LanguageChoice(LanguageStore(db), Language.FRENCH)
    await choice.set_server(10, Language.ARABIC)
    await db.close()
    assert (await choice.for_server(10)).language is Language.FRENCH
    assert (await choice.for_member(1, 10)).language is Language.FRENCH
    assert (await choice.for_member(1, 10, Language.ARABIC)).language is Language.ARABIC
    assert "Could not read the language for server 10" in caplog.text

    class Broken(LanguageStore):
        async def server(self, guild_id: int) -> str | None:
            raise TypeError("a bug")

    with pytest.raises(TypeError, match="a bug"):
        await LanguageChoice(Broken(db), Language.FRENCH).for_server(10)
