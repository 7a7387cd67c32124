"""Keyword articles and their full-text index (tables from 0004_keywords.sql).

Articles are global content, not per server. FTS5 expressions are built here from plain
tokens, each quoted as an FTS5 string, so user text can never be read as query syntax.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.keywords.model import HIGHLIGHT_END, HIGHLIGHT_START, Article
from bot.keywords.normalise import name_key, text_key
from bot.store.database import Database, Row


@dataclass(frozen=True, slots=True)
class KeywordSource:
    """Which content is loaded, and when it was imported."""

    fingerprint: str
    article_count: int
    imported_at: str


def fts_string(token: str) -> str:
    """One token as an FTS5 string literal: inner double quotes doubled."""
    return '"' + token.replace('"', '""') + '"'


def fts_all_of(tokens: Sequence[str], *, prefix_last: bool = False) -> str:
    """An FTS5 expression matching rows containing every token (empty tokens dropped)."""
    parts = [fts_string(token) for token in tokens if token]
    if prefix_last and parts:
        parts[-1] += " *"
    return " AND ".join(parts)


class KeywordStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[Row]:
        """A read in one hop to the database thread (lookups are latency-sensitive)."""
        return await self.db.fetchall(sql, params)

    async def source(self) -> KeywordSource | None:
        row = await self.db.fetchone(
            "SELECT fingerprint, article_count, imported_at FROM keyword_source WHERE id = 1"
        )
        if row is None:
            return None
        return KeywordSource(str(row[0]), int(row[1]), str(row[2]))

    async def replace_all(self, articles: Sequence[Article], fingerprint: str) -> None:
        """Swap the whole article set and its index in one transaction."""
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM keyword_articles")
            await conn.execute("DELETE FROM keyword_fts")
            await conn.execute("DELETE FROM keyword_names_fts")
            await conn.executemany(
                "INSERT INTO keyword_articles (slug, title, category, aliases, aliases_fr, "
                "aliases_ar, related, days, source, url, path, body, summaries) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.slug,
                        a.title,
                        a.category,
                        json.dumps(list(a.aliases), ensure_ascii=False),
                        json.dumps(list(a.french), ensure_ascii=False),
                        json.dumps(list(a.arabic), ensure_ascii=False),
                        json.dumps(list(a.related)),
                        json.dumps(list(a.days)),
                        a.source,
                        a.url,
                        str(a.path) if a.path else None,
                        a.body,
                        json.dumps(dict(a.summaries), ensure_ascii=False),
                    )
                    for a in articles
                ],
            )
            names = [
                (a.slug, name_key(a.title), " | ".join(name_key(n) for n in a.aliases))
                for a in articles
            ]
            # The full-text table is queried with plain folded words (body form): its name
            # columns carry both forms so "networks" and "réseaux" meet the title too.
            await conn.executemany(
                "INSERT INTO keyword_fts (slug, title, aliases, body) VALUES (?, ?, ?, ?)",
                [
                    (
                        a.slug,
                        f"{name_key(a.title)} | {text_key(a.title)}",
                        " | ".join(f"{name_key(n)} | {text_key(n)}" for n in a.aliases),
                        a.body,
                    )
                    for a in articles
                ],
            )
            await conn.executemany(
                "INSERT INTO keyword_names_fts (slug, title, aliases) VALUES (?, ?, ?)", names
            )
            await conn.execute(
                "INSERT INTO keyword_source (id, fingerprint, article_count) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint, "
                "article_count = excluded.article_count, "
                "imported_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
                (fingerprint, len(articles)),
            )

    async def all_articles(self) -> list[Article]:
        rows = await self._rows(
            "SELECT slug, title, category, aliases, aliases_fr, aliases_ar, related, days, source, "
            "url, path, body, summaries "
            "FROM keyword_articles ORDER BY slug"
        )
        return [_article(row) for row in rows]

    async def match_names(
        self, tokens: Sequence[str], *, limit: int, prefix_last: bool = False
    ) -> list[str]:
        """Slugs whose title or aliases contain every token, best (bm25) first."""
        expression = fts_all_of(tokens, prefix_last=prefix_last)
        if not expression:
            return []
        rows = await self._rows(
            "SELECT slug FROM keyword_names_fts WHERE keyword_names_fts MATCH ? "
            "ORDER BY rank, slug LIMIT ?",
            (expression, limit),
        )
        return [str(row[0]) for row in rows]

    async def match_text(self, tokens: Sequence[str], *, limit: int) -> list[str]:
        """Slugs whose title, aliases or body contain every token, best (bm25) first."""
        expression = fts_all_of(tokens)
        if not expression:
            return []
        rows = await self._rows(
            "SELECT slug FROM keyword_fts WHERE keyword_fts MATCH ? ORDER BY rank, slug LIMIT ?",
            (expression, limit),
        )
        return [str(row[0]) for row in rows]

    async def snippets(
        self, tokens: Sequence[str], *, limit: int, words: int = 24
    ) -> list[tuple[str, str]]:
        """(slug, body snippet) for the best matches; matched words are wrapped in
        HIGHLIGHT_START/HIGHLIGHT_END for the caller to render."""
        expression = fts_all_of(tokens)
        if not expression:
            return []
        rows = await self._rows(
            "SELECT slug, snippet(keyword_fts, 3, ?, ?, '…', ?) FROM keyword_fts "
            "WHERE keyword_fts MATCH ? ORDER BY rank, slug LIMIT ?",
            (HIGHLIGHT_START, HIGHLIGHT_END, words, expression, limit),
        )
        return [(str(row[0]), str(row[1])) for row in rows]


def _article(row: Row) -> Article:
    return Article(
        slug=str(row["slug"]),
        title=str(row["title"]),
        category=str(row["category"]),
        body=str(row["body"]),
        aliases=tuple(json.loads(row["aliases"])),
        french=tuple(json.loads(row["aliases_fr"])),
        arabic=tuple(json.loads(row["aliases_ar"])),
        related=tuple(json.loads(row["related"])),
        days=tuple(int(day) for day in json.loads(row["days"])),
        source=row["source"],
        url=row["url"],
        path=Path(row["path"]) if row["path"] else None,
        summaries=tuple(json.loads(row["summaries"]).items()),
    )
