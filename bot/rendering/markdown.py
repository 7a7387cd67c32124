"""Markdown for Discord: convert MkDocs pages, and split long text into legal messages.

`split_markdown` cuts at the best boundary that fits — before a heading, between paragraphs,
between lines or list items, after a sentence, between words — and never inside a code span,
a list item, a heading line or a fenced block unless that element alone is over the limit.
Chunks are consecutive slices of the text (only whitespace is dropped between them), except
that an over-long fenced block is closed and reopened around each cut.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass

from bot.markdown import COMMENT, EMOJI_JOINERS, FENCE, HEADING, LIST_ITEM, RULE, is_skin_tone
from bot.rendering.limits import MESSAGE_CONTENT, defuse_mentions

# Boundary ranks, best first; a boundary of rank r is also usable as any rank > r.
# AFTER_HEADING (leaving a heading at the end of a message) is the last resort before a hard cut.
SECTION, PARAGRAPH, LINE, SENTENCE, WORD, AFTER_HEADING = range(6)

_DOUBLE_TICKS = re.compile(r"(?<!`)``(?!`)([^`\n]+?)(?<!`)``(?!`)")
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)(?:\s+\"[^\"\n]*\")?\)")
_BOLD = re.compile(r"\*\*(?:(?!\n[ \t]*\n).)+?\*\*", re.S)
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]*_`]*(?=[ \t]+\S)")
_SPACES = re.compile(r"[ \t]+")
_BLANK_RUN = re.compile(r"\n[ \t]*\n")


# --- MkDocs → Discord -----------------------------------------------------------------------


def strip_html_comments(text: str) -> str:
    """Remove `<!-- … -->` entirely (an unclosed one hides the rest, as in a browser)."""
    return COMMENT.sub("", text)


def mkdocs_to_discord(text: str) -> str:
    """Turn MkDocs Markdown into what Discord renders the same way.

    HTML comments and horizontal rules go; headings become `#`/`##`/`###` without bold
    markers (Discord headings are bold already); ``code`` becomes `code`; links to pages of
    the site (relative URLs) keep only their text; @everyone/@here can't ping.
    """
    out: list[str] = []
    fence: str | None = None
    for line in strip_html_comments(text).split("\n"):
        fence_match = FENCE.match(line)
        if fence is not None:
            out.append(line)
            if fence_match and _closes(fence_match, fence):
                fence = None
            continue
        if fence_match:
            fence = fence_match.group(1)
            out.append(line)
            continue
        heading = HEADING.match(line)
        if heading:
            title = (heading.group(2) or "").replace("**", "").replace("__", "").strip()
            out.append(f"{'#' * min(len(heading.group(1)), 3)} {title}" if title else "")
            continue
        if RULE.match(line):
            out.append("")
            continue
        line = _DOUBLE_TICKS.sub(_single_ticks, line)
        out.append(_LINK.sub(_keep_link, line.rstrip()))
    joined = re.sub(r"\n[ \t]*\n(?:[ \t]*\n)+", "\n\n", "\n".join(out)).strip("\n")
    return defuse_mentions(joined)


def _single_ticks(match: re.Match[str]) -> str:
    inner = match.group(1)
    if inner.startswith(" ") and inner.endswith(" ") and inner.strip():
        inner = inner[1:-1]
    return f"`{inner}`"


def _keep_link(match: re.Match[str]) -> str:
    label, url = match.group(1), match.group(2)
    if re.match(r"^(?:https?|mailto):", url, re.I):
        return match.group(0)
    return label  # a link to another page of the MkDocs site means nothing on Discord


# --- splitting ------------------------------------------------------------------------------


def split_markdown(text: str, limit: int = MESSAGE_CONTENT) -> list[str]:
    """Split `text` into chunks of at most `limit` characters at the best boundaries.

    Whitespace at the cuts is dropped; blank text gives `[]`.
    """
    if limit < 16:
        raise ValueError("limit must be at least 16 characters")
    stripped = text.strip()
    if not stripped:
        return []
    if len(stripped) <= limit:
        return [stripped]
    layout = _Layout.of(text, limit)
    chunks: list[str] = []
    pos = _skip_space(text, 0)
    while pos < len(text):
        fence = layout.long_fence_at(pos)
        prefix = f"{fence.opener}\n" if fence and pos > fence.body_start else ""
        rest = text[pos:].rstrip()
        # Room for reopening a fence here and for closing one that the cut may land in.
        reserve = len(prefix) + (layout.fence_reserve if layout.long_fence_near(pos, limit) else 0)
        if len(prefix) + len(rest) <= limit:
            chunks.append(prefix + rest)
            break
        end = layout.best_break(pos, limit - reserve)
        chunk = prefix + text[pos:end].rstrip()
        closing = layout.long_fence_at(end)
        if closing is not None and end < closing.end and end > closing.body_start:
            chunk += "\n" + closing.fence
        chunks.append(chunk)
        pos = _skip_space(text, end)
    return [chunk for chunk in chunks if chunk.strip()]


@dataclass(frozen=True, slots=True)
class _Fence:
    start: int
    body_start: int  # just after the opening line
    end: int  # end of the closing line (or of the text)
    opener: str  # the opening line, e.g. ```python
    fence: str  # the fence characters, e.g. ```


@dataclass
class _Layout:
    """Where a text may be cut, and the spans a cut should not enter."""

    text: str
    positions: list[int]  # sorted allowed cut positions (none inside a protected span)
    ranks: list[int]  # rank of each position
    in_soft: list[bool]  # inside bold or a link: used only when nothing else fits
    long_fences: list[_Fence]  # fenced blocks over the limit, closed and reopened at cuts

    @property
    def fence_reserve(self) -> int:
        return max((len(f.fence) + 1 for f in self.long_fences), default=0)

    @classmethod
    def of(cls, text: str, limit: int) -> _Layout:
        lines = _lines(text)
        blocks = _Blocks.of(text, lines, limit)
        cuts = _Cuts(len(text))
        cuts.add_line_breaks(text, lines, blocks.headings)
        cuts.add_inline_breaks(text, lines, blocks)

        strong = [
            *blocks.strong,
            *_list_items(text, lines, blocks.in_fence, blocks.headings),
            *_code_spans(text, blocks.in_fence, lines),
        ]
        soft = [(m.start(), m.end()) for pattern in (_BOLD, _LINK) for m in pattern.finditer(text)]
        # An element over the limit may be cut like any text.
        strong = [(s, e) for s, e in strong if e - s <= limit]
        soft = [(s, e) for s, e in soft if e - s <= limit]
        ordered = sorted(cuts.ranks)
        blocked = _covered(ordered, strong)
        in_soft = _covered(ordered, soft)
        keep = [i for i in range(len(ordered)) if not blocked[i]]
        return cls(
            text=text,
            positions=[ordered[i] for i in keep],
            ranks=[cuts.ranks[ordered[i]] for i in keep],
            in_soft=[in_soft[i] for i in keep],
            long_fences=blocks.long_fences,
        )

    def long_fence_at(self, position: int) -> _Fence | None:
        return next((f for f in self.long_fences if f.start <= position < f.end), None)

    def long_fence_near(self, position: int, limit: int) -> bool:
        return any(f.start < position + limit and f.end > position for f in self.long_fences)

    def best_break(self, pos: int, room: int) -> int:
        """The best cut in (pos, pos + room]; a hard cut only when no boundary fits."""
        room = max(room, 1)
        hi = pos + room
        first = bisect.bisect_right(self.positions, pos)
        last = bisect.bisect_right(self.positions, hi)
        candidates = range(last - 1, first - 1, -1)  # latest first

        def latest(rank: int, *, soft_ok: bool = False) -> int | None:
            for i in candidates:
                if self.ranks[i] <= rank and (soft_ok or not self.in_soft[i]):
                    return self.positions[i]
            return None

        # Before a heading or between paragraphs, if that keeps the chunk at least half full;
        # else at the latest line (list item) or paragraph break; only a block with no break
        # in reach (an over-long paragraph or item) is cut after a sentence, then a word.
        for rank in (SECTION, PARAGRAPH):
            cut = latest(rank)
            if cut is not None and cut - pos >= room // 2:
                return cut
        for rank in (LINE, SENTENCE, WORD, AFTER_HEADING):
            cut = latest(rank)
            if cut is not None:
                return cut
        cut = latest(AFTER_HEADING, soft_ok=True)
        if cut is not None:
            return cut
        return _hard_cut(self.text, pos, hi)


@dataclass
class _Blocks:
    """Fenced blocks and headings: the line-level elements a cut must respect."""

    headings: set[int]  # line indexes
    in_fence: list[bool]  # per line: part of a fenced block (its fence lines included)
    strong: list[tuple[int, int]]  # spans not to cut: headings and fenced blocks that fit
    long_fences: list[_Fence]  # fenced blocks over the limit

    @classmethod
    def of(cls, text: str, lines: list[tuple[int, int]], limit: int) -> _Blocks:
        blocks = cls(headings=set(), in_fence=[False] * len(lines), strong=[], long_fences=[])
        index = 0
        while index < len(lines):
            start, end = lines[index]
            match = FENCE.match(text[start:end])
            if match:
                index = blocks._add_fence(text, lines, index, match.group(1), limit)
                continue
            if HEADING.match(text[start:end]) and text[start:end].strip():
                blocks.headings.add(index)
                blocks.strong.append((start, end))
            index += 1
        return blocks

    def _add_fence(
        self, text: str, lines: list[tuple[int, int]], index: int, fence_chars: str, limit: int
    ) -> int:
        """Record the fenced block opened on line `index`; return the index after it."""
        start, end = lines[index]
        last = _fence_close(text, lines, index, fence_chars)
        for inner in range(index, last + 1):
            self.in_fence[inner] = True
        span_end = lines[last][1]
        if span_end - start > limit:
            opener = text[start:end].strip()
            body_start = min(end + 1, len(text))
            self.long_fences.append(_Fence(start, body_start, span_end, opener, fence_chars))
        else:
            self.strong.append((start, span_end))
        return last + 1


def _fence_close(text: str, lines: list[tuple[int, int]], index: int, fence_chars: str) -> int:
    """The line closing the fence opened on line `index` (the last line if it never closes)."""
    for close in range(index + 1, len(lines)):
        match = FENCE.match(text[slice(*lines[close])])
        if match and _closes(match, fence_chars):
            return close
    return len(lines) - 1


def _closes(match: re.Match[str], fence_chars: str) -> bool:
    """Whether a FENCE match is a closing fence for a block opened with `fence_chars`."""
    return match.group(1).startswith(fence_chars) and not match.group(2).strip()


class _Cuts:
    """Allowed cut positions (strictly inside the text), each with its best rank."""

    def __init__(self, length: int) -> None:
        self.length = length
        self.ranks: dict[int, int] = {}

    def add(self, position: int, rank: int) -> None:
        if 0 < position < self.length:
            self.ranks[position] = min(rank, self.ranks.get(position, AFTER_HEADING))

    def add_line_breaks(self, text: str, lines: list[tuple[int, int]], headings: set[int]) -> None:
        """Line and paragraph boundaries, with headings starting sections."""
        previous_content: int | None = None  # index of the last non-blank line
        blank_between = False
        for index, (start, end) in enumerate(lines):
            if not text[start:end].strip():
                blank_between = True
                continue
            if previous_content is not None:
                after = lines[previous_content][1]  # the newline ending that line
                if previous_content in headings:  # a heading belongs with what follows it
                    self.add(after, AFTER_HEADING)
                elif index in headings:
                    self.add(after, SECTION)
                else:
                    self.add(after, PARAGRAPH if blank_between else LINE)
            previous_content = index
            blank_between = False

    def add_inline_breaks(self, text: str, lines: list[tuple[int, int]], blocks: _Blocks) -> None:
        """Sentence and word boundaries, outside fences and headings."""
        for index, (start, end) in enumerate(lines):
            if blocks.in_fence[index] or index in blocks.headings:
                continue
            line = text[start:end]
            for match in _SENTENCE_END.finditer(line):
                self.add(start + match.end(), SENTENCE)
            for match in _SPACES.finditer(line):
                if match.start() > 0 and match.end() < len(line):
                    self.add(start + match.start(), WORD)


def _covered(positions: list[int], spans: list[tuple[int, int]]) -> list[bool]:
    """For each sorted position, whether it lies strictly inside one of `spans`."""
    flags = [False] * len(positions)
    for start, end in spans:
        for i in range(bisect.bisect_right(positions, start), bisect.bisect_left(positions, end)):
            flags[i] = True
    return flags


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, `end` at its newline (excluded)."""
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def _list_items(
    text: str, lines: list[tuple[int, int]], in_fence: list[bool], headings: set[int]
) -> list[tuple[int, int]]:
    """Spans of list items: the marker line plus its indented or lazy continuation lines."""
    spans = []
    for index, (start, end) in enumerate(lines):
        if in_fence[index] or index in headings:
            continue
        marker = LIST_ITEM.match(text[start:end])
        if not marker:
            continue
        indent = _indent(marker.group(1))
        last = index
        probe = index + 1
        while probe < len(lines):
            p_start, p_end = lines[probe]
            line = text[p_start:p_end]
            if in_fence[probe] or probe in headings:
                break
            if not line.strip():
                # The item goes on after a blank line only if the next text is indented under it.
                following = next(
                    (j for j in range(probe + 1, len(lines)) if text[slice(*lines[j])].strip()),
                    None,
                )
                if following is None or _indent(text[slice(*lines[following])]) <= indent:
                    break
                probe = following
                continue
            nested = LIST_ITEM.match(line)
            if nested and _indent(nested.group(1)) <= indent:
                break
            if not nested and _indent(line) <= indent and last != probe - 1:
                break  # unindented text after a blank line ends the item
            last = probe
            probe += 1
        spans.append((start, lines[last][1]))
    return spans


def _code_spans(
    text: str, in_fence: list[bool], lines: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Inline code spans: a run of n backticks up to the next run of exactly n (same paragraph)."""
    fence_ranges = [lines[i] for i, fenced in enumerate(in_fence) if fenced]
    runs = [
        (m.start(), m.end())
        for m in re.finditer(r"`+", text)
        if not any(s <= m.start() <= e for s, e in fence_ranges)
    ]
    spans = []
    index = 0
    while index < len(runs):
        start, end = runs[index]
        width = end - start
        for later in range(index + 1, len(runs)):
            c_start, c_end = runs[later]
            if _BLANK_RUN.search(text, end, c_start):
                break
            if c_end - c_start == width:
                spans.append((start, c_end))
                index = later
                break
        index += 1
    return spans


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position].isspace():
        position += 1
    return position


def _hard_cut(text: str, pos: int, hi: int) -> int:
    """Cut a word longer than the limit, without separating an emoji from its modifiers."""
    cut = hi
    while cut > pos + 1 and _joins_previous(text, cut):
        cut -= 1
    return cut


def _joins_previous(text: str, cut: int) -> bool:
    char = text[cut] if cut < len(text) else ""
    before = text[cut - 1]
    return (
        before == "\u200d"
        or char in EMOJI_JOINERS
        or (char != "" and unicodedata.combining(char) > 0)
        or is_skin_tone(char)
    )
