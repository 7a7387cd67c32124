"""Case and accent folding used for exact matching and for the search index.

`name_key("Réseaux de Neurones!")` → `"reseaux de neurones"`; `squash()` drops the spaces too
so that `deeplearning` finds `deep learning`.
"""

from __future__ import annotations

import re
import unicodedata

# Anything that isn't a letter or a digit separates words (underscore included).
_SEPARATORS = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Casefold and strip accents (and other combining marks such as Arabic harakat)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.casefold())


def name_key(text: str) -> str:
    """The form names are compared in: folded, punctuation/hyphens → one space, trimmed."""
    return _SEPARATORS.sub(" ", fold(text)).strip()


def squash(key: str) -> str:
    """A name key without spaces: `deep learning` → `deeplearning`."""
    return key.replace(" ", "")


def tokens(text: str) -> list[str]:
    """The words of `text` after folding; never contains an empty string."""
    return name_key(text).split()
