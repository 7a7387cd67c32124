"""import-keywords: the keyword site's plain pages become article files the loader accepts."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from bot.cli.keywords import import_keywords
from bot.keywords.importer import build_vocabulary, known_names, parse_page, split_phrases
from bot.keywords.loader import load_articles
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "keyword_pages"
ML_PAGE = PAGES / "000_46ed1bbfc23b99bf.txt"
DL_PAGE = PAGES / "001_a336c7c83dd0f843.txt"
SHIPPED = ROOT / "data" / "keywords"


def run(keywords_dir: Path, *files: Path, out: Path | None = None, force: bool = False) -> int:
    settings = Settings(_env_file=None, keywords_dir=keywords_dir)  # type: ignore[call-arg]
    args = argparse.Namespace(
        files=[str(f) for f in files],
        out=str(out) if out else None,
        category="Morocco & Policy",
        force=force,
    )
    return import_keywords(settings, args)


def test_deep_learning_page_phrases_become_aliases() -> None:
    page, problems = parse_page(DL_PAGE)
    assert not problems and page is not None
    assert (page.title, page.slug) == ("Deep Learning in Morocco", "deep-learning-in-morocco")
    assert page.aliases == [
        "Deep Learning Morocco",
        "Deep Learning Maroc",
        "deep learning Morocco research",
        "apprentissage profond Maroc",
        "Moroccan deep learning",
        "deep learning Morocco UM6P",
        "réseaux de neurones Maroc",
        "deep learning ENSIAS",
    ]
    assert page.unsplit == []
    assert page.body.startswith("Deep Learning research and development in Morocco")
    assert page.body.endswith("Moroccan development challenges.")
    assert "Deep Learning MoroccoDeep" not in page.body


def test_machine_learning_page_drops_the_footer() -> None:
    page, _ = parse_page(ML_PAGE)
    assert page is not None
    assert page.title == "Machine Learning in Morocco"
    assert "Explore 60+" not in page.body
    assert page.body.endswith("specific to North Africa.")
    assert page.aliases == [] and page.notes  # no phrase line: said so


def test_footer_glued_to_the_body_and_mojibake(tmp_path: Path) -> None:
    page_file = tmp_path / "page.txt"
    page_file.write_text(
        "RÃ©seaux de neurones au Maroc\n\nLes rÃ©seaux de neurones sont partout."
        "Explore 60+ keywords across all AI topics",
        encoding="utf-8",
    )
    page, _ = parse_page(page_file)
    assert page is not None
    assert page.title == "Réseaux de neurones au Maroc"
    assert page.slug == "reseaux-de-neurones-au-maroc"
    assert page.body == "Les réseaux de neurones sont partout."


@pytest.mark.parametrize(
    ("line", "phrases"),
    [
        (
            "Computer Vision MoroccoVision par ordinateur",
            ["Computer Vision Morocco", "Vision par ordinateur"],
        ),
        ("vision Marocdeep learning", ["vision Maroc", "deep learning"]),
        ("IA Marocaine santé", ["IA Marocaine santé"]),  # a longer known name stays whole
        ("machine learningdeep learning", ["machine learning", "deep learning"]),
        ("data sciencesatellite images", ["data science", "satellite images"]),
        ("AI UM6Présea", ["AI UM6P", "résea"]),
    ],
)
def test_split_phrases(line: str, phrases: list[str]) -> None:
    vocabulary = build_vocabulary("satellite images are everywhere")
    found, unsplit = split_phrases(line, vocabulary, known_names("UM6P"))
    assert found == phrases
    assert unsplit == []


def test_unsplittable_text_is_reported() -> None:
    found, unsplit = split_phrases("qwzxkvbnmplkjh thing", build_vocabulary(""), known_names(""))
    assert found == ["qwzxkvbnmplkjh thing"]
    assert unsplit == ["qwzxkvbnmplkjh"]


def test_import_into_shipped_articles(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keywords = tmp_path / "keywords"
    shutil.copytree(SHIPPED, keywords)
    assert run(keywords, ML_PAGE, DL_PAGE) == 0
    report = capsys.readouterr().out
    assert "deep-learning-in-morocco.md" in report and "aliases (8)" in report
    loaded = {a.slug: a for a in load_articles(keywords)}  # the loader accepts the result
    deep = loaded["deep-learning-in-morocco"]
    assert deep.category == "Morocco & Policy"
    assert "réseaux de neurones Maroc" in deep.aliases
    assert "deep-learning" in deep.related  # best guesses from existing articles
    assert set(deep.related) <= set(loaded)
    assert loaded["machine-learning-in-morocco"].body.startswith("Machine Learning research")

    assert run(keywords, DL_PAGE) == 1  # exists already
    assert "already exists" in capsys.readouterr().out
    assert run(keywords, DL_PAGE, force=True) == 0
    assert len(load_articles(keywords)) == len(loaded)


def test_import_into_an_empty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run(tmp_path / "none", ML_PAGE, DL_PAGE, out=out) == 0
    articles = load_articles(out)
    assert [a.slug for a in articles] == ["deep-learning-in-morocco", "machine-learning-in-morocco"]
    assert all(a.related == () for a in articles)


def test_conflicting_alias_is_dropped_with_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keywords = tmp_path / "keywords"
    keywords.mkdir()
    (keywords / "x.md").write_text(
        "---\ntitle: X\nslug: x\ncategory: C\naliases: [deep learning maroc]\n---\nText.\n",
        encoding="utf-8",
    )
    assert run(keywords, DL_PAGE) == 0
    assert "dropped alias 'Deep Learning Maroc'" in capsys.readouterr().out
    deep = {a.slug: a for a in load_articles(keywords)}["deep-learning-in-morocco"]
    assert "Deep Learning Maroc" not in deep.aliases and len(deep.aliases) == 7


def test_bad_pages_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    title_only = tmp_path / "title.txt"
    title_only.write_text("Just a title\n", encoding="utf-8")
    assert run(tmp_path / "k", empty, title_only, tmp_path / "missing.txt", out=tmp_path / "o") == 1
    out = capsys.readouterr().out
    assert "empty" in out and "no body" in out and "missing.txt" in out
