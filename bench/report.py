"""The benchmark report: figures with their targets, as a console table and as Markdown.

Every benchmark returns a list of `Figure`s; a figure with a target carries its verdict
(`passed`), one without is context (sizes, rates achieved, baselines).
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

COMPARISONS = {"<=": "≤", ">=": "≥"}
MARKDOWN_HEADER = "| benchmark | figure | value | target | result |"


@dataclass(frozen=True, slots=True)
class Figure:
    bench: str  # the benchmark's name, e.g. "lookup"
    name: str  # what was measured, e.g. "resolve p99, 10k articles"
    value: float
    unit: str = ""  # "ms", "s", "/s", "MiB", "x", "%", "" (a count)
    target: str | None = None  # e.g. "≤ 5 ms"
    passed: bool | None = None  # None: no target, the figure is context
    display: str | None = None  # shown instead of the value (e.g. for a failed benchmark)

    @classmethod
    def check(cls, bench: str, name: str, value: float, unit: str, op: str, limit: float) -> Figure:
        """A figure with a target `value op limit` (op is "<=" or ">=")."""
        if op not in COMPARISONS:
            raise ValueError(f"unknown comparison {op!r}")
        passed = value <= limit if op == "<=" else value >= limit
        target = f"{COMPARISONS[op]} {format_value(limit, unit)}"
        return cls(bench, name, value, unit, target, passed)

    @classmethod
    def failure(cls, bench: str, error: BaseException) -> Figure:
        """A benchmark that crashed: a failed figure saying why."""
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:100]
        return cls(bench, f"did not finish ({reason})", 0.0, "", "finishes", False, "-")

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return ""
        return "PASS" if self.passed else "FAIL"

    @property
    def shown(self) -> str:
        return self.display if self.display is not None else format_value(self.value, self.unit)


def format_value(value: float, unit: str) -> str:
    """A number as people read it: 0.412 ms, 12.3 ms, 5,127/s, 148 MiB, 13.5x, 37%."""
    if unit == "ms":
        text = f"{value:.3f}" if abs(value) < 10 else f"{value:,.1f}"
        return f"{text} ms"
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "/s":
        return f"{value:,.0f}/s"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    if unit == "x":
        return f"{value:,.1f}x"
    if unit == "%":
        return f"{value:.0f}%"
    if value == int(value):
        return f"{int(value):,}{(' ' + unit) if unit else ''}"
    return f"{value:,.2f}{(' ' + unit) if unit else ''}"


def machine() -> str:
    """One line describing where the figures were measured."""
    cpus = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    cpu = f"{usable} CPU" + ("s" if usable != 1 else "")
    if usable != cpus:
        cpu += f" (of {cpus})"
    python = f"Python {platform.python_version()} ({sys.implementation.name})"
    return f"{cpu}, {python}, {platform.system()} {platform.machine()}"


def summary(figures: Sequence[Figure]) -> tuple[int, int]:
    """(targets met, targets checked)."""
    checked = [f for f in figures if f.passed is not None]
    return sum(1 for f in checked if f.passed), len(checked)


def _rows(figures: Iterable[Figure]) -> list[tuple[str, str, str, str, str]]:
    return [(f.bench, f.name, f.shown, f.target or "", f.verdict) for f in figures]


def format_table(figures: Sequence[Figure], *, where: str | None = None) -> str:
    """The console report: one aligned table, then the machine and the verdict count."""
    header = ("benchmark", "figure", "value", "target", "result")
    rows = _rows(figures)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        name, figure, value, target, result = cells
        return (
            f"{name:<{widths[0]}}  {figure:<{widths[1]}}  {value:>{widths[2]}}  "
            f"{target:<{widths[3]}}  {result}"
        ).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    previous = None
    for row in rows:
        if previous is not None and row[0] != previous:
            lines.append("")
        lines.append(line(row if row[0] != previous else ("", *row[1:])))
        previous = row[0]
    met, checked = summary(figures)
    failed = [f for f in figures if f.passed is False]
    lines.append("")
    lines.append(f"Machine: {where or machine()}")
    lines.append(f"Targets met: {met}/{checked}")
    for figure in failed:
        lines.append(f"  FAIL  {figure.bench}: {figure.name} = {figure.shown} ({figure.target})")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def to_markdown(
    figures: Sequence[Figure],
    *,
    where: str | None = None,
    when: datetime | None = None,
    kept: Sequence[str] = (),
    order: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    """bench/RESULTS.md: the same table in Markdown, ready to paste into the README.

    `kept` are table rows of an earlier run (benchmarks not re-run this time); rows are
    grouped by benchmark in `order` when given; `notes` (Markdown) follow the table.
    """
    moment = (when or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    rows = list(kept) + [
        "| " + " | ".join(_cell(cell) for cell in row) + " |" for row in _rows(figures)
    ]
    if order:
        rank = {name: i for i, name in enumerate(order)}
        rows.sort(key=lambda row: rank.get(_bench_of(row), len(rank)))
    results = [row.rstrip(" |").rsplit("|", 1)[-1].strip() for row in rows]
    met, checked = results.count("PASS"), results.count("PASS") + results.count("FAIL")
    note = " Rows of benchmarks not re-run come from an earlier run." if kept else ""
    lines = [
        "# Benchmark results",
        "",
        f"Measured {moment} on {where or machine()} with `make bench` "
        f"(`python -m bench`). Targets met: {met}/{checked}.{note}",
        "",
        MARKDOWN_HEADER,
        "|---|---|---:|---|---|",
        *rows,
    ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def _bench_of(row: str) -> str:
    return row[2:].split(" | ", 1)[0].strip()


def rows_to_keep(previous: str, rerun: Iterable[str]) -> list[str]:
    """Table rows of a previous RESULTS.md whose benchmark is not in `rerun`."""
    skip = set(rerun)
    return [
        line
        for line in previous.splitlines()
        if line.startswith("| ") and line != MARKDOWN_HEADER and _bench_of(line) not in skip
    ]
