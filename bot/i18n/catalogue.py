"""The bot's own words in English, French and Arabic.

The catalogue is gettext: English source strings (msgids) in the code, one `.po` file per
language under `bot/i18n/locales/<lang>/LC_MESSAGES/bot.po`, read with Babel at start-up
(no compiled `.mo` file to forget). gettext because every translation tool (Poedit, Weblate,
Crowdin, `pybabel`) speaks it, and because its plural forms cover Arabic's six.

Code never formats a message itself: `Messages._("Day {day}", day=3)` looks the text up and
fills the named placeholders. In Arabic every filled-in value is wrapped in Unicode isolates
(FSI … PDI), so an English term, a number or a Discord timestamp inside a right-to-left
sentence keeps its place and its own direction.
"""

from __future__ import annotations

import gettext
import io
import logging
from collections.abc import Iterable, Mapping
from enum import StrEnum
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "bot"
FSI = "\u2068"  # first-strong isolate: the value takes its own direction
PDI = "\u2069"  # pop directional isolate


class Language(StrEnum):
    """A language the bot speaks. The value is the catalogue's folder name."""

    ENGLISH = "en"
    FRENCH = "fr"
    ARABIC = "ar"

    @property
    def label(self) -> str:
        """The language's own name, as its readers write it."""
        return _LABELS[self]

    @property
    def rtl(self) -> bool:
        return self is Language.ARABIC

    @classmethod
    def parse(cls, value: str | None) -> Language | None:
        """`fr`, `FR`, `fr-FR`, `french`, `Français`, `ar-MA`, `العربية` … → the language."""
        if not value:
            return None
        text = value.strip().casefold().replace("_", "-")
        if text in _NAMES:
            return _NAMES[text]
        return _NAMES.get(text.split("-", 1)[0])


_LABELS = {Language.ENGLISH: "English", Language.FRENCH: "Français", Language.ARABIC: "العربية"}
_NAMES: dict[str, Language] = {
    **{language.value: language for language in Language},
    **{label.casefold(): language for language, label in _LABELS.items()},
    "english": Language.ENGLISH,
    "anglais": Language.ENGLISH,
    "french": Language.FRENCH,
    "francais": Language.FRENCH,
    "arabic": Language.ARABIC,
    "arabe": Language.ARABIC,
    "عربية": Language.ARABIC,
}


class _Isolated:
    """A placeholder value in a right-to-left message: formatted, then isolated."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        return f"{FSI}{format(self.value, spec)}{PDI}"


def _isolable(value: object) -> bool:
    # A link target or a multi-line block must stay as it is (isolates would break the link;
    # a line break ends an isolate anyway).
    if isinstance(value, str):
        return bool(value) and "\n" not in value and not value.startswith(("http://", "https://"))
    return isinstance(value, int | float)


class Messages:
    """One language's messages: look up, choose the plural form, fill the placeholders."""

    def __init__(self, language: Language, translations: gettext.NullTranslations) -> None:
        self.language = language
        self._translations = translations

    def __repr__(self) -> str:
        return f"Messages({self.language.value})"

    def _(self, message: str, /, **values: object) -> str:
        """The message in this language, placeholders filled."""
        return self._fill(message, self._translations.gettext(message), values)

    def n_(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The plural form for `count` (also available as `{count}`)."""
        text = self._translations.ngettext(singular, plural, count)
        fallback = singular if count == 1 else plural
        return self._fill(fallback, text, {"count": count, **values})

    def p_(self, context: str, message: str, /, **values: object) -> str:
        """A message whose English is ambiguous, told apart by `context`."""
        return self._fill(message, self._translations.pgettext(context, message), values)

    def lookup(self, context: str, message: str) -> str | None:
        """The translation if the catalogue has one (no placeholders filled), else None."""
        text = self._translations.pgettext(context, message)
        return None if text == message and self.language is not Language.ENGLISH else text

    def join(self, items: Iterable[str]) -> str:
        """A list in running text: `a, b, c` (Arabic uses its own comma)."""
        return ("، " if self.language.rtl else ", ").join(items)

    def _fill(self, english: str, text: str, values: Mapping[str, object]) -> str:
        if self.language.rtl:
            values = {k: _Isolated(v) if _isolable(v) else v for k, v in values.items()}
        try:
            return text.format_map(values)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder: English rather than a crash (the
            # catalogue tests catch this before it ships).
            log.warning("Broken %s translation of %r; English used", self.language, english)
            return english.format_map(values)


def read_catalogue(path: Path) -> gettext.GNUTranslations:
    """One `.po` file as gettext translations (fuzzy entries are left out, as msgfmt does)."""
    with path.open("rb") as handle:
        catalogue = read_po(handle, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def po_path(language: Language, root: Path = LOCALES_DIR) -> Path:
    return root / language.value / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def messages(language: Language = Language.ENGLISH) -> Messages:
    """The messages of `language` (read once). English is the source: no file needed."""
    if language is Language.ENGLISH:
        return Messages(language, gettext.NullTranslations())
    path = po_path(language)
    try:
        return Messages(language, read_catalogue(path))
    except (OSError, ValueError) as exc:
        log.error("Can't read the %s catalogue %s (%s); English used", language, path, exc)
        return Messages(language, gettext.NullTranslations())


ENGLISH = messages(Language.ENGLISH)
