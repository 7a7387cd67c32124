"""The benchmark report: verdicts, number formatting, the console table and RESULTS.md."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bench.__main__ import BENCHMARKS, parse_args
from bench.report import Figure, format_table, format_value, rows_to_keep, to_markdown

WHEN = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def figures() -> list[Figure]:
    return [
        Figure("lookup", "resolve p50", 0.0123, "ms"),
        Figure.check("lookup", "resolve p99", 0.41, "ms", "<=", 1.0),
        Figure.check("ingest", "comments per second", 1_500.0, "/s", ">=", 2_000.0),
        Figure("ingest", "transactions | batches", 21),
    ]


def test_check_gives_the_verdict_and_the_target_text() -> None:
    under = Figure.check("memory", "peak RSS", 128.4, "MiB", "<=", 300)
    over = Figure.check("memory", "peak RSS", 301, "MiB", "<=", 300)
    at_least = Figure.check("lookup", "speed-up", 10.0, "x", ">=", 10)
    assert (under.passed, under.verdict, under.target) == (True, "PASS", "≤ 300 MiB")
    assert (over.passed, over.verdict) == (False, "FAIL")
    assert (at_least.passed, at_least.target) == (True, "≥ 10.0x")
    assert Figure("memory", "rows", 3).verdict == ""
    with pytest.raises(ValueError):
        Figure.check("memory", "peak RSS", 1, "MiB", "<", 300)


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.41234, "ms", "0.412 ms"),
        (1234.5, "ms", "1,234.5 ms"),
        (4.281, "s", "4.28 s"),
        (5127.4, "/s", "5,127/s"),
        (127.6, "MiB", "128 MiB"),
        (755.49, "x", "755.5x"),
        (138.2, "%", "138%"),
        (10_000, "", "10,000"),
        (2.5, "", "2.50"),
    ],
)
def test_values_read_like_people_write_them(value: float, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_the_table_lists_every_figure_the_machine_and_the_failures() -> None:
    text = format_table(figures(), where="2 CPUs, Python 3.11.7")
    lines = text.splitlines()
    assert lines[0].split() == ["benchmark", "figure", "value", "target", "result"]
    table = lines[: lines.index("Machine: 2 CPUs, Python 3.11.7")]
    (p99,) = [line.split() for line in table if "resolve p99" in line]
    assert p99[-6:] == ["0.410", "ms", "≤", "1.000", "ms", "PASS"]
    (rate,) = [line.split() for line in table if "comments per second" in line]
    assert rate[-4:] == ["1,500/s", "≥", "2,000/s", "FAIL"]
    assert "Machine: 2 CPUs, Python 3.11.7" in lines
    assert "Targets met: 1/2" in lines
    assert "  FAIL  ingest: comments per second = 1,500/s (≥ 2,000/s)" in lines
    # the benchmark's name is printed once per group
    assert sum(line.startswith("lookup") for line in lines) == 1


def test_a_crashed_benchmark_is_a_failed_row() -> None:
    failed = Figure.failure("memory", RuntimeError("bot exited with 1\nlong log"))
    assert failed.passed is False
    assert failed.shown == "-"
    assert failed.name == "did not finish (RuntimeError: bot exited with 1)"


def test_markdown_is_a_table_ready_for_the_readme() -> None:
    text = to_markdown(figures(), where="2 CPUs", when=WHEN, notes=["- **lookup**: how."])
    assert "Measured 2026-11-22 15:00 UTC on 2 CPUs" in text
    assert "Targets met: 1/2." in text
    assert "| lookup | resolve p99 | 0.410 ms | ≤ 1.000 ms | PASS |" in text
    assert "| ingest | transactions \\| batches | 21 |  |  |" in text
    assert text.endswith("| 21 |  |  |\n\n- **lookup**: how.\n")
    assert rows_to_keep(text, ["ingest"])[-1].startswith("| lookup | resolve p99 |")


def test_a_partial_run_keeps_the_other_benchmarks_rows_in_order() -> None:
    earlier = to_markdown(
        [
            Figure.check("lookup", "resolve p99", 2.0, "ms", "<=", 1.0),
            Figure.check("memory", "peak RSS", 120, "MiB", "<=", 300),
        ],
        when=WHEN,
    )
    kept = rows_to_keep(earlier, ["lookup"])
    assert kept == ["| memory | peak RSS | 120 MiB | ≤ 300 MiB | PASS |"]
    again = [Figure.check("lookup", "resolve p99", 0.5, "ms", "<=", 1.0)]
    text = to_markdown(again, when=WHEN, kept=kept, order=["lookup", "memory"])
    rows = [line for line in text.splitlines() if line.startswith("| lookup") or "memory" in line]
    assert rows == [
        "| lookup | resolve p99 | 0.500 ms | ≤ 1.000 ms | PASS |",
        "| memory | peak RSS | 120 MiB | ≤ 300 MiB | PASS |",
    ]
    assert "Targets met: 2/2." in text and "earlier run" in text


def test_the_command_line_names_the_benchmarks() -> None:
    assert list(BENCHMARKS) == [
        "lookup",
        "ingest",
        "roundtrip",
        "backfill",
        "memory",
        "startup",
        "backends",
        "scale",
    ]
    args = parse_args(["--quick", "lookup", "startup"])
    assert (args.quick, args.names, args.output) == (True, ["lookup", "startup"], None)
    with pytest.raises(SystemExit):
        parse_args(["nonsense"])
