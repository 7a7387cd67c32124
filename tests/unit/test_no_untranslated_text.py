"""No member-readable sentence is left as a bare string in cogs/ or bot/rendering/.

Every literal with a space and a letter must be inside `_()`, `n_()` or `p_()`, a log call,
a slash-command declaration (localised by the Translator), an exception raised for the
program, a docstring — or carry `# i18n: keep <why>` on its line.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("cogs", "bot/rendering")
TRANSLATED = {"_", "n_", "p_"}
LOGS = {"debug", "info", "warning", "error", "exception", "critical"}
DECLARATIONS = {"command", "Group", "describe", "Choice", "rename", "choices", "group"}
PROGRAM = {"compile", "match", "search", "fullmatch", "sub", "split"}  # patterns, not prose


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def untranslated(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            exempt.add(id(first.value))  # a docstring
        keep = isinstance(node, ast.Call) and (
            _name(node) in TRANSLATED | LOGS | DECLARATIONS | PROGRAM
        )
        keep = keep or isinstance(node, ast.Raise)
        if keep:
            exempt.update(id(child) for child in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(inner, ast.Call) and _name(inner) in TRANSLATED for inner in ast.walk(node)
        ):  # Babel's extractor does not look inside f-strings
            found.append(f"{path.name}:{node.lineno}: a message inside an f-string")
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value.strip()
        if id(node) in exempt or " " not in text or not any(c.isalpha() for c in text):
            continue
        if "i18n: keep" in lines[node.lineno - 1]:
            continue
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        found.append(f"{where}:{node.lineno}: {text[:60]!r}")
    return found


def test_every_sentence_goes_through_the_catalogue() -> None:
    found = [
        line
        for folder in FOLDERS
        for path in sorted((ROOT / folder).rglob("*.py"))
        for line in untranslated(path)
    ]
    assert found == [], "untranslated text:\n" + "\n".join(found)


def test_the_scan_sees_a_bare_sentence(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'def f(tr):\n    """Doc string here."""\n    log.info("a log line")\n'
        '    ok = tr._("A translated line")\n    return "A bare sentence"\n'
        "def g(tr):\n    return f\"**{tr._('Hidden from Babel')}**\"\n",
        encoding="utf-8",
    )
    assert [line.split(": ", 1)[1] for line in untranslated(sample)] == [
        "'A bare sentence'",
        "a message inside an f-string",
    ]
