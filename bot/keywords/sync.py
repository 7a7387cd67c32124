"""Keep the SQLite article store in step with KEYWORDS_DIR, importing only on change."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.content import ContentError
from bot.keywords.loader import directory_fingerprint, load_catalogue
from bot.store.keywords import KeywordSource, KeywordStore

log = logging.getLogger(__name__)

# Bump when the way articles are indexed changes, so existing databases re-import.
INDEX_VERSION = 2  # 2: Arabic/French name folding, days
# Stored after a partial import: never equals a real fingerprint, so every start re-reads
# the folder and warns again until the broken files are fixed.
PARTIAL = ":partial"


@dataclass(frozen=True, slots=True)
class SyncResult:
    imported: bool  # False when the store already held this content (or on error)
    article_count: int  # articles in the store afterwards
    problems: tuple[str, ...] = ()  # content problems: each skipped article or dropped link


async def sync_articles(store: KeywordStore, directory: Path) -> SyncResult:
    """Import `directory` into the store unless its fingerprint is unchanged.

    A broken article is skipped (one WARNING naming file and line) and the others are
    imported. Only when nothing at all loads does the store keep what it had, so a bad
    folder never empties /keyword.
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
        catalogue = await asyncio.to_thread(load_catalogue, Path(directory))
    except ContentError as exc:
        return _keep(current, tuple(str(p) for p in exc.problems))
    problems = tuple(str(p) for p in catalogue.problems)
    if not catalogue.articles:
        return _keep(current, problems)
    served = {article.path for article in catalogue.articles}
    by_file: dict[Path, list[str]] = {}
    for problem in catalogue.problems:
        by_file.setdefault(problem.path, []).append(str(problem))
    for path, found in by_file.items():  # one line per file, every problem in it
        verdict = "served without the bad link(s)" if path in served else "skipped"
        log.warning("Keyword article %s: %s", verdict, "; ".join(found))
    stored = fingerprint + PARTIAL if problems else fingerprint
    await store.replace_all(catalogue.articles, stored)
    log.info(
        "Imported %d keyword articles from %s%s",
        len(catalogue.articles),
        directory,
        f" ({len(problems)} problem(s), see warnings above)" if problems else "",
    )
    return SyncResult(True, len(catalogue.articles), problems)


def _keep(current: KeywordSource | None, problems: tuple[str, ...]) -> SyncResult:
    """Nothing importable: leave the store as it is and say so."""
    for problem in problems:
        log.warning("Keyword articles: %s", problem)
    kept = current.article_count if current else 0
    log.warning("Keyword articles not imported; keeping the %d already stored", kept)
    return SyncResult(False, kept, problems)
