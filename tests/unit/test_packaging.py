"""`pip install .` into a fresh virtualenv outside the checkout gives a `challenge-bot` that
finds the shipped content from any directory (the content is installed under <venv>/share)."""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(
    bool(os.environ.get("FAKETIME")),
    reason="pip checks the package index's TLS certificates against the (faked) clock",
)
def test_a_plain_install_finds_the_shipped_content_from_anywhere(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy: the install must not lean on this checkout
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "*.sqlite3*", "__pycache__", "*.egg-info"),
    )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "-q",
            "-c",
            str(source / "constraints.txt"),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    assert "deprecated" not in install.stderr.lower()  # no warnings from our own metadata
    shutil.rmtree(source)  # gone: the installed copy must stand alone
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(env_dir / "bin" / "challenge-bot"), "check", "--offline"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "DATABASE_PATH": str(tmp_path / "db")},
    )
    articles = len(list((REPO / "data" / "keywords").glob("*.md")))
    assert "12 loaded" in result.stdout and f"{articles} loaded" in result.stdout, result.stdout
    assert "share/ml-dl-morocco-challenges-bot/data/challenges" in result.stdout
    assert list(elsewhere.iterdir()) == []  # nothing written where it ran
