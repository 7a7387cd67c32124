"""What a keyword article is, and what a lookup returns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, slots=True)
class Article:
    """One keyword article, parsed from one Markdown file in KEYWORDS_DIR.

    Articles are global content shared by every server the bot is in.
    """

    slug: str  # "deep-learning": lowercase letters, digits and hyphens
    title: str  # "Deep Learning"
    category: str  # "Foundations"
    body: str  # Markdown, without the front matter
    aliases: tuple[str, ...] = ()  # every other name, any language (what lookups match)
    french: tuple[str, ...] = ()  # the aliases that are French names (a subset of aliases)
    arabic: tuple[str, ...] = ()  # the aliases that are Arabic names (a subset of aliases)
    related: tuple[str, ...] = ()  # slugs of related articles
    days: tuple[int, ...] = ()  # challenge days the article belongs to (day numbers)
    source: str | None = None
    url: str | None = None
    path: Path | None = None
    summaries: tuple[tuple[str, str], ...] = ()  # (language code, short summary): fr, ar

    def summary(self, language: str) -> str | None:
        """The short summary written for readers of `language` ("fr", "ar"), if any."""
        return dict(self.summaries).get(language)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the article answers to: title first, then aliases."""
        return (self.title, *self.aliases)

    def only_names(self, kept: tuple[str, ...]) -> Article:
        """This article with only the `kept` aliases (also in the per-language lists)."""
        wanted = set(kept)
        return replace(
            self,
            aliases=tuple(a for a in self.aliases if a in wanted),
            french=tuple(a for a in self.french if a in wanted),
            arabic=tuple(a for a in self.arabic if a in wanted),
        )


Via = Literal["slug", "title", "alias", "fulltext", "fuzzy"]


@dataclass(frozen=True, slots=True)
class Found:
    """The query named one article; `via` says how it was recognised."""

    article: Article
    via: Via
    matched: str  # the title or alias that matched


@dataclass(frozen=True, slots=True)
class Suggestions:
    """No confident match, but these (at most 3) are close."""

    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class NotFound:
    query: str


Resolution = Found | Suggestions | NotFound


@dataclass(frozen=True, slots=True)
class Choice:
    """One autocomplete choice: `name` is shown (1–100 chars), `value` is the slug."""

    name: str
    value: str


# Around matched words in SearchHit.snippet; rendering turns them into **bold**.
HIGHLIGHT_START = "\x02"
HIGHLIGHT_END = "\x03"


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A /search result: the article and a body snippet with matched words marked."""

    article: Article
    snippet: str
