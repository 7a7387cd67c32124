"""The domain packages never import discord: they reach Discord through bot.boundary."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ("bot/series", "bot/comments", "bot/keywords", "bot/members")


def discord_imports(source: str) -> list[str]:
    """Every import of `discord` (or a module under it) in a module's source, with its line."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [f"line {node.lineno}: {n}" for n in names if n.split(".")[0] == "discord"]
    return found


def domain_modules() -> list[Path]:
    return sorted(path for folder in DOMAIN for path in (ROOT / folder).rglob("*.py"))


def test_the_scan_sees_every_form_of_import() -> None:
    source = (
        "import discord\nimport os, discord.ext.commands\nfrom discord import Embed\n"
        "from discord.utils import escape_markdown\nif True:\n    import discord as d\n"
        "from bot.discord_boundary import incoming\nimport discordant\nfrom . import discord\n"
    )
    assert discord_imports(source) == [
        "line 1: discord",
        "line 2: discord.ext.commands",
        "line 3: discord",
        "line 4: discord.utils",
        "line 6: discord",
    ]


def test_the_domain_packages_hold_modules() -> None:
    assert len(domain_modules()) > 20  # the scan below reads real files


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_domain_module_imports_discord(path: Path) -> None:
    assert discord_imports(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)} imports discord: go through bot.boundary.Discord "
        "(bot/discord_boundary.py converts discord objects)"
    )


def test_the_boundary_protocol_imports_no_discord() -> None:
    source = (ROOT / "bot" / "boundary.py").read_text(encoding="utf-8")
    assert discord_imports(source) == []
