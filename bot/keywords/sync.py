"""Keep the SQLite article store in step with KEYWORDS_DIR, importing only on change."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.content import ContentError
from bot.keywords.loader import directory_fingerprint, load_articles
from bot.store.keywords import KeywordStore

log = logging.getLogger(__name__)

# Bump when the way articles are indexed changes, so existing databases re-import.
INDEX_VERSION = 1


@dataclass(frozen=True, slots=True)
class SyncResult:
    imported: bool  # False when the store already held this content (or on error)
    article_count: int  # articles in the store afterwards
    problems: tuple[str, ...] = ()  # content problems that prevented an import


async def sync_articles(store: KeywordStore, directory: Path) -> SyncResult:
    """Import `directory` into the store unless its fingerprint is unchanged.

    On content problems the store keeps what it had, so a typo in one file never
    empties /keyword; the problems are logged and returned.
    """
    try:
        fingerprint = f"v{INDEX_VERSION}:" + await asyncio.to_thread(
            directory_fingerprint, directory
        )
    except OSError as exc:
        log.warning("Can't read KEYWORDS_DIR %s: %s", directory, exc)
        current = await store.source()
        return SyncResult(False, current.article_count if current else 0, (str(exc),))
    current = await store.source()
    if current is not None and current.fingerprint == fingerprint:
        log.debug("Keyword articles unchanged (%d), not re-importing", current.article_count)
        return SyncResult(False, current.article_count)
    try:
        articles = await asyncio.to_thread(load_articles, Path(directory))
    except ContentError as exc:
        problems = tuple(str(p) for p in exc.problems)
        for problem in problems:
            log.error("Keyword article problem: %s", problem)
        kept = current.article_count if current else 0
        log.warning("Keyword articles not imported; keeping the %d already stored", kept)
        return SyncResult(False, kept, problems)
    await store.replace_all(articles, fingerprint)
    log.info("Imported %d keyword articles from %s", len(articles), directory)
    return SyncResult(True, len(articles))
