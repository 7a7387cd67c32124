"""The Markdown syntax the bot reads and writes, defined once.

The page loader (`bot/series/loader.py`) and the splitter that cuts posts into Discord
messages (`bot/rendering/markdown.py`) must agree on what a heading, a fence, a list item or
a comment is; both use these patterns. One line at a time unless said otherwise.
"""

from __future__ import annotations

import re

HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")  # ATX: level, text
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")  # a code fence: marker, info string
LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)]|🔹|•)[ \t]")  # also the pages' 🔹 and •
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")  # a thematic break
COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)  # an HTML comment (unclosed: to the end)
CLOSED_COMMENT = re.compile(r"<!--.*?-->", re.S)  # the loader reports an unclosed one, reads on

# Characters that belong to the emoji before them: zero-width joiner, variation selectors,
# the keycap mark. Skin tones (U+1F3FB–1F3FF) join too.
EMOJI_JOINERS = frozenset({"\u200d", "\ufe0f", "\ufe0e", "\u20e3"})


def is_skin_tone(char: str) -> bool:
    return len(char) == 1 and 0x1F3FB <= ord(char) <= 0x1F3FF
