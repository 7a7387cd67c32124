"""The two earlier benchmarks (bench_keywords, bench_comments) as report figures.

Their modules return dicts; these adapters turn them into `Figure`s with the targets of
issue 9, and run smaller versions of them for `--quick`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import tempfile
from pathlib import Path
from typing import Any

from bench import bench_comments
from bench import bench_keywords as kw
from bench.report import Figure

# The targets are the benchmarks' own, not restated here.
_LOOKUP_LIMITS = {key: limit for _, key, _, limit in kw.TARGETS}
MAX_RESOLVE_P99_SHIPPED_MS = _LOOKUP_LIMITS["shipped.resolve.p99_ms"]
MAX_RESOLVE_P99_10K_MS = _LOOKUP_LIMITS["synthetic.resolve.p99_ms"]
MAX_AUTOCOMPLETE_P99_10K_MS = _LOOKUP_LIMITS["synthetic.autocomplete.p99_ms"]
MIN_SPEEDUP_10K = _LOOKUP_LIMITS["synthetic.speedup"]
MIN_LABELLED_RATE = _LOOKUP_LIMITS["shipped.labelled.rate"]
MIN_INGEST_RATE = bench_comments.MIN_RATE
MIN_SHARE_OF_RAW = bench_comments.MIN_SHARE_OF_RAW


async def _keywords_small(size: int, queries: int) -> dict[str, Any]:
    saved, kw.QUERIES = kw.QUERIES, queries
    try:
        rng = random.Random(kw.SEED)
        return {
            "shipped": await kw.measure("shipped", None, rng),
            "synthetic": await kw.measure("synthetic", kw.synthetic_articles(size, rng), rng),
        }
    finally:
        kw.QUERIES = saved


def lookup(quick: bool = False) -> list[Figure]:
    """Keyword resolve and autocomplete latency: shipped articles and a 10k corpus."""
    data = asyncio.run(_keywords_small(1_000, 200)) if quick else kw.run()
    shipped, big = data["shipped"], data["synthetic"]
    small_n, big_n = f"{shipped['articles']:,}", f"{big['articles']:,}"
    name = "lookup"
    return [
        Figure(
            name, f"resolve p50, {small_n} shipped articles", shipped["resolve"]["p50_ms"], "ms"
        ),
        Figure.check(
            name,
            f"resolve p99, {small_n} shipped articles",
            shipped["resolve"]["p99_ms"],
            "ms",
            "<=",
            MAX_RESOLVE_P99_SHIPPED_MS,
        ),
        Figure.check(
            name,
            f"labelled member queries that open the intended article ({small_n} shipped)",
            100 * shipped["labelled"]["rate"],
            "%",
            ">=",
            100 * MIN_LABELLED_RATE,
        ),
        Figure(
            name,
            "resolve p99, labelled member queries",
            shipped["labelled_resolve"]["p99_ms"],
            "ms",
        ),
        Figure(
            name, f"autocomplete p50, {small_n} shipped", shipped["autocomplete"]["p50_ms"], "ms"
        ),
        Figure(
            name, f"autocomplete p99, {small_n} shipped", shipped["autocomplete"]["p99_ms"], "ms"
        ),
        Figure(name, f"resolve p50, {big_n} articles", big["resolve"]["p50_ms"], "ms"),
        Figure.check(
            name,
            f"resolve p99, {big_n} articles",
            big["resolve"]["p99_ms"],
            "ms",
            "<=",
            MAX_RESOLVE_P99_10K_MS,
        ),
        Figure(name, f"autocomplete p50, {big_n} articles", big["autocomplete"]["p50_ms"], "ms"),
        Figure.check(
            name,
            f"autocomplete p99, {big_n} articles",
            big["autocomplete"]["p99_ms"],
            "ms",
            "<=",
            MAX_AUTOCOMPLETE_P99_10K_MS,
        ),
        Figure(name, f"naive LIKE + fuzzy p50, {big_n} articles", big["naive"]["p50_ms"], "ms"),
        Figure(name, f"naive LIKE + fuzzy p99, {big_n} articles", big["naive"]["p99_ms"], "ms"),
        Figure.check(
            name,
            f"speed-up vs naive, {big_n} articles (mean)",
            big["speedup"],
            "x",
            ">=",
            MIN_SPEEDUP_10K,
        ),
    ]


async def _ingest_small(count: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        raw = await bench_comments.raw_insert_rate(Path(folder), count)
        client = await bench_comments.client_rate(Path(folder), count)
    return {"client": client, "raw_insert_rate": raw, "share_of_raw": client["rate"] / raw}


def ingest(quick: bool = False) -> list[Figure]:
    """Comments recorded per second through the real client, against raw SQLite inserts."""
    if quick:
        logging.basicConfig(level=logging.WARNING)
        data = asyncio.run(_ingest_small(2_000))
    else:
        data = bench_comments.run()
    client = data["client"]
    name = "ingest"
    return [
        Figure(name, "MESSAGE_CREATE events sent in one burst", client["messages"]),
        Figure.check(
            name,
            "comments recorded per second (real client)",
            client["rate"],
            "/s",
            ">=",
            MIN_INGEST_RATE,
        ),
        Figure(name, "raw aiosqlite autocommit INSERTs per second", data["raw_insert_rate"], "/s"),
        Figure.check(
            name,
            "client rate / raw insert rate",
            100 * data["share_of_raw"],
            "%",
            ">=",
            100 * MIN_SHARE_OF_RAW,
        ),
        Figure(name, "write transactions used", client["transactions"]),
    ]
