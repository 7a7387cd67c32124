"""Turn pages in the keyword site's plain format into our Markdown article files.

A page is: a title line, the body, optionally one line of search phrases run together
without separators ("Deep Learning MoroccoDeep Learning Marocdeep learning…"), and a site
footer ("Explore 60+ keywords across all AI topics"), sometimes glued to the body's end.
The phrase line is split back into aliases at case changes ("MoroccoDeep"), after known
names ("Marocdeep", "UM6Préseaux") and, for lowercase junctions ("learningdeep"), with a
vocabulary built from the page's own words plus a small bilingual list, falling back to
character trigrams. What can't be split is reported, never guessed silently.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.content import ContentProblem, read_source
from bot.keywords.loader import MAX_ALIAS, MAX_SLUG, MAX_TITLE
from bot.keywords.model import Article
from bot.keywords.normalise import fold, name_key, text_key

FOOTER = re.compile(r"\s*Explore\s+\d+\+?\s+keywords\s+across\s+all\s+AI\s+topics\.?\s*$", re.I)

# Names that end a phrase even when the next one starts in lowercase ("Marocdeep").
KNOWN_NAMES = (
    "Morocco", "Moroccan", "Maroc", "Marocain", "Marocaine", "Marocains", "Maghreb", "Africa",
    "Afrique", "UM6P", "ENSIAS", "INRIA", "EMI", "SMIA", "INSEA", "Rabat", "Casablanca",
    "Marrakech", "Darija", "Amazigh", "AI", "IA", "ML", "DL", "NLP",
)  # fmt: skip

# Words the phrase lines use that a page's English body may not contain.
BASE_VOCABULARY = frozenset(fold(word) for word in (
    "ai", "ia", "ml", "dl", "nlp", "deep", "machine", "learning", "apprentissage", "profond",
    "automatique", "réseaux", "neurones", "neuronaux", "neuronal", "intelligence", "artificielle",
    "artificial", "données", "data", "science", "sciences", "recherche", "research", "vision",
    "ordinateur", "computer", "traitement", "langage", "langue", "naturel", "natural", "language",
    "processing", "modèles", "modèle", "models", "model", "maroc", "morocco", "moroccan",
    "marocain", "marocaine", "marocains", "en", "au", "du", "de", "des", "la", "le", "les", "et",
    "in", "of", "for", "and", "generative", "générative", "santé", "health", "éducation",
    "education", "agriculture", "énergie", "energy", "finance", "sécurité", "security",
))  # fmt: skip

_GLUED_CASE = re.compile(r"(?<=[a-zà-ÿ])(?=[A-ZÀ-Þ])")
_WORD = re.compile(r"[^\W_]+")
_SENTENCE_END = re.compile(r"[.!?]")


@dataclass
class ImportedPage:
    """One converted page, ready to be written as `<slug>.md`."""

    source: Path
    title: str
    slug: str
    body: str
    aliases: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    unsplit: list[str] = field(default_factory=list)  # run-together text left as is
    notes: list[str] = field(default_factory=list)  # other things the user should know


def parse_page(path: Path) -> tuple[ImportedPage | None, list[ContentProblem]]:
    """Read one keyword-site page (mojibake repaired) into an ImportedPage."""
    source, problems = read_source(path)
    if source is None:
        return None, problems
    lines = [line.rstrip() for line in source.body.split("\n")]  # plain pages: no front matter
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines:
        return None, [ContentProblem(path, 1, "the page is empty")]
    title = " ".join(lines.pop(0).split())
    rest = [FOOTER.sub("", line) for line in lines]
    while rest and not rest[-1].strip():
        rest.pop()
    phrase_line = ""
    if rest and _looks_like_phrases(rest[-1]):
        phrase_line = rest.pop().strip()
    body = "\n".join(rest).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    if not title or len(title) > MAX_TITLE:
        return None, [
            ContentProblem(path, 1, f"the first line must be a title (1–{MAX_TITLE} characters)")
        ]
    if not body:
        return None, [ContentProblem(path, 2, "the page has no body text after the title")]
    page = ImportedPage(source=path, title=title, slug=slugify(title), body=body)
    if not page.slug:
        return None, [ContentProblem(path, 1, f"can't make a slug from the title {title!r}")]
    if phrase_line:
        vocabulary = build_vocabulary(title, body)
        known = known_names(body)
        phrases, unsplit = split_phrases(phrase_line, vocabulary, known)
        page.unsplit = unsplit
        page.aliases = _clean_aliases(title, phrases, page.notes)
    else:
        page.notes.append("no line of search phrases: no aliases added")
    return page, []


def _looks_like_phrases(line: str) -> bool:
    """The run-together search line: no sentence punctuation, and glued or short."""
    text = line.strip()
    if not text or _SENTENCE_END.search(text) or "," in text:
        return False
    return bool(_GLUED_CASE.search(text)) or len(text.split()) <= 20


def slugify(title: str) -> str:
    words = text_key(title).split()
    slug = ""
    for word in words:
        if not re.fullmatch(r"[a-z0-9]+", word):
            continue
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    return slug


def build_vocabulary(*texts: str) -> frozenset[str]:
    """Folded words (2+ letters) of the texts plus the built-in bilingual list."""
    words = {fold(w) for text in texts for w in _WORD.findall(text) if len(w) >= 2}
    return frozenset(words | BASE_VOCABULARY | {fold(n) for n in KNOWN_NAMES})


def known_names(body: str) -> tuple[str, ...]:
    """KNOWN_NAMES plus acronyms seen in the body (UM6P, ENSIAS, NeurIPS…), longest first."""
    acronyms = {w for w in _WORD.findall(body) if re.fullmatch(r"[A-Z][A-Z0-9]{1,9}", w)}
    return tuple(sorted(set(KNOWN_NAMES) | acronyms, key=len, reverse=True))


def split_phrases(
    line: str, vocabulary: frozenset[str], known: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """Split a run-together line into phrases; also return the pieces left unsplit."""
    phrases: list[list[str]] = [[]]
    unsplit: list[str] = []
    for word in line.split():
        pieces = _split_word(word, vocabulary, known, unsplit)
        phrases[-1].append(pieces[0])
        for piece in pieces[1:]:
            phrases.append([piece])
    return [" ".join(words) for words in phrases if words], unsplit


def _split_word(
    word: str, vocabulary: frozenset[str], known: tuple[str, ...], unsplit: list[str]
) -> list[str]:
    """One whitespace-free word → the pieces it was glued from (usually just itself)."""
    pieces: list[str] = []
    for chunk in _GLUED_CASE.split(word):  # "MoroccoDeep" → "Morocco", "Deep"
        pieces.extend(_split_after_known(chunk, known))
    result: list[str] = []
    for piece in pieces:
        result.extend(_segment(piece, vocabulary, unsplit))
    return result


def _split_after_known(chunk: str, known: tuple[str, ...]) -> list[str]:
    """ "Marocdeep" → "Maroc", "deep"; "UM6Préseaux" → "UM6P", "réseaux"."""
    for name in known:
        if chunk == name or not chunk.startswith(name):
            continue
        rest = chunk[len(name) :]
        if len(rest) >= 2 and rest[0].isalpha() and rest[0].islower():
            # "Marocain" must stay whole: only split when the rest isn't a name suffix
            if any(chunk.startswith(longer) for longer in known if len(longer) > len(name)):
                continue
            return [name, *_split_after_known(rest, known)]
    return [chunk]


def _segment(piece: str, vocabulary: frozenset[str], unsplit: list[str]) -> list[str]:
    """Split a lowercase junction ("learningdeep") using the vocabulary, then trigrams."""
    folded = fold(piece)
    if folded in vocabulary or len(piece) < 6 or not piece[-1].islower():
        return [piece]
    cut = _vocabulary_cut(folded, vocabulary) or _trigram_cut(folded, vocabulary)
    if cut is None:
        if len(piece) >= 12:
            unsplit.append(piece)
        return [piece]
    left, right = piece[:cut], piece[cut:]
    return [*_segment(left, vocabulary, unsplit), *_segment(right, vocabulary, unsplit)]


def _vocabulary_cut(folded: str, vocabulary: frozenset[str]) -> int | None:
    """The split position where both sides are words, or one is a word and the other
    is long enough to be a word the vocabulary doesn't know (≥ 4 letters)."""
    best: tuple[int, int, int] | None = None  # (words known, shorter side, position)
    for cut in range(2, len(folded) - 1):
        left, right = folded[:cut], folded[cut:]
        known = (left in vocabulary) + (right in vocabulary)
        shorter = min(len(left), len(right))
        if known == 0 or (known == 1 and shorter < 4):
            continue
        if best is None or (known, shorter) > best[:2]:
            best = (known, shorter, cut)
    return best[2] if best else None


def _trigram_cut(folded: str, vocabulary: frozenset[str]) -> int | None:
    """Split where the trigrams crossing the cut never occur inside a known word."""
    grams = Counter(word[i : i + 3] for word in vocabulary for i in range(len(word) - 2))
    best: tuple[int, int] | None = None
    for cut in range(4, len(folded) - 3):
        crossing = (folded[cut - 2 : cut + 1], folded[cut - 1 : cut + 2])
        unseen = sum(1 for gram in crossing if grams[gram] == 0)
        inside = [folded[i : i + 3] for i in range(len(folded) - 2) if i + 3 <= cut or i >= cut]
        if unseen == 2 and all(grams[g] for g in inside) and (best is None or unseen > best[0]):
            best = (unseen, cut)
    return best[1] if best else None


def _clean_aliases(title: str, phrases: list[str], notes: list[str]) -> list[str]:
    seen = {name_key(title)}
    aliases = []
    for phrase in phrases:
        text = " ".join(phrase.split())
        key = name_key(text)
        if not key or key in seen:
            continue
        if len(text) > MAX_ALIAS:
            notes.append(f"dropped an alias longer than {MAX_ALIAS} characters: {text[:40]}…")
            continue
        seen.add(key)
        aliases.append(text)
    return aliases


def guess_related(page: ImportedPage, existing: list[Article], limit: int = 6) -> list[str]:
    """Slugs of existing articles whose title or an alias appears in the page's text."""
    text = f" {name_key(page.title + ' ' + page.body)} "
    scores: Counter[str] = Counter()
    for article in existing:
        if article.slug == page.slug:
            continue
        for name in article.names:
            key = name_key(name)
            if len(key) >= 4 and f" {key} " in text:
                scores[article.slug] += text.count(f" {key} ")
    return [slug for slug, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def render_article(page: ImportedPage, category: str) -> str:
    """The Markdown file for a page: YAML front matter, then the body."""
    meta: dict[str, object] = {
        "title": page.title,
        "slug": page.slug,
        "category": category,
        "aliases": page.aliases,
        "related": page.related,
        "source": f"imported from {page.source.name}",
    }
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{front}---\n{page.body}\n"
