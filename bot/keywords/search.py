"""Resolving what a member typed to an article, autocomplete, and full-text search.

`KeywordService` keeps the hot lookups in memory (exact names, sorted titles for prefix
completion, the word vocabulary for typo correction) and asks the SQLite FTS5 index for
word-order, partial-name and body matches. Resolution order:

1. exact slug, title or alias (folded: case, accents, punctuation, spaces; also with no
   spaces at all, so `deeplearning` and `apprentissageprofond` work);
2. full-text (FTS5) over titles and aliases, accepted when the best name is ≥ FOUND_SCORE
   similar with words in any order (skipped when a word appears in no name at all);
3. the same two steps after correcting misspelt words against the names' vocabulary;
4. fuzzy over whole names (typos without separators), accepted when clearly ahead;
5. otherwise up to three suggestions (close names first, then articles whose text contains
   every word), or NotFound.
"""

from __future__ import annotations

import bisect
import logging
import sqlite3
from collections.abc import Awaitable, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.keywords.model import (
    HIGHLIGHT_END,
    HIGHLIGHT_START,
    Article,
    Choice,
    Found,
    NotFound,
    Resolution,
    SearchHit,
    Suggestions,
    Via,
)
from bot.keywords.normalise import name_key, squash, strip_article, words
from bot.keywords.spelling import Speller
from bot.rendering.limits import CHOICE_VALUE, CHOICES, choice_name
from bot.series.model import ChallengeDay
from bot.store.keywords import KeywordStore

log = logging.getLogger(__name__)

MAX_QUERY = 200  # characters of user input considered (the rest is ignored)
MAX_TOKENS = 12  # words of user input considered
MAX_SUGGESTIONS = 3
FOUND_SCORE = 90  # word-order-insensitive similarity (0–100) to accept a full-text match
FUZZY_FOUND = 88  # similarity to accept a fuzzy whole-name match…
FUZZY_MARGIN = 4  # …when the next article is at least this far behind
SUGGEST_SCORE = 75  # a fuzzy name below this is noise, not a suggestion
CONTAINED_SCORE = 150  # ranks articles named inside a sentence first among suggestions
SOLE_SCORE = 80  # word-set similarity to open the only close article (no rival at all)
TITLE_BONUS = 100  # ranks suggestions whose title holds the words before alias matches
START_BONUS = 15  # added when the name starts with the query
COMPLETE_SCORE = 65  # looser: autocomplete shows partial words
FULL_FUZZY_POOL = 20_000  # above this many names, fuzzy scans titles only (speed)
MIN_PREFIX = 4  # shortest last word completed through the FTS5 index
PREFIX_SCAN = 400  # sorted names scanned per prefix lookup at most
SNIPPET_WORDS = 24  # words of an article's opening shown for a hit found by name

# Words too common to count as evidence for an article (English, French, Arabic). Names
# may contain them ("apprentissage par renforcement"): they are only left out when deciding
# which article a query points at, or what to suggest.
_COMMON = """
a an and are as at be by for from how i in is it of on or the to what why with
au aux avec ce dans de des du en et la le les par pour sur un une
في من على عن و مع
"""
# Question words and framing around a topic: "what is deep learning", "c'est quoi le deep
# learning", "ما هو التعلم العميق", "شنو هو". Dropped when the whole query names nothing.
_FRAMING = """
about define definition does explain explained intro introduction me mean meaning s tell
this whats c dire est explique expliquer moi quoi que qui signifie veut
ما ماذا هو هي شنو شنوة اشنو واش تعريف معنى يعني اش كيفاش علاش
chno chnou chnu achno achnou ach ashno chnahowa chnahiya howa huwa hiya hia wach wash
kifach kifash 3lach 3lash ya3ni y3ni ma3na t3rif homa hadi hada bghit n3ref fin
"""
STOPWORDS = frozenset(name_key(_COMMON).split())
FILLERS = STOPWORDS | frozenset(name_key(_FRAMING).split())


@dataclass(frozen=True, slots=True)
class _Name:
    key: str  # folded form
    name: str  # as written
    slug: str
    kind: Via  # "title", "alias" or "slug"


class _WordIndex:
    """Word → articles whose names hold it, with the words sorted for prefix scans."""

    def __init__(self, names: Iterable[_Name]) -> None:
        self.slugs: dict[str, set[str]] = {}
        for entry in names:
            for word in entry.key.split():
                self.slugs.setdefault(word, set()).add(entry.slug)
        self.sorted_words = sorted(self.slugs)

    def having_all(self, words: list[str]) -> set[str]:
        """Articles holding every word; the last one also as a prefix (from MIN_PREFIX
        letters) when it is no whole word."""
        *complete, last = words
        if any(word not in self.slugs for word in complete):
            return set()
        found = set(self.slugs.get(last, ()))
        if not found and len(last) >= MIN_PREFIX:
            start = bisect.bisect_left(self.sorted_words, last)
            for word in islice(self.sorted_words, start, None):
                if not word.startswith(last):
                    break
                found |= self.slugs[word]
        return found.intersection(*(self.slugs[word] for word in complete))


class ArticleSource(Protocol):
    """What the service needs from the store (KeywordStore satisfies it)."""

    async def match_names(
        self, tokens: Sequence[str], *, limit: int, prefix_last: bool = False
    ) -> list[str]: ...

    async def match_text(self, tokens: Sequence[str], *, limit: int) -> list[str]: ...

    async def snippets(
        self, tokens: Sequence[str], *, limit: int, words: int = 24
    ) -> list[tuple[str, str]]: ...


def _exact_names(
    entries: Sequence[_Name],
) -> tuple[dict[str, _Name], dict[str, _Name | None]]:
    """Names by folded key (the first wins: titles over slugs over aliases), and by squashed
    key (spaces and dashes gone), where a key two articles share maps to None (ambiguous)."""
    exact: dict[str, _Name] = {}
    squashed: dict[str, _Name | None] = {}
    for entry in entries:
        if not entry.key:
            continue
        exact.setdefault(entry.key, entry)
        flat = squash(entry.key)
        if flat not in squashed:
            squashed[flat] = entry
        elif (known := squashed[flat]) is not None and known.slug != entry.slug:
            squashed[flat] = None
    return exact, squashed


def _sorted_keys(
    entries: Sequence[_Name], *, with_name: bool
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(key, slug[, name]) and (squashed key, slug[, name]), sorted, for prefix scans."""
    tail = (lambda e: (e.slug, e.name)) if with_name else (lambda e: (e.slug,))
    keyed = [e for e in entries if e.key]
    return (
        sorted((e.key, *tail(e)) for e in keyed),
        sorted((squash(e.key), *tail(e)) for e in keyed),
    )


def _short_prefixes(entries: Sequence[_Name]) -> dict[str, frozenset[str]]:
    """Per article, the 1–3 letter starts of its name words (what a short query may be)."""
    prefixes: dict[str, set[str]] = {}
    for entry in entries:
        for word in entry.key.split():
            starts = prefixes.setdefault(entry.slug, set())
            starts.update(word[:size] for size in range(1, MIN_PREFIX))
    return {slug: frozenset(starts) for slug, starts in prefixes.items()}


class KeywordService:
    """Lookup over one set of articles. Build it with `await KeywordService.load(store)`."""

    def __init__(self, articles: Sequence[Article], store: ArticleSource) -> None:
        self.store = store
        self.articles: dict[str, Article] = {a.slug: a for a in articles}
        titles = [_Name(name_key(a.title), a.title, a.slug, "title") for a in articles]
        slugs = [_Name(name_key(a.slug), a.slug, a.slug, "slug") for a in articles]
        aliases = [
            _Name(name_key(alias), alias, a.slug, "alias") for a in articles for alias in a.aliases
        ]
        names = (*titles, *aliases)
        self._exact, self._squashed = _exact_names((*titles, *slugs, *aliases))
        self._names_of: dict[str, list[_Name]] = {}
        for entry in names:
            self._names_of.setdefault(entry.slug, []).append(entry)
        # Sorted (key, slug[, name]) tuples for prefix scans: titles before aliases.
        self._title_keys, self._title_flat = _sorted_keys(titles, with_name=False)
        self._alias_keys, self._alias_flat = _sorted_keys(aliases, with_name=True)
        self._speller = Speller(word for e in names for word in e.key.split())
        self._text_speller: Speller | None = None  # names and bodies, built on first /search
        pool = [*titles, *aliases] if len(titles) + len(aliases) <= FULL_FUZZY_POOL else titles
        self._fuzzy_pool = [e for e in pool if e.key]
        self._fuzzy_keys = [squash(e.key) for e in self._fuzzy_pool]
        self.by_title = sorted(articles, key=lambda a: (name_key(a.title), a.slug))
        self._title_order = {a.slug: index for index, a in enumerate(self.by_title)}
        self._name_index = _WordIndex(names)
        self._title_index = _WordIndex(titles)
        self._word_slugs = self._name_index.slugs  # name word → articles having it
        self._name_words = [(word,) for word in self._name_index.sorted_words]
        self._short_prefixes = _short_prefixes(names)
        self._categories: dict[str, list[Article]] = {}
        for article in self.by_title:
            self._categories.setdefault(article.category, []).append(article)

    @classmethod
    async def load(cls, store: KeywordStore) -> KeywordService:
        return cls(await store.all_articles(), store)

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, slug: str) -> Article | None:
        return self.articles.get(slug)

    # Resolution ---------------------------------------------------------------------------

    async def resolve(self, query: str) -> Resolution:
        """What `query` names: Found, Suggestions (≤ 3) or NotFound. Never raises on input."""
        text = query.strip()[:MAX_QUERY]
        if text in self.articles:  # an autocomplete choice sends the slug
            article = self.articles[text]
            return Found(article, "slug", article.title)
        words = name_key(text).split()[:MAX_TOKENS]
        if not words:
            return NotFound(query)
        candidates: dict[str, float] = {}  # slug → best name similarity, for suggestions
        found = await self._recognise(words, candidates, via=None)
        if found is not None:
            return found
        corrected = [self._correct(word) for word in words]
        if corrected != words:
            found = await self._recognise(corrected, candidates, via="fuzzy")
            if found is not None:
                return found
        close = self._fuzzy(squash(" ".join(words)), SUGGEST_SCORE, limit=10)
        if close:
            (best, best_score), *rest = close
            if best_score >= FUZZY_FOUND and (not rest or rest[0][1] <= best_score - FUZZY_MARGIN):
                return Found(self.articles[best.slug], "fuzzy", best.name)
        for entry, score in close:
            candidates[entry.slug] = max(score, candidates.get(entry.slug, 0.0))
        found, named = self._contained_names(words)  # as typed: no "near" → NER
        if found is not None:
            return found
        for slug in named:  # names the sentence holds come first among suggestions
            candidates[slug] = max(candidates.get(slug, 0.0), CONTAINED_SCORE)
        return await self._suggest(query, corrected, candidates)

    def _contained_names(self, words: list[str]) -> tuple[Found | None, list[str]]:
        """A sentence around a name: "how do neural networks work", "bghit n3ref 3la data
        science". The longest names found as consecutive words; Found when they all belong
        to one article, else those articles (a tie). Names of ≤ 3 letters only count in a
        short query (so "its" in a sentence is not the ITS abbreviation)."""
        content = [word for word in words if word not in FILLERS]
        short_ok = len(content) <= 3
        for size in range(len(words), 0, -1):
            hits: dict[str, _Name] = {}
            for start in range(len(words) - size + 1):
                key = " ".join(words[start : start + size])
                entry = self._exact.get(key)
                if entry is None or key in FILLERS or (len(key) <= 3 and not short_ok):
                    continue
                hits.setdefault(entry.slug, entry)
            if len(hits) == 1:
                entry = next(iter(hits.values()))
                article = self.articles[entry.slug]
                name = article.title if entry.kind == "slug" else entry.name
                return Found(article, "fulltext", name), []
            if hits:
                return None, list(hits)
        return None, []

    async def _recognise(
        self, words: list[str], candidates: dict[str, float], *, via: Via | None
    ) -> Found | None:
        """The article these words name, if the evidence points at one: an exact name (also
        without question words such as "what is" / "c'est quoi" / "ما هو"), a name with the
        same words in any order, or the only article whose names hold every content word."""
        key = " ".join(words)
        found = self._exact_match(key, via=via)
        content = [word for word in words if word not in FILLERS] or words
        if found is None and content != words:
            found = self._exact_match(" ".join(content), via=via)
        if found is None:
            found = await self._name_match(key, words, candidates, via=via or "fulltext")
        if found is None and content != words:
            found = await self._name_match(
                " ".join(content), content, candidates, via=via or "fulltext"
            )
        if found is None:
            found = self._sole_article(content, via=via or "fulltext")
        return found

    def _sole_article(self, words: list[str], *, via: Via) -> Found | None:
        """Found when exactly one article has every word among its names, or else among
        its title alone ("probability" is in one title and in another's alias). The last
        word may be the start of a name word, from MIN_PREFIX letters."""
        meaningful = [word for word in words if word not in STOPWORDS] or words
        for index in (self._name_index, self._title_index):
            slugs = index.having_all(meaningful)
            if len(slugs) == 1:
                slug = slugs.pop()
                key = " ".join(meaningful)
                return Found(self.articles[slug], via, self._best_name(slug, key))
            if not slugs:
                return None
        return None

    def _best_name(self, slug: str, key: str) -> str:
        """The article's title or alias most similar to `key` (what the member meant)."""
        names = self._names_of.get(slug) or [_Name("", self.articles[slug].title, slug, "title")]
        return max(names, key=lambda entry: fuzz.token_set_ratio(key, entry.key)).name

    async def _suggest(
        self, query: str, words: list[str], candidates: dict[str, float]
    ) -> Found | Suggestions | NotFound:
        """Up to three close articles (most similar names first, then articles whose text
        contains every content word), or NotFound."""
        suggested = sorted(candidates, key=lambda slug: -candidates[slug])
        if len(suggested) == 1:  # no rival at all: open it if its name is close enough
            slug, key = suggested[0], " ".join(words)
            name = self._best_name(slug, key)
            if fuzz.token_set_ratio(key, name_key(name)) >= SOLE_SCORE:
                return Found(self.articles[slug], "fuzzy", name)
        if len(suggested) < MAX_SUGGESTIONS:
            content_words = [w for w in words if w not in STOPWORDS and len(w) > 2]
            suggested += await self._safe(self.store.match_text(content_words, limit=3))
        picked = [self.articles[slug] for slug in dict.fromkeys(suggested) if slug in self.articles]
        if picked:
            return Suggestions(tuple(picked[:MAX_SUGGESTIONS]))
        return NotFound(query)

    def _exact_match(self, key: str, *, via: Via | None) -> Found | None:
        entry = self._exact.get(key) or self._squashed.get(squash(key))
        if entry is None:
            return None
        article = self.articles[entry.slug]
        name = article.title if entry.kind == "slug" else entry.name
        return Found(article, via or entry.kind, name)

    async def _name_match(
        self, key: str, words: list[str], candidates: dict[str, float], *, via: Via
    ) -> Found | None:
        """Articles whose names contain every word (bm25 order); Found if one name is
        similar enough to the query with words in any order. Others become candidates."""
        if not all(word in self._speller for word in words):
            return None  # some word is in no name: the index can't match, skip the round trip
        slugs = await self._safe(self.store.match_names(words, limit=10))
        best: tuple[float, _Name] | None = None
        for slug in slugs:
            for entry in self._names_of.get(slug, ()):
                score = fuzz.token_sort_ratio(key, entry.key)
                # as suggestions: a title holding the words outranks an alias holding them,
                # and a name starting with them outranks one holding them later
                rank = score + (TITLE_BONUS if entry.kind == "title" else 0)
                rank += START_BONUS if entry.key.startswith(key) else 0
                candidates[slug] = max(rank, candidates.get(slug, 0.0))
                if best is None or score > best[0]:
                    best = (score, entry)
        if best is not None and best[0] >= FOUND_SCORE:
            entry = best[1]
            return Found(self.articles[entry.slug], via, entry.name)
        return None

    def _correct(self, word: str) -> str:
        """The names' word closest to a misspelt `word` (1 edit, 2 for long words)."""
        return self._speller.correct(word)

    def _text_correct(self, word: str) -> str:
        """Like `_correct`, over the words of the article bodies as well."""
        if self._text_speller is None:
            vocabulary = {w for a in self.articles.values() for w in words(a.body)}
            vocabulary |= {w for a in self.articles.values() for n in a.names for w in words(n)}
            self._text_speller = Speller(vocabulary)
        return self._text_speller.correct(word)

    def _fuzzy(self, flat: str, cutoff: float, *, limit: int) -> list[tuple[_Name, float]]:
        """Names similar to `flat` (no spaces), best per article, best first."""
        if len(flat) < 4:
            return []
        matches = process.extract(
            flat,
            self._fuzzy_keys,
            scorer=fuzz.ratio,
            limit=limit * 3,
            score_cutoff=cutoff,
            processor=None,
        )
        best: dict[str, tuple[_Name, float]] = {}
        for _, score, index in matches:
            entry = self._fuzzy_pool[index]
            if entry.slug not in best or score > best[entry.slug][1]:
                best[entry.slug] = (entry, score)
        ranked = sorted(best.values(), key=lambda pair: (-pair[1], pair[0].slug))
        return ranked[:limit]

    async def _safe(self, call: Awaitable[list[str]]) -> list[str]:
        """Await a store lookup; a database error degrades to "no hits", logged."""
        try:
            return await call
        except sqlite3.Error:
            log.warning("Keyword index lookup failed", exc_info=True)
            return []

    # Autocomplete -------------------------------------------------------------------------

    async def autocomplete(self, query: str) -> list[Choice]:
        """At most 25 choices (one per article): prefix matches, then word matches, then
        close spellings. Names are titles (≤ 100 chars), values are slugs."""
        typed = name_key(query[:MAX_QUERY]).split()[:MAX_TOKENS]
        if not typed:
            return [_choice(a.title, a.slug) for a in self.by_title[:CHOICES]]
        typed[-1] = strip_article(typed[-1], keep=1)  # "الذ…" while typing الذكاء
        key = " ".join(typed)
        choices = _Choices(self.articles)
        self._complete_names(choices, key)
        words = key.split()
        if not choices.full:
            choices.add_all(await self._word_prefix_matches(words))
        if not choices.full:
            corrected = [self._correct(word) for word in words]
            if corrected != words:
                choices.add_all(await self._word_prefix_matches(corrected))
        if not choices.picked:
            for near, _ in self._fuzzy(squash(key), COMPLETE_SCORE, limit=CHOICES):
                choices.add(near.slug, None if near.kind == "title" else near.name)
        return list(choices.picked.values())

    def _complete_names(self, choices: _Choices, key: str) -> None:
        """Titles, then aliases, that start with `key` (as typed, then without spaces)."""
        flat = squash(key)
        for keys, prefix in (
            (self._title_keys, key),
            (self._title_flat, flat),
            (self._alias_keys, key),
            (self._alias_flat, flat),
        ):
            for entry in _prefixed(keys, prefix):
                if choices.full:
                    break
                choices.add(entry[1], entry[2] if len(entry) > 2 else None)

    async def _word_prefix_matches(self, words: list[str]) -> list[str]:
        """Articles whose names contain the complete words and a word starting with the
        last one. A last word shorter than MIN_PREFIX is checked here rather than by FTS5,
        where a one-letter prefix would expand to thousands of terms."""
        *complete, last = words
        if not all(word in self._speller for word in complete):
            return []  # a complete word that is in no name: nothing can match
        if len(last) >= MIN_PREFIX:
            return await self._safe(self.store.match_names(words, limit=CHOICES, prefix_last=True))
        if not complete:  # one short word: any name word starting with it, by title
            return self._articles_with_word_prefix(last)
        sets = sorted((self._word_slugs.get(word, set()) for word in complete), key=len)
        found = [slug for slug in set.intersection(*sets) if last in self._short_prefixes[slug]]
        return sorted(found, key=self._title_order.__getitem__)[:CHOICES]

    def _articles_with_word_prefix(self, prefix: str) -> list[str]:
        """The first articles (by title) having a name word that starts with `prefix`."""
        words = [w[0] for w in _prefixed(self._name_words, prefix, limit=len(self._name_words))]
        total = sum(len(self._word_slugs[word]) for word in words)
        if total > 2000:  # common start: matches are dense, walking the titles ends soon
            matching = (a.slug for a in self.by_title if prefix in self._short_prefixes[a.slug])
            return list(islice(matching, CHOICES))
        found = set().union(*(self._word_slugs[word] for word in words))
        return sorted(found, key=self._title_order.__getitem__)[:CHOICES]

    # Full-text search and browsing --------------------------------------------------------

    async def search(self, query: str, *, limit: int = 5) -> list[SearchHit]:
        """Articles matching `query`, best first: an article it names exactly, then those
        whose text contains every word (with marked snippets), then those whose names in any
        language contain every word (so French and Arabic queries find English articles)."""
        text = query[:MAX_QUERY]
        body_words = words(text)[:MAX_TOKENS]
        rows = await self._safe_rows(body_words, limit)
        if not rows:
            corrected = [self._text_correct(word) for word in body_words]
            if corrected != body_words:
                rows = await self._safe_rows(corrected, limit)
        hits = {slug: SearchHit(self.articles[slug], snippet) for slug, snippet in rows}
        named = await self._named(name_key(text).split()[:MAX_TOKENS], limit)
        ordered: dict[str, SearchHit] = {}
        if named and named[0][2]:  # the query is a name: that article leads
            slug, name, _ = named[0]
            ordered[slug] = hits.get(slug) or self._name_hit(slug, name)
        ordered.update((slug, hit) for slug, hit in hits.items() if slug in self.articles)
        for slug, name, _ in named:
            ordered.setdefault(slug, self._name_hit(slug, name))
        return list(ordered.values())[:limit]

    async def _named(self, keys: list[str], limit: int) -> list[tuple[str, str, bool]]:
        """(slug, matching name, exact?) for articles a name query points at."""
        if not keys:
            return []
        found: dict[str, tuple[str, str, bool]] = {}
        exact = self._exact_match(" ".join(keys), via=None)
        if exact is not None:
            found[exact.article.slug] = (exact.article.slug, exact.matched, True)
        content = [word for word in keys if word not in STOPWORDS] or keys
        for slug in await self._safe(self.store.match_names(content, limit=limit)):
            if slug in self.articles and slug not in found:
                found[slug] = (slug, self._best_name(slug, " ".join(content)), False)
        return list(found.values())

    def _name_hit(self, slug: str, name: str) -> SearchHit:
        """A hit found by name: the name marked, then the article's opening words."""
        article = self.articles[slug]
        opening = " ".join(article.body.split()[:SNIPPET_WORDS])
        marked = f"{HIGHLIGHT_START}{name}{HIGHLIGHT_END}"
        if name == article.title:
            return SearchHit(article, f"{opening}…")
        return SearchHit(article, f"{marked} — {opening}…")

    async def _safe_rows(self, words: list[str], limit: int) -> list[tuple[str, str]]:
        try:
            return await self.store.snippets(words, limit=limit)
        except sqlite3.Error:
            log.warning("Keyword search failed", exc_info=True)
            return []

    @property
    def categories(self) -> list[str]:
        return sorted(self._categories, key=name_key)

    def in_category(self, category: str | None) -> list[Article]:
        """Articles of one category (folded match), or every article by category then title."""
        if not category or not category.strip():
            return [a for name in self.categories for a in self._categories[name]]
        wanted = name_key(category)
        for name, articles in self._categories.items():
            if name_key(name) == wanted:
                return list(articles)
        return []

    def complete_category(self, query: str) -> list[Choice]:
        wanted = name_key(query[:MAX_QUERY])
        names = [c for c in self.categories if wanted in name_key(c)]
        return [_choice(f"{c} ({len(self._categories[c])})", c) for c in names[:CHOICES]]


class _Choices:
    """Autocomplete choices being gathered: one per article, at most CHOICES, in order."""

    def __init__(self, articles: dict[str, Article]) -> None:
        self.articles = articles
        self.picked: dict[str, Choice] = {}  # slug → choice

    @property
    def full(self) -> bool:
        return len(self.picked) >= CHOICES

    def add(self, slug: str, alias: str | None = None) -> None:
        """Offer `slug` by its title, naming the alias that matched (if one did)."""
        if slug in self.picked or self.full or slug not in self.articles:
            return
        title = self.articles[slug].title
        self.picked[slug] = _choice(f"{title} ({alias})" if alias else title, slug)

    def add_all(self, slugs: list[str]) -> None:
        for slug in slugs:
            self.add(slug)


def related_days(article: Article, days: Iterable[ChallengeDay]) -> list[ChallengeDay]:
    """The article's days: those it lists (`days:`) and those whose page tags it by a
    keyword equal (folded) to its title, slug or an alias."""
    names = {name_key(name) for name in (*article.names, article.slug)}
    return sorted(
        (
            day
            for day in days
            if day.number in article.days or any(name_key(tag) in names for tag in day.keywords)
        ),
        key=lambda day: day.number,
    )


def _prefixed(
    entries: Sequence[tuple[str, ...]], prefix: str, *, limit: int = PREFIX_SCAN
) -> Iterable[tuple[str, ...]]:
    """Entries of a sorted list whose first item starts with `prefix` (bounded scan)."""
    if not prefix:
        return
    start = bisect.bisect_left(entries, (prefix,))
    for index in range(start, min(len(entries), start + limit)):
        entry = entries[index]
        if not entry[0].startswith(prefix):
            return
        yield entry


def _choice(name: str, value: str) -> Choice:
    """A choice Discord accepts: one-line name of 1–100 characters, value ≤ 100."""
    return Choice(choice_name(name), value[:CHOICE_VALUE])
