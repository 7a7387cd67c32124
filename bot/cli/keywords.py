"""`challenge-bot import-keywords FILE…`: keyword-site pages → article files in KEYWORDS_DIR."""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from bot.keywords.importer import ImportedPage, guess_related, parse_page, render_article
from bot.keywords.loader import MAX_CATEGORY, check_collection, parse_article
from bot.keywords.model import Article
from bot.keywords.normalise import name_key
from bot.settings import Settings

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def import_keywords(settings: Settings, args: argparse.Namespace) -> int:
    out = Path(args.out) if getattr(args, "out", None) else Path(settings.keywords_dir)
    category = " ".join(str(getattr(args, "category", "") or "").split())
    if not category or len(category) > MAX_CATEGORY:
        print(f"error: --category must be 1–{MAX_CATEGORY} characters", file=sys.stderr)
        return EXIT_USAGE
    force = bool(getattr(args, "force", False))
    out.mkdir(parents=True, exist_ok=True)
    existing = _readable_articles([Path(settings.keywords_dir), out])
    failed = 0
    for name in args.files:
        written, lines = import_page(Path(name), out, category, existing, force=force)
        for line in lines:
            print(line)
        if written is None:
            failed += 1
        else:
            existing = [a for a in existing if a.slug != written.slug] + [written]
    return EXIT_PROBLEMS if failed else EXIT_OK


def import_page(
    path: Path, out: Path, category: str, existing: list[Article], *, force: bool = False
) -> tuple[Article | None, list[str]]:
    """Convert one page and write `<out>/<slug>.md`; return the article and report lines."""
    page, problems = parse_page(path)
    if page is None:
        return None, [f"✗ {problem}" for problem in problems]
    target = out / f"{page.slug}.md"
    if target.exists() and not force:
        return None, [f"✗ {path}: {target} already exists (use --force to overwrite)"]
    others = [a for a in existing if not _same_file(a.path, target)]  # replaced by --force
    lines = [f"• {path} → {target}"]
    taken = {name_key(n): a for a in others for n in (*a.names, a.slug)}
    if name_key(page.title) in taken:
        holder = taken[name_key(page.title)]
        return None, [*lines, f"✗ the title {page.title!r} is already a name of {holder.slug}"]
    kept: list[str] = []
    for alias in page.aliases:
        owner = taken.get(name_key(alias))
        if owner is not None:
            page.notes.append(f"dropped alias {alias!r}: already a name of {owner.slug}")
        else:
            kept.append(alias)
    page.aliases = kept
    page.related = guess_related(page, others)
    text = render_article(page, category)
    article, invalid = _validate(text, page, others)
    if article is None:
        return None, [*lines, *(f"✗ {problem}" for problem in invalid)]
    target.write_text(text, encoding="utf-8")
    lines.extend(_summary(page))
    return replace(article, path=target), lines


def _validate(
    text: str, page: ImportedPage, others: list[Article]
) -> tuple[Article | None, list[str]]:
    """Run the real loader over the rendered file, alone and with the other articles."""
    with tempfile.TemporaryDirectory() as folder:
        candidate = Path(folder) / f"{page.slug}.md"
        candidate.write_text(text, encoding="utf-8")
        article, problems = parse_article(candidate)
        if article is None:
            return None, [str(p) for p in problems]
        clashes = check_collection([*others, article])
        mine = [str(p) for p in clashes if p.path == candidate]
        if mine:
            return None, mine
    return article, []


def _summary(page: ImportedPage) -> list[str]:
    lines = [f"  title: {page.title}  slug: {page.slug}"]
    lines.append(f"  aliases ({len(page.aliases)}): " + ("; ".join(page.aliases) or "none"))
    lines.append("  related: " + (", ".join(page.related) or "none"))
    lines.extend(f"  could not split: {piece!r}" for piece in page.unsplit)
    lines.extend(f"  note: {note}" for note in page.notes)
    return lines


def _readable_articles(directories: list[Path]) -> list[Article]:
    """Articles that parse in these folders (problems are the loader's job, not ours)."""
    seen: set[Path] = set()
    found: list[Article] = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.md")):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            article, _ = parse_article(path)
            if article is not None:
                found.append(article)
    return found


def _same_file(a: Path | None, b: Path) -> bool:
    return a is not None and a.resolve() == b.resolve()
