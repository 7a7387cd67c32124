"""Reading content files as organisers really write them.

Shared by the day loader and the keyword loader: BOM and Windows line endings,
front matter with line numbers, mojibake repair, and problems that name file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ftfy
import yaml


@dataclass(frozen=True, slots=True)
class ContentProblem:
    """One thing wrong with a content file, shown as `path:line: message`."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else f"{self.path}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised with every problem found, so a user fixes them all at once."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class SourceText:
    """A file's text after normalisation, with its front matter split off."""

    path: Path
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line number of the body's first line in the file


_FIXER_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=True,
    normalization="NFC",
    explain=False,
)


def repair_text(text: str) -> str:
    """Undo mojibake (UTF-8 once decoded as cp1252 or mac_roman); leave good text alone."""
    return _repair_mac_roman(ftfy.fix_text(text, config=_FIXER_CONFIG))


_MAC_ROMAN_RUN = re.compile(r"[\u0080-\uffff]{2,}")


def _repair_mac_roman(text: str) -> str:
    """ftfy targets Windows codecs; re-decode runs that are UTF-8 read as mac_roman.

    A run is replaced only if its mac_roman bytes are valid UTF-8, which correct text
    (accented words, Arabic, real emoji) practically never is.
    """

    def fix(match: re.Match[str]) -> str:
        chunk = match.group(0)
        try:
            fixed = chunk.encode("mac_roman").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return chunk
        return fixed if _plausible_repair(fixed) else chunk

    return _MAC_ROMAN_RUN.sub(fix, text)


def _plausible_repair(text: str) -> bool:
    """Two-byte UTF-8 results must be Latin letters or Arabic, as in our content.

    Correct French often decodes "by accident": `’é` (l’école) is valid UTF-8 for `Վ`,
    `—é` for `ю`, `…à` for `Ɉ`. Real mojibake of accents, Arabic, punctuation and emoji
    decodes to Latin-1/Latin Extended-A, Arabic, or three- and four-byte characters.
    """
    return all(
        not 0x80 <= ord(char) < 0x800
        or 0xA0 <= ord(char) <= 0x17F
        or 0x600 <= ord(char) <= 0x6FF
        or 0x750 <= ord(char) <= 0x77F
        for char in text
    )


def normalise_newlines(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: Path) -> tuple[SourceText | None, list[ContentProblem]]:
    """Read a Markdown file with optional YAML front matter. Never raises for bad content."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [ContentProblem(path, None, f"can't read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [ContentProblem(path, line, "not valid UTF-8 text")]
    text = repair_text(normalise_newlines(text))
    if not text.strip():
        return None, [ContentProblem(path, 1, "the file is empty")]
    return split_front_matter(path, text)


def split_front_matter(path: Path, text: str) -> tuple[SourceText | None, list[ContentProblem]]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return SourceText(path, {}, text, 1), []
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            break
    else:
        return None, [ContentProblem(path, 1, "front matter opened with --- is never closed")]
    raw_meta = "\n".join(lines[1:index])
    try:
        meta = yaml.safe_load(raw_meta) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "invalid YAML"
        return None, [ContentProblem(path, line, f"front matter doesn't parse: {problem}")]
    if not isinstance(meta, dict):
        return None, [ContentProblem(path, 2, "front matter must be a mapping of key: value")]
    body = "\n".join(lines[index + 1 :])
    return SourceText(path, meta, body, index + 2), []
