"""The one place where text is folded for comparing names, in English, French and Arabic.

Two forms:

- `words(text)` / `text_key(text)`: case, accents and Arabic diacritics folded, punctuation
  → spaces. Used for article bodies, which the full-text index tokenises the same way.
- `name_key(text)`: what titles and aliases are compared in. On top of `text_key` it
  - folds Arabic letter variants (أ إ آ ٱ → ا, ة → ه, ى/ی → ي, ک → ك), drops tatweel and
    maps Arabic-Indic digits to 0–9;
  - drops the Arabic definite article and the particles fused to it (ال، وال، بال، لل، فال، كال);
  - drops French elisions (l', d', qu', …) and a plural -s/-x (réseaux → reseau,
    LLMs → llm), so singular and plural meet.

`name_key("Les Réseaux de Neurones!")` → `"le reseau de neurone"`;
`name_key("الشّبكات العصبيّة")` → `"شبكات عصبيه"`. `squash()` drops the spaces too so that
`deeplearning` finds `deep learning`.
"""

from __future__ import annotations

import re
import unicodedata

# Anything that isn't a letter or a digit separates words (underscore included).
_SEPARATORS = re.compile(r"[\W_]+")
# French elided articles/pronouns before a vowel: l'IA, d'objets, qu'est-ce.
_ELISION = re.compile(r"(?<!\w)(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’ʼ`´]", re.IGNORECASE)

_ELIDED = frozenset({"l", "d", "j", "qu"})
_ARABIC_LETTERS = str.maketrans(
    {
        "\u0622": "\u0627",  # آ → ا (after NFKD these are mostly gone already)
        "\u0623": "\u0627",  # أ
        "\u0625": "\u0627",  # إ
        "\u0671": "\u0627",  # ٱ alef wasla
        "\u0629": "\u0647",  # ة → ه
        "\u0649": "\u064a",  # ى → ي
        "\u06cc": "\u064a",  # Persian yeh → ي
        "\u06a9": "\u0643",  # keheh → ك
        "\u0640": None,  # tatweel (kashida)
        **{chr(0x0660 + d): str(d) for d in range(10)},  # ٠–٩
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # ۰–۹
    }
)
# The definite article with the particles written fused to it, longest first.
_ARTICLES = ("وال", "بال", "فال", "كال", "لل", "ال")
_MIN_STEM = 2  # letters that must remain after dropping an article or a plural ending


def fold(text: str) -> str:
    """Casefold and strip accents (and other combining marks such as Arabic harakat)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped.casefold())


def text_key(text: str) -> str:
    """Folded text with punctuation and hyphens turned into single spaces, trimmed."""
    return _SEPARATORS.sub(" ", fold(text)).strip()


def words(text: str) -> list[str]:
    """The words of `text` after folding (the form the body index uses); no empty strings."""
    return text_key(text).split()


def name_key(text: str) -> str:
    """The form names are compared in (see the module docstring)."""
    text = _ELISION.sub(" ", fold(text).translate(_ARABIC_LETTERS))
    found = _SEPARATORS.sub(" ", text).split()
    if len(found) > 1:  # "l education": an elision typed without its apostrophe
        found = [word for word in found if word not in _ELIDED] or found
    return " ".join(name_word(word) for word in found)


def name_word(word: str) -> str:
    """One folded word in name form: without its Arabic article or its plural ending."""
    return _singular(strip_article(word))


def strip_article(word: str, *, keep: int = _MIN_STEM) -> str:
    """`word` without a leading ال (or وال، بال، لل، …) when `keep` letters remain."""
    for article in _ARTICLES:
        if word.startswith(article) and len(word) - len(article) >= keep:
            return word[len(article) :]
    return word


def _singular(word: str) -> str:
    """Drop a Latin plural -s (not -ss/-us/-is) or -x after a vowel pair (réseaux, jeux)."""
    if len(word) <= 3 or not word.isascii():
        return word
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if word.endswith(("aux", "eux", "oux")):
        return word[:-1]
    return word


def squash(key: str) -> str:
    """A name key without spaces: `deep learning` → `deeplearning`."""
    return key.replace(" ", "")


def tokens(text: str) -> list[str]:
    """The words of `text` in name form; never contains an empty string."""
    return name_key(text).split()
