"""Keyword lookup benchmark: resolve and autocomplete latency, shipped and 10k articles.

Run: `.venv/bin/python -m bench.bench_keywords`. Measures the service's real async path
(in-memory exact/prefix maps, SQLite FTS5 through aiosqlite, rapidfuzz) against a naive
baseline (LIKE over title and body, then rapidfuzz `extractOne` over every title), with a
query mix of exact titles, aliases, accent-less aliases, typos and reordered words.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.keywords.evaluate import evaluate, read_queries
from bot.keywords.loader import load_articles
from bot.keywords.model import Article, Found
from bot.keywords.normalise import fold, name_key
from bot.keywords.search import KeywordService
from bot.keywords.sync import sync_articles
from bot.store import Database
from bot.store.keywords import KeywordStore

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "keywords"
LABELLED = sorted((ROOT / "tests" / "data").glob("keyword_queries*.tsv"))  # labelled queries
SYNTHETIC_SIZE = 10_000
QUERIES = 1_000
SEED = 20240601
FRENCH = ["réseaux", "données", "modèle", "apprentissage", "énergie", "santé", "sécurité",
          "éducation", "prévision", "détection", "système", "équité", "génératif", "évaluation"]  # fmt: skip

TARGETS = (  # (name, metric key, comparison, limit)
    ("labelled queries opened, shipped", "shipped.labelled.rate", ">=", 0.95),
    ("resolve p99, shipped", "shipped.resolve.p99_ms", "<=", 1.0),
    ("resolve p99, labelled queries", "shipped.labelled_resolve.p99_ms", "<=", 1.0),
    ("resolve p99, 10k", "synthetic.resolve.p99_ms", "<=", 5.0),
    ("autocomplete p99, 10k", "synthetic.autocomplete.p99_ms", "<=", 5.0),
    ("speed-up vs naive, 10k (mean)", "synthetic.speedup", ">=", 10.0),
)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return {
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": ordered[-1] * 1000,
        "mean_ms": statistics.fmean(ordered) * 1000,
    }


async def timed(call: Callable[[str], Awaitable[object]], queries: list[str]) -> list[float]:
    for query in queries[:50]:  # warm-up: caches, lazily built vocabularies
        await call(query)
    samples = []
    for query in queries:
        start = time.perf_counter()
        await call(query)
        samples.append(time.perf_counter() - start)
    return samples


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swap two letters
    return word[:i] + word[i + 1 :]  # drop one


def query_mix(articles: list[Article], rng: random.Random, count: int) -> list[str]:
    """Exact titles, aliases, accent-less aliases, typos and reordered multi-word titles."""
    queries = []
    for _ in range(count):
        article = rng.choice(articles)
        kind = rng.randrange(5)
        if kind == 0 or not article.aliases:
            queries.append(article.title)
        elif kind == 1:
            queries.append(rng.choice(article.aliases))
        elif kind == 2:
            queries.append(fold(rng.choice(article.aliases)))
        elif kind == 3:
            words = article.title.split()
            index = max(range(len(words)), key=lambda i: len(words[i]))
            words[index] = typo(words[index], rng)
            queries.append(" ".join(words))
        else:
            queries.append(" ".join(reversed(article.title.split())))
    return queries


def prefix_mix(articles: list[Article], rng: random.Random, count: int) -> list[str]:
    """What people type while autocomplete runs: prefixes of names, sometimes empty."""
    queries = []
    for _ in range(count):
        name = rng.choice(rng.choice(articles).names)
        queries.append(name[: rng.randrange(0, len(name) + 1)])
    return queries


def synthetic_articles(size: int, rng: random.Random) -> list[Article]:
    """Realistic-looking articles: words drawn (by frequency) from the shipped bodies."""
    counts = Counter(w for a in load_articles(SHIPPED) for w in a.body.split() if w.isalpha())
    words, weights = zip(*counts.items(), strict=True)
    vocabulary = [w for w in words if len(w) > 3]
    taken: set[str] = set()
    articles = []
    while len(articles) < size:
        title = " ".join(w.capitalize() for w in rng.sample(vocabulary, rng.randint(2, 4)))
        names = [title]
        names.append(" ".join(rng.sample(vocabulary, 2)) + " " + rng.choice(FRENCH))
        names.append(rng.choice(FRENCH) + " " + " ".join(rng.sample(vocabulary, 2)))
        names.append("".join(w[0] for w in title.split()).upper() + str(len(articles)))
        keys = [name_key(n) for n in names]
        if any(k in taken for k in keys) or len(set(keys)) != len(keys):
            continue
        taken.update(keys)
        slug = name_key(title).replace(" ", "-")[:60].strip("-") + f"-{len(articles)}"
        body = " ".join(rng.choices(words, weights=weights, k=200))
        articles.append(
            Article(slug, title, f"Category {len(articles) % 12}", body, tuple(names[1:]))
        )
    return articles


class NaiveLookup:
    """The baseline: LIKE over title and body, then rapidfuzz over every title."""

    def __init__(self, db: Database, articles: list[Article]) -> None:
        self.db = db
        self.titles = [a.title for a in articles]

    async def resolve(self, query: str) -> object:
        pattern = f"%{query}%"
        row = await self.db.fetchone(
            "SELECT slug FROM keyword_articles WHERE title LIKE ? OR body LIKE ? LIMIT 1",
            (pattern, pattern),
        )
        best = process.extractOne(query, self.titles, scorer=fuzz.WRatio)
        return row, best


async def measure(name: str, articles: list[Article] | None, rng: random.Random) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        db = Database(Path(folder) / "bench.sqlite3")
        await db.open()
        try:
            store = KeywordStore(db)
            if articles is None:
                await sync_articles(store, SHIPPED)
            else:
                await store.replace_all(articles, f"synthetic-{len(articles)}")
            service = await KeywordService.load(store)
            loaded = list(service.articles.values())
            resolve_queries = query_mix(loaded, rng, QUERIES)
            complete_queries = prefix_mix(loaded, rng, QUERIES)
            results = [await service.resolve(q) for q in resolve_queries]
            found = sum(isinstance(r, Found) for r in results) / len(results)
            resolve = await timed(service.resolve, resolve_queries)
            complete = await timed(service.autocomplete, complete_queries)
            naive = await timed(NaiveLookup(db, loaded).resolve, resolve_queries[:300])
            labelled = None
            if articles is None:
                queries = [query for path in LABELLED for query in read_queries(path)]
                result = await evaluate(service, queries)
                labelled = {"rate": result.rate, "summary": result.summary()}
                labelled_times = await timed(service.resolve, [q.query for q in queries])
        finally:
            await db.close()
    figures = {
        "articles": len(loaded),
        "found_rate": found,
        "resolve": percentiles(resolve),
        "autocomplete": percentiles(complete),
        "naive": percentiles(naive),
    }
    figures["speedup"] = figures["naive"]["mean_ms"] / figures["resolve"]["mean_ms"]
    if labelled is not None:
        figures["labelled"] = labelled
        figures["labelled_resolve"] = percentiles(labelled_times)
    return figures


def lookup(figures: dict, dotted: str) -> float:
    value: object = figures
    for part in dotted.split("."):
        value = value[part]  # type: ignore[index]
    return float(value)  # type: ignore[arg-type]


async def run_async() -> dict:
    rng = random.Random(SEED)
    figures: dict = {"shipped": await measure("shipped", None, rng)}
    figures["synthetic"] = await measure("synthetic", synthetic_articles(SYNTHETIC_SIZE, rng), rng)
    figures["targets"] = [
        {
            "name": name,
            "value": lookup(figures, key),
            "target": f"{op} {limit:g}",
            "ok": lookup(figures, key) <= limit if op == "<=" else lookup(figures, key) >= limit,
        }
        for name, key, op, limit in TARGETS
    ]
    return figures


def run() -> dict:
    """Run the benchmark and return every figure (milliseconds) and target verdict."""
    return asyncio.run(run_async())


def report(figures: dict) -> str:
    lines = [
        f"{'corpus':<10} {'what':<13} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'mean ms':>8}"
    ]
    for corpus in ("shipped", "synthetic"):
        data = figures[corpus]
        for what in ("resolve", "autocomplete", "naive"):
            f = data[what]
            lines.append(
                f"{corpus:<10} {what:<13} {f['p50_ms']:>8.3f} {f['p99_ms']:>8.3f} "
                f"{f['max_ms']:>8.3f} {f['mean_ms']:>8.3f}"
            )
        lines.append(
            f"{corpus:<10} {data['articles']} articles, {data['found_rate']:.0%} of the query "
            f"mix resolved directly, {data['speedup']:.1f}x faster than naive (mean)"
        )
        if "labelled" in data:
            f = data["labelled_resolve"]
            lines.append(
                f"{corpus:<10} {'labelled':<13} {f['p50_ms']:>8.3f} {f['p99_ms']:>8.3f} "
                f"{f['max_ms']:>8.3f} {f['mean_ms']:>8.3f}"
            )
            lines.append(f"{corpus:<10} labelled query set: {data['labelled']['summary']}")
    lines.append("")
    lines.append(f"{'target':<32} {'value':>10} {'goal':>8}  result")
    for target in figures["targets"]:
        verdict = "PASS" if target["ok"] else "FAIL"
        lines.append(
            f"{target['name']:<32} {target['value']:>10.3f} {target['target']:>8}  {verdict}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(run()))
