"""Measuring lookups against a labelled query set: how often `/keyword` opens the article a
member meant.

A query set is a tab-separated file, one `query<TAB>slug<TAB>kind` per line (`#` starts a
comment line); `kind` groups the figures (en, fr, ar, typo, …). The test suite and
`make bench` run the shipped set in tests/data/keyword_queries.tsv.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.content import ContentError, ContentProblem
from bot.keywords.model import Found, Resolution, Suggestions
from bot.keywords.search import KeywordService


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    query: str
    slug: str
    kind: str
    line: int


@dataclass(slots=True)
class Evaluation:
    """Hits and misses of one run; a hit is a Found of the expected article."""

    total: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        count = sum(self.total.values())
        return sum(self.hits.values()) / count if count else 0.0

    def by_kind(self) -> dict[str, float]:
        return {kind: self.hits[kind] / n for kind, n in sorted(self.total.items())}

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {rate:.0%}" for kind, rate in self.by_kind().items())
        count = sum(self.total.values())
        return f"{sum(self.hits.values())}/{count} opened the intended article ({self.rate:.1%}; {kinds})"


def read_queries(path: Path) -> list[LabelledQuery]:
    """The labelled queries of `path`; a malformed line is a ContentError naming it."""
    queries: list[LabelledQuery] = []
    problems: list[ContentProblem] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not all(part.strip() for part in parts):
            problems.append(ContentProblem(Path(path), number, "expected query<TAB>slug<TAB>kind"))
            continue
        query, slug, kind = (part.strip() for part in parts)
        queries.append(LabelledQuery(query, slug, kind, number))
    if problems:
        raise ContentError(problems)
    return queries


async def evaluate(service: KeywordService, queries: list[LabelledQuery]) -> Evaluation:
    """Resolve every query as `/keyword` would and count those that open the expected one."""
    result = Evaluation()
    for labelled in queries:
        result.total[labelled.kind] += 1
        resolution = await service.resolve(labelled.query)
        if isinstance(resolution, Found) and resolution.article.slug == labelled.slug:
            result.hits[labelled.kind] += 1
        else:
            result.misses.append(
                f"line {labelled.line}: {labelled.query!r} → {_describe(resolution)} "
                f"(expected {labelled.slug})"
            )
    return result


def _describe(resolution: Resolution) -> str:
    if isinstance(resolution, Found):
        return f"opened {resolution.article.slug}"
    if isinstance(resolution, Suggestions):
        return "suggested " + ", ".join(a.slug for a in resolution.articles)
    return "not found"
