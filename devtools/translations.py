"""Keep the message catalogue current: `python -m devtools.translations update | check`.

`update` collects every message: the `_()`, `n_()` and `p_()` calls in `bot/` and `cogs/`
(Babel's extractor) and every slash-command string (names, descriptions, options, choices,
read off the cogs' command objects the way discord.py sends them), writes
`bot/i18n/locales/bot.pot` and merges it into each language's `.po` (new entries empty,
vanished ones dropped, changed ones marked fuzzy). `check` lists what is missing or broken.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import discord
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po
from discord import app_commands
from discord.ext import commands

from bot.bot import EXTENSIONS
from bot.i18n.catalogue import DOMAIN, LOCALES_DIR, Language, po_path
from bot.i18n.commands import context_of

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "n_": (1, 2), "p_": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"(?<!\{)\{([a-zA-Z_][a-zA-Z0-9_]*)(?:[:!][^}]*)?\}(?!\})")
# Discord has no Arabic client locale: Arabic readers see the commands in English in their
# client; only the descriptions /help shows are translated.
NOT_TRANSLATED = {
    Language.ARABIC: {
        "slash command_name", "slash group_name", "slash parameter_name",
        "slash parameter_description", "slash choice_name",
    }
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Entry:
    msgid: str | tuple[str, str]
    context: str | None
    where: tuple[str, int]  # file and line ("slash-commands", 0 for command strings)


def code_messages() -> Iterator[Entry]:
    for folder in ("bot", "cogs"):
        for filename, line, msgid, _comments, context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            yield Entry(msgid, context, (f"{folder}/{filename}", line))


class _Recorder(app_commands.Translator):
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    async def translate(self, string: Any, locale: Any, context: Any) -> str | None:
        if locale is discord.Locale.american_english:  # each string once
            self.seen.append((context_of(context.location), string.message))
        return None


def command_objects() -> list[app_commands.Command[Any, ..., Any] | app_commands.Group]:
    """The top-level slash commands the cogs define (class attributes: no bot needed)."""
    found: list[Any] = []
    for name in EXTENSIONS:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, commands.Cog) and cls.__module__ == module.__name__:
                found.extend(c for c in cls.__cog_app_commands__ if c.parent is None)
    return found


async def _command_strings() -> list[tuple[str, str]]:
    recorder = _Recorder()
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)
    for command in command_objects():
        await command.get_translated_payload(tree, recorder)
    await client.close()
    return recorder.seen


def command_messages() -> Iterator[Entry]:
    for context, text in asyncio.run(_command_strings()):
        yield Entry(text, context, ("slash-commands", 0))


def template() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="ml-dl-morocco-challenges-bot", charset="utf-8")
    for entry in [*code_messages(), *command_messages()]:
        flags = ["python-brace-format"] if placeholders(entry.msgid) else []
        catalog.add(entry.msgid, None, [entry.where], flags=flags, context=entry.context)
    return catalog


def placeholders(text: str | tuple[str, ...] | list[str]) -> set[str]:
    texts = [text] if isinstance(text, str) else list(text)
    return {name for t in texts if t for name in PLACEHOLDER.findall(t)}


def read(language: Language, root: Path = LOCALES_DIR) -> Catalog:
    with po_path(language, root).open("rb") as handle:
        return read_po(handle, locale=language.value, domain=DOMAIN)


def for_language(pot: Catalog, language: Language) -> Catalog:
    """The template without the entries `language` doesn't translate."""
    skip = NOT_TRANSLATED.get(language, set())
    if not skip:
        return pot
    kept = Catalog(domain=DOMAIN, charset="utf-8")
    for message in pot:
        if message.id and message.context not in skip:
            kept.add(message.id, None, message.locations, flags=message.flags,
                     context=message.context)  # fmt: skip
    return kept


def update() -> None:
    pot = template()
    with (LOCALES_DIR / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, pot, omit_header=False, sort_output=True, width=100)
    for language in Language:
        if language is Language.ENGLISH:
            continue
        path = po_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            catalog = read(language)
        else:
            catalog = Catalog(locale=language.value, domain=DOMAIN, charset="utf-8")
        catalog.update(for_language(pot, language), update_header_comment=False)
        catalog.obsolete.clear()
        with path.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, width=100)
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages")


def problems(language: Language, catalog: Catalog, pot: Catalog) -> list[str]:
    """What a reader of `language` would miss: untranslated, fuzzy, stale or mis-filled."""
    found: list[str] = []
    for wanted in for_language(pot, language):
        if not wanted.id:
            continue
        have: Message | None = catalog.get(wanted.id, context=wanted.context)
        label = f"{language.value}: {wanted.id!r}" + (
            f" [{wanted.context}]" if wanted.context else ""
        )
        if have is None:
            found.append(f"{label}: missing (run `python -m devtools.translations update`)")
            continue
        strings = list(have.string) if isinstance(have.string, tuple | list) else [have.string]
        if have.fuzzy or not all(strings):
            found.append(f"{label}: not translated" + (" (fuzzy)" if have.fuzzy else ""))
            continue
        expected = placeholders(wanted.id)
        for form in strings:
            if placeholders(form) != expected:
                found.append(
                    f"{label}: placeholders {sorted(placeholders(form))} ≠ {sorted(expected)}"
                )
    return found


def check() -> list[str]:
    pot = template()
    found: list[str] = []
    for language in Language:
        if language is not Language.ENGLISH:
            found.extend(problems(language, read(language), pot))
    return found


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        found = check()
        print("\n".join(found) or "every message is translated")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
