"""The keyword article loader: valid files load, every problem names its file(s)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.content import ContentError
from bot.keywords.loader import directory_fingerprint, load_articles, resolve_collection
from bot.keywords.model import Article
from bot.keywords.normalise import fold, name_key, squash, tokens

ROOT = Path(__file__).resolve().parents[2]


def write(directory: Path, name: str, front: str, body: str = "Some text.") -> Path:
    path = directory / name
    path.write_text(f"---\n{front.strip()}\n---\n{body}\n", encoding="utf-8")
    return path


def article(slug: str, title: str, *, aliases: str = "", related: str = "") -> str:
    return (
        f"title: {title}\nslug: {slug}\ncategory: Foundations\n"
        f"aliases: [{aliases}]\nrelated: [{related}]"
    )


def problems(directory: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_articles(directory)
    return [str(p) for p in caught.value.problems]


def test_normalise() -> None:
    assert fold("Réseaux ÉCOLE") == "reseaux ecole"
    assert name_key("  Deep-Learning: (DL)! ") == "deep learning dl"
    assert name_key("self_supervised") == "self supervised"
    assert squash(name_key("Deep learning")) == "deeplearning"
    assert tokens('"*" NEAR - AND :') == ["near", "and"]
    assert name_key("التَّعَلُّم") == "تعلم"  # harakat folded like accents, article dropped


def test_shipped_and_fixture_articles_load() -> None:
    shipped = load_articles(ROOT / "data" / "keywords")
    assert len(shipped) >= 60
    assert all(a.body and a.title and a.category for a in shipped)
    fixtures = load_articles(ROOT / "tests" / "fixtures" / "keywords")
    deep = next(a for a in fixtures if a.slug == "deep-learning")
    assert deep.aliases == ("DL", "apprentissage profond", "التعلم العميق", "deep neural nets")
    assert deep.related == ("neural-networks", "machine-learning")


def test_a_valid_file(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("a-b", "A B", aliases="x y, 2024"), body="\n\nHello.\n\n")
    [loaded] = load_articles(tmp_path)
    assert loaded.aliases == ("x y", "2024")
    assert loaded.body == "Hello."
    assert loaded.path == tmp_path / "a.md"


def test_missing_fields_bad_slug_empty_body(tmp_path: Path) -> None:
    write(tmp_path, "one.md", "slug: one\ncategory: C")
    write(tmp_path, "two.md", "title: Two\nslug: Two_Bad\ncategory: C")
    write(tmp_path, "three.md", "title: Three\nslug: three", body="")
    found = problems(tmp_path)
    assert any("one.md" in p and "missing title" in p for p in found)
    assert any("two.md:3" in p and "Two_Bad" in p for p in found)
    assert any("three.md" in p and "missing category" in p for p in found)
    assert any("three.md" in p and "no text" in p for p in found)


def test_duplicate_slug_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("same", "First"))
    write(tmp_path, "b.md", article("same", "Second"))
    [problem] = problems(tmp_path)
    assert "b.md" in problem and "a.md" in problem and "same" in problem


def test_duplicate_alias_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("first", "First", aliases="Réseau"))
    write(tmp_path, "b.md", article("second", "Second", aliases="reseau"))
    [problem] = problems(tmp_path)
    assert "b.md:5" in problem and "a.md" in problem and "reseau" in problem


def test_alias_equal_to_another_title(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("first", "First"))
    write(tmp_path, "b.md", article("second", "Second", aliases="FIRST"))
    [problem] = problems(tmp_path)
    assert "'FIRST' is also a name of 'First'" in problem


def test_unknown_and_self_related(tmp_path: Path) -> None:
    write(tmp_path, "a.md", article("first", "First", related="ghost, first"))
    found = problems(tmp_path)
    assert any("no article has slug 'ghost'" in p for p in found)
    assert any("itself" in p for p in found)
    assert all(p.startswith(str(tmp_path / "a.md") + ":6") for p in found)


def test_wrong_types_and_unknown_keys(tmp_path: Path) -> None:
    write(tmp_path, "a.md", "title: A\nslug: a\ncategory: C\naliases: just one\ntags: [x]")
    write(
        tmp_path, "b.md", "title: B\nslug: b\ncategory: C\nrelated: [{x: 1}]\naliases: ['', '!!']"
    )
    found = problems(tmp_path)
    assert any("a.md:5" in p and "must be a list" in p for p in found)
    assert any("a.md:6" in p and "unknown key 'tags'" in p for p in found)
    assert any("b.md:5" in p and "must be text" in p for p in found)
    assert any("b.md:6" in p and "empty entry" in p for p in found)
    assert any("b.md:6" in p and "no letters or digits" in p for p in found)


def test_every_problem_reported_at_once(tmp_path: Path) -> None:
    for index in range(3):
        write(tmp_path, f"f{index}.md", f"title: T{index}\ncategory: C")
    assert len(problems(tmp_path)) == 3


def test_missing_or_empty_directory(tmp_path: Path) -> None:
    assert "doesn't exist" in problems(tmp_path / "nope")[0]
    assert "no article files" in problems(tmp_path)[0]


def test_broken_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    (tmp_path / "b.md").write_bytes(b"\xff\xfe\x00bad")
    found = problems(tmp_path)
    assert any("a.md" in p and "doesn't parse" in p for p in found)
    assert any("b.md" in p and "UTF-8" in p for p in found)


def test_crlf_bom_and_mojibake_are_accepted(tmp_path: Path) -> None:
    text = "\ufeff---\r\ntitle: Réseaux\r\nslug: reseaux\r\ncategory: C\r\n---\r\nCafÃ© text\r\n"
    (tmp_path / "a.md").write_bytes(text.encode("utf-8"))
    [loaded] = load_articles(tmp_path)
    assert loaded.title == "Réseaux" and loaded.body == "Café text"


def test_fingerprint_changes_with_content(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md", article("a", "A"))
    first = directory_fingerprint(tmp_path)
    assert directory_fingerprint(tmp_path) == first
    path.write_text(path.read_text() + "more\n", encoding="utf-8")
    assert directory_fingerprint(tmp_path) != first


def test_no_front_matter_bad_alias_related_and_url(tmp_path: Path) -> None:
    (tmp_path / "bare.md").write_text("Just a body.\n", encoding="utf-8")
    write(
        tmp_path,
        "bad.md",
        "title: Bad Names\nslug: bad-names\ncategory: C\naliases: ['!!', ok]\n"
        "related: [Not A Slug]\nurl: ftp://x",
    )
    bare, bad = tmp_path / "bare.md", tmp_path / "bad.md"
    assert problems(tmp_path) == [
        f"{bad}:5: alias '!!' has no letters or digits",
        f"{bad}:6: related entry 'Not A Slug' is not a slug (like deep-learning)",
        f"{bad}:7: url 'ftp://x' must start with http:// or https://",
        f"{bare}:1: missing front matter (--- title/slug/category/aliases/related ---)",
        f"{bare}:1: missing title",
        f"{bare}:1: missing slug",
        f"{bare}:1: missing category",
    ]


def test_resolving_articles_built_without_files() -> None:
    one = Article("one", "One", "C", "b", aliases=("!!", "uno"), related=("one", "two", "zero"))
    two = Article("two", "Two", "C", "b", aliases=("UNO", "dos"), french=("dos",))
    nameless = Article("three", "...", "C", "b")
    taken = Article("four", "Two", "C", "b")
    kept, found = resolve_collection([one, two, nameless, taken])
    assert kept == [
        replace(one, aliases=("uno",), related=("two",)),
        replace(two, aliases=("dos",)),
    ]
    assert [str(p) for p in found] == [
        "one.md: alias '!!' has no letters or digits",
        "two.md: alias 'UNO' is also a name of 'One' (one.md, as 'uno')",
        "three.md: title '...' has no letters or digits",
        "four.md: title 'Two' is also a name of 'Two' (two.md, as 'Two')",
        "one.md: related lists the article itself (one)",
        "one.md: related: no article has slug 'zero'",
    ]
