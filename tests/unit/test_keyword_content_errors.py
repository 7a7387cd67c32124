"""A broken keyword article costs that article (or that one related link), never the catalogue.

A real folder with two good articles, one relating to an unknown slug, one with front matter
that doesn't parse and one whose title is only an emoji: the loader, the sync into SQLite,
autocomplete and `challenge-bot check` each see the same, precise `file:line` problems.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli.doctor import check_content
from bot.content import ContentError
from bot.keywords.loader import load_articles, load_catalogue
from bot.keywords.search import KeywordService
from bot.keywords.sync import sync_articles
from bot.settings import Settings
from bot.store import Database
from bot.store.keywords import KeywordStore

REPO = Path(__file__).resolve().parents[2]

PAGES = {
    "alpha.md": (
        "---\ntitle: Alpha Models\nslug: alpha\ncategory: Foundations\n"
        "aliases:\n  - modèles alpha\nrelated:\n  - beta\n---\nAlpha models come first.\n"
    ),
    "beta.md": (
        "---\ntitle: Beta Testing\nslug: beta\ncategory: Foundations\n"
        "related:\n  - alpha\n---\nBeta testing comes second.\n"
    ),
    # Line 6 names a slug no article has: only that link goes.
    "gamma.md": (
        "---\ntitle: Gamma Rays\nslug: gamma\ncategory: Physics\n"
        "related:\n  - alpha\n  - transformerz\n---\nGamma rays are light.\n"
    ),
    # The flow list opened on line 4 is never closed: YAML notices on line 5.
    "broken.md": (
        "---\ntitle: Broken\nslug: broken\naliases: [one, two\ncategory: X\n---\nText.\n"
    ),
    "robot.md": "---\ntitle: 🤖\nslug: robot\ncategory: Fun\n---\nAn emoji-only title.\n",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "keywords"
    target.mkdir()
    for name, text in PAGES.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def expected_problems(folder: Path) -> list[str]:
    return [
        f"{folder / 'broken.md'}:5: front matter doesn't parse: expected ',' or ']', but got ':'",
        f"{folder / 'robot.md'}:2: title '🤖' has no letters or digits (it can't be looked up)",
        f"{folder / 'gamma.md'}:5: related: no article has slug 'transformerz'",
    ]


def test_good_articles_load_and_problems_name_file_and_line(folder: Path) -> None:
    catalogue = load_catalogue(folder)
    assert [a.slug for a in catalogue.articles] == ["alpha", "beta", "gamma"]
    by_slug = {a.slug: a for a in catalogue.articles}
    assert by_slug["gamma"].related == ("alpha",)  # the unknown link dropped, the article kept
    assert by_slug["alpha"].related == ("beta",) and by_slug["alpha"].aliases == ("modèles alpha",)
    assert [str(p) for p in catalogue.problems] == expected_problems(folder)


def test_strict_loading_still_reports_every_problem(folder: Path) -> None:
    with pytest.raises(ContentError) as caught:
        load_articles(folder)
    assert [str(p) for p in caught.value.problems] == expected_problems(folder)


def test_a_clashing_alias_costs_only_that_alias(folder: Path) -> None:
    (folder / "delta.md").write_text(
        "---\ntitle: Delta\nslug: delta\ncategory: C\naliases:\n  - Alpha models\n  - δ\n"
        "---\nDelta.\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(folder)
    delta = next(a for a in catalogue.articles if a.slug == "delta")
    assert delta.aliases == ("δ",)
    assert f"{folder / 'delta.md'}:6: alias 'Alpha models' is also a name of 'Alpha Models'" in (
        "\n".join(str(p) for p in catalogue.problems)
    )


def test_a_taken_title_costs_the_later_article(folder: Path) -> None:
    (folder / "zeta.md").write_text(
        "---\ntitle: Beta testing!\nslug: zeta\ncategory: C\n---\nA second Beta.\n",
        encoding="utf-8",
    )
    catalogue = load_catalogue(folder)
    assert "zeta" not in {a.slug for a in catalogue.articles}
    assert any(str(p).startswith(f"{folder / 'zeta.md'}:2: title") for p in catalogue.problems)


def test_missing_folder_is_still_an_error(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="doesn't exist"):
        load_catalogue(tmp_path / "nowhere")


async def test_sync_serves_the_good_articles_and_warns_once_per_file(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database(tmp_path / "bot.sqlite3")
    await db.open()
    try:
        store = KeywordStore(db)
        with caplog.at_level(logging.WARNING, logger="bot.keywords.sync"):
            result = await sync_articles(store, folder)
        assert result.imported and result.article_count == 3
        assert list(result.problems) == expected_problems(folder)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 3  # one line per bad file
        skipped = [w for w in warnings if w.startswith("Keyword article skipped: ")]
        assert len(skipped) == 2 and any(f"{folder / 'broken.md'}:5:" in w for w in skipped)
        assert any(f"{folder / 'robot.md'}:2:" in w for w in skipped)
        [trimmed] = [w for w in warnings if w not in skipped]
        assert f"{folder / 'gamma.md'}:5: related: no article has slug 'transformerz'" in trimmed
        assert trimmed.startswith("Keyword article served without the bad link(s): ")

        service = await KeywordService.load(store)
        assert len(service) == 3
        assert service.get("gamma").related == ("alpha",)  # type: ignore[union-attr]
        for typed in ("", "🤖", "robot", "alp", "gamma"):
            for choice in await service.autocomplete(typed):  # no KeyError, sane choices
                assert choice.value in {"alpha", "beta", "gamma"} and 1 <= len(choice.name) <= 100
        assert next(c.value for c in await service.autocomplete("alp")) == "alpha"
    finally:
        await db.close()


def test_check_lists_each_problem_and_the_loaded_count(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, series_dir=REPO / "data" / "challenges", keywords_dir=folder
    )
    sections = {
        title.split(" (")[0]: (ok, problems) for title, ok, problems in check_content(settings)
    }
    ok, problems = sections["Keyword articles"]
    assert ok == ["3 loaded"] and problems == expected_problems(folder)
    assert sections["Challenge days"][1] == []
