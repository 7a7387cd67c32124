"""Read and validate the keyword articles in KEYWORDS_DIR (one Markdown file each).

Front matter: `title`, `slug`, `category` (required); `aliases` (other names, usually
English), `aliases_fr` and `aliases_ar` (French and Arabic names), `related` (slugs) and
`days` (challenge day numbers) as lists; optional `source`, `url`, and `summary_fr`,
`summary_ar` (a few sentences for French and Arabic readers, shown before the English body;
a bad summary costs that summary, not the article). Every problem in every file is collected. `load_catalogue` keeps going past
them (a broken file costs that article, an unknown `related` slug costs that link);
`load_articles` raises them all in one ContentError.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.content import ContentError, ContentProblem, read_source
from bot.keywords.model import Article
from bot.keywords.normalise import name_key

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64  # keeps custom_ids such as "kw:rel:<slug>" far below 100 characters
MAX_TITLE = 100  # a title is also an autocomplete choice name and a button label source
MAX_ALIAS = 100
MAX_CATEGORY = 100
ALIAS_KEYS = ("aliases", "aliases_fr", "aliases_ar")
MAX_DAY = 366  # a day number beyond a year of daily posts is a typo
MAX_SUMMARY = 600  # a few sentences; leaves room in a 4,096-character embed for the rest
SUMMARY_KEYS = {"summary_fr": "fr", "summary_ar": "ar"}
KNOWN_KEYS = (
    "title", "slug", "category", "aliases", "aliases_fr", "aliases_ar", "related", "days",
    "source", "url", "summary_fr", "summary_ar",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The articles that loaded, and every problem met on the way (each `path:line: …`)."""

    articles: list[Article]
    problems: list[ContentProblem]


def load_catalogue(directory: Path) -> Catalogue:
    """Every sound article of `directory` (ordered by slug), skipping broken ones.

    Raises ContentError only when the directory itself is missing or holds no *.md file.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ContentError(
            [ContentProblem(directory, None, "the keywords directory doesn't exist")]
        )
    files = sorted(directory.glob("*.md"))
    if not files:
        raise ContentError([ContentProblem(directory, None, "no article files (*.md) found")])
    parsed: list[Article] = []
    problems: list[ContentProblem] = []
    for path in files:
        article, found = parse_article(path)
        problems.extend(found)
        if article is not None:
            parsed.append(article)
    kept, found = resolve_collection(parsed)
    problems.extend(found)
    return Catalogue(sorted(kept, key=lambda a: a.slug), problems)


def load_articles(directory: Path) -> list[Article]:
    """All articles of `directory`, ordered by slug; raise ContentError listing every problem."""
    catalogue = load_catalogue(directory)
    if catalogue.problems:
        raise ContentError(catalogue.problems)
    return catalogue.articles


def directory_fingerprint(directory: Path) -> str:
    """sha256 over every article file's name and bytes: changes whenever the content does."""
    digest = hashlib.sha256()
    for path in sorted(Path(directory).glob("*.md")):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def parse_article(path: Path) -> tuple[Article | None, list[ContentProblem]]:
    """One file → an Article, or None with the problems that prevented it."""
    source, problems = read_source(path)
    if source is None:
        return None, problems
    lines = _front_matter_lines(path)

    def problem(key: str | None, message: str) -> None:
        problems.append(ContentProblem(path, lines.get(key or "", 1), message))

    meta = source.meta
    _check_keys(meta, problem)
    title = _title(meta, problem)
    slug = _slug(meta, problem)
    category = _text(meta, "category", MAX_CATEGORY, problem)
    details = _Details.read(meta, problem)
    body = source.body.strip()
    if not body:
        problems.append(ContentProblem(path, source.body_line, "the article has no text"))
    if problems or not (title and slug and category):
        return None, problems
    summaries = _summaries(meta, problem)
    article = details.article(title, slug, category, body, path, summaries)
    return article, problems  # only summary problems can be left here: the article is sound


_Report = Callable[[str | None, str], None]  # (front-matter key, message)


def _check_keys(meta: dict[str, Any], problem: _Report) -> None:
    """Report a missing front matter, and every key the loader doesn't know."""
    if not meta:
        problem(None, "missing front matter (--- title/slug/category/aliases/related ---)")
    for key in meta:
        if key not in KNOWN_KEYS:
            problem(str(key), f"unknown key {key!r} (expected one of: {', '.join(KNOWN_KEYS)})")


def _title(meta: dict[str, Any], problem: _Report) -> str | None:
    title = _text(meta, "title", MAX_TITLE, problem)
    if title and not name_key(title):
        problem("title", f"title {title!r} has no letters or digits (it can't be looked up)")
        return None
    return title


def _slug(meta: dict[str, Any], problem: _Report) -> str | None:
    slug = _text(meta, "slug", MAX_SLUG, problem)
    if slug and not SLUG_PATTERN.match(slug):
        problem("slug", f"slug {slug!r} must be lowercase letters, digits and single hyphens")
        return None
    return slug


@dataclass(frozen=True, slots=True)
class _Details:
    """The optional front-matter fields of an article, checked."""

    by_language: dict[str, list[str]]  # aliases under each of ALIAS_KEYS
    related: list[str]
    days: tuple[int, ...]
    source: str | None
    url: str | None

    @classmethod
    def read(cls, meta: dict[str, Any], problem: _Report) -> _Details:
        by_language = {key: _text_list(meta, key, MAX_ALIAS, problem) for key in ALIAS_KEYS}
        for key, names in by_language.items():
            for alias in names:
                if not name_key(alias):
                    problem(key, f"alias {alias!r} has no letters or digits")
        related = _text_list(meta, "related", MAX_SLUG, problem)
        for target in related:
            if not SLUG_PATTERN.match(target):
                problem("related", f"related entry {target!r} is not a slug (like deep-learning)")
        days = _day_list(meta, problem)
        source_name = _optional_text(meta, "source", problem)
        url = _optional_text(meta, "url", problem)
        if url and not re.match(r"^https?://\S+$", url):
            problem("url", f"url {url!r} must start with http:// or https://")
        return cls(by_language, related, days, source_name, url)

    def article(
        self,
        title: str,
        slug: str,
        category: str,
        body: str,
        path: Path,
        summaries: tuple[tuple[str, str], ...],
    ) -> Article:
        aliases = [alias for names in self.by_language.values() for alias in names]
        kept = _unique_names(title, aliases)
        return Article(
            slug=slug,
            title=title,
            category=category,
            body=body,
            aliases=kept,
            french=tuple(a for a in self.by_language["aliases_fr"] if a in kept),
            arabic=tuple(a for a in self.by_language["aliases_ar"] if a in kept),
            related=tuple(dict.fromkeys(self.related)),
            days=self.days,
            source=self.source,
            url=self.url,
            path=path,
            summaries=summaries,
        )


def check_collection(articles: list[Article]) -> list[ContentProblem]:
    """Problems between files: duplicate slugs or names, unknown or self `related` slugs."""
    return resolve_collection(articles)[1]


def resolve_collection(articles: list[Article]) -> tuple[list[Article], list[ContentProblem]]:
    """The articles that can be served together, and the problems between files.

    In file order, a later article whose slug or title is already taken is dropped; a
    clashing or empty alias, or a self/unknown `related` slug, drops only that name or link.
    """
    collection = _Collection()
    for article in articles:
        collection.admit(article)
    kept = [collection.with_known_related(article) for article in collection.by_slug.values()]
    return kept, collection.problems


class _Collection:
    """The articles admitted so far (in file order), who owns each name, and the problems."""

    def __init__(self) -> None:
        self.problems: list[ContentProblem] = []
        self.by_slug: dict[str, Article] = {}
        self.owners: dict[str, tuple[Article, str]] = {}  # name key → (article, name)

    def admit(self, article: Article) -> None:
        """Add `article` unless its slug or title is taken; keep only its free aliases."""
        other = self.by_slug.get(article.slug)
        if other is not None:
            message = f"slug {article.slug!r} is also used by {_where(other)}"
            self.problems.append(_problem(article, message, "slug"))
            return
        found = [
            p
            for kind in ("title", "slug")
            if (p := self._clash(article, kind, getattr(article, kind)))
        ]
        if found:
            self.problems.extend(found)
            return
        aliases = []
        for alias in article.aliases:
            problem = self._clash(article, "alias", alias)
            if problem is None:
                aliases.append(alias)
            else:
                self.problems.append(problem)
        article = article.only_names(tuple(aliases))
        for _kind, name in _named(article):
            self.owners.setdefault(name_key(name), (article, name))
        self.by_slug[article.slug] = article

    def _clash(self, article: Article, kind: str, name: str) -> ContentProblem | None:
        """Why `article` can't have `name` (empty, or another article's), or None."""
        key = name_key(name)
        if not key:
            return _problem(article, f"{kind} {name!r} has no letters or digits", _key(kind))
        owner = self.owners.get(key)
        if owner is None or owner[0].slug == article.slug:
            return None
        return _problem(
            article,
            f"{kind} {name!r} is also a name of {owner[0].title!r} "
            f"({_where(owner[0])}, as {owner[1]!r})",
            _key(kind),
            text=name if kind == "alias" else None,
        )

    def with_known_related(self, article: Article) -> Article:
        """`article` without `related` slugs that are its own or no admitted article's."""
        related = []
        for target in article.related:
            if target == article.slug:
                message = f"related lists the article itself ({target})"
                self.problems.append(_problem(article, message, "related"))
            elif target not in self.by_slug:
                message = f"related: no article has slug {target!r}"
                self.problems.append(_problem(article, message, "related"))
            else:
                related.append(target)
        return replace(article, related=tuple(related))


def _named(article: Article) -> list[tuple[str, str]]:
    return [
        ("title", article.title),
        ("slug", article.slug),
        *(("alias", alias) for alias in article.aliases),
    ]


def _key(kind: str) -> str:
    return "aliases" if kind == "alias" else kind


def _unique_names(title: str, aliases: list[str]) -> tuple[str, ...]:
    """Aliases without repeats (compared folded) and without the title itself."""
    seen = {name_key(title)}
    kept = []
    for alias in aliases:
        key = name_key(alias)
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(alias)
    return tuple(kept)


def _problem(
    article: Article, message: str, key: str = "title", *, text: str | None = None
) -> ContentProblem:
    """A problem at `key`'s line, or at the line listing `text` (an alias) when found."""
    if article.path is None:
        return ContentProblem(Path(f"{article.slug}.md"), None, message)
    line = _front_matter_lines(article.path).get(key)
    if text is not None:
        line = _list_item_line(article.path, text) or line
    return ContentProblem(article.path, line, message)


def _list_item_line(path: Path, text: str) -> int | None:
    """The line of a front-matter list item `- text` (quoted or not), if any."""
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return None
    for number, line in enumerate(lines, start=1):
        item = line.strip()
        if item.startswith("- ") and item[2:].strip().strip("'\"") == text:
            return number
        if number > 1 and item in ("---", "..."):
            break
    return None


def _where(article: Article) -> str:
    return str(article.path) if article.path else f"{article.slug}.md"


def _front_matter_lines(path: Path) -> dict[str, int]:
    """Line number of each top-level front-matter key, for problem messages."""
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
    found: dict[str, int] = {}
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        return found
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            break
        match = re.match(r"^([A-Za-z_][\w-]*)\s*:", line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _text(meta: dict[str, Any], key: str, limit: int, problem: Any) -> str | None:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        problem(key if key in meta else None, f"missing {key}")
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        problem(key, f"{key} must be text")
        return None
    text = " ".join(str(value).split())
    if len(text) > limit:
        problem(key, f"{key} is {len(text)} characters long (at most {limit})")
        return None
    return text


def _summaries(meta: dict[str, Any], problem: Any) -> tuple[tuple[str, str], ...]:
    found = []
    for key, language in SUMMARY_KEYS.items():
        text = _optional_text(meta, key, problem)
        if text is None:
            continue
        text = " ".join(text.split())
        if len(text) > MAX_SUMMARY:
            problem(key, f"{key} is {len(text)} characters long (at most {MAX_SUMMARY})")
            continue
        found.append((language, text))
    return tuple(found)


def _optional_text(meta: dict[str, Any], key: str, problem: Any) -> str | None:
    value = meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        problem(key, f"{key} must be text")
        return None
    return value.strip()


def _text_list(meta: dict[str, Any], key: str, limit: int, problem: Any) -> list[str]:
    value = meta.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problem(key, f"{key} must be a list (one '- item' per line)")
        return []
    items = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            problem(key, f"{key} entries must be text, got {item!r}")
            continue
        text = " ".join(str(item).split())
        if not text:
            problem(key, f"{key} has an empty entry")
        elif len(text) > limit:
            problem(key, f"{key} entry {text[:40]!r}… is longer than {limit} characters")
        else:
            items.append(text)
    return items


def _day_list(meta: dict[str, Any], problem: Any) -> tuple[int, ...]:
    """`days: [1, 10]`: the challenge days an article belongs to, sorted, without repeats."""
    value = meta.get("days")
    if value is None:
        return ()
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value]
    if not isinstance(value, list):
        problem("days", "days must be a list of day numbers, like [1, 10]")
        return ()
    days: set[int] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= MAX_DAY:
            problem("days", f"days entries must be day numbers from 1 to {MAX_DAY}, got {item!r}")
        else:
            days.add(item)
    return tuple(sorted(days))
