"""`python -m bench [name ...] [--quick]`: run the benchmarks and print one report.

    python -m bench                  # everything (what `make bench` runs), a few minutes
    python -m bench lookup ingest    # some of them
    python -m bench --quick startup  # smaller sizes: a smoke run, nothing written

Prints a table (figure, value, target, PASS/FAIL) and the machine; a full (not --quick) run
also writes bench/RESULTS.md. The exit code is 0 even when a target is missed: this is a
report, not a test.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/__main__.py` as well as `-m bench`
    sys.path.insert(0, str(ROOT))

from bench import (  # noqa: E402
    adapters,
    bench_backends,
    bench_backfill,
    bench_memory,
    bench_roundtrip,
    bench_scale,
    bench_startup,
)
from bench.report import Figure, format_table, machine, rows_to_keep, to_markdown  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

BENCHMARKS: dict[str, tuple[Callable[[bool], list[Figure]], str]] = {
    "lookup": (adapters.lookup, "keyword resolve/autocomplete p50/p99, shipped and 10k"),
    "ingest": (adapters.ingest, "comments/s through the real client vs raw SQLite"),
    "roundtrip": (bench_roundtrip.run, "slash-command round-trip under 1,000 msg/s"),
    "backfill": (bench_backfill.run, "catching up 10,000 replies after downtime"),
    "memory": (bench_memory.run, "peak RSS with 100,000 stored comments"),
    "startup": (bench_startup.run, "spawn → on_ready, median of 3"),
    "backends": (bench_backends.run, "the state on SQLite vs PostgreSQL: ingest, reads, claims"),
    "scale": (bench_scale.run, "1,000 servers, all due at once: one process vs two shards"),
}

NOTES = (
    "What is measured (`python -m bench --help`; each module's docstring has the details):",
    "",
    "- **lookup**: the keyword service's real async path (in-memory name maps, SQLite FTS5, "
    "rapidfuzz) over 1,000 mixed queries (titles, aliases, accent-less aliases, typos, "
    "reordered words), on the shipped articles and on 10,000 synthetic ones; the naive "
    "baseline is LIKE over title and body, then rapidfuzz over every title.",
    "- **ingest**: 20,000 MESSAGE_CREATE events into three challenge threads through the real "
    "discord.py client and the comments cog, from the first event to the last row committed; "
    "raw = single-row autocommit INSERTs through aiosqlite on the same schema.",
    "- **roundtrip**: the bot as `python -m bot run` against the Discord emulator; 1,000 "
    "MESSAGE_CREATE/s into three challenge threads while members run /keyword and "
    "/challenge today back to back; INTERACTION_CREATE queued → callback received.",
    "- **backfill**: 10,000 replies posted in 12 challenge threads while the bot was stopped; "
    "history requests against the Σ ⌈replies/100⌉ pages needed (target: at most one more "
    "per thread), and seconds from spawn until every reply is a row.",
    "- **memory**: 100,000 comments over 12 days (the last three also in the threads, which "
    "the bot re-reads at start-up), 300 members; start, reconcile, then /stats, /leaderboard "
    "and /comments day three times; peak resident memory (VmHWM) of the bot process.",
    "- **startup**: `python -m bot run` spawned → its `Logged in as` line (on_ready, which "
    "discord.py delays by guild_ready_timeout, 2 s); median of three starts, one database.",
    "- **backends**: the same stores on SQLite and on a local PostgreSQL (fsync off, like the "
    "tests): 50,000 comments written in batches of 200, the reads members trigger most "
    "(p50/p99 of 200 calls each), and two database handles racing to claim 12 days of 50 "
    "servers (each day must be claimed once).",
    "- **scale**: 1,000 servers (`--quick`: 50) in the emulator with Discord's REST limits "
    "enforced (5 messages/5 s per channel, 50 requests/s per route and globally; 429 when "
    "over), each seeded in the database as `/challenge channel` leaves it (its channel, its "
    "run) and running a one-day series whose day 1 is due everywhere at the same moment. "
    "Three runs: one `python -m bot run` on SQLite, one on PostgreSQL, two processes "
    "(SHARD_COUNT=2, SHARD_IDS=0 and 1; the servers alternate between the shards) on "
    "PostgreSQL. Start-up = spawn → on_ready in every process and a day row in every server; "
    "peak RSS = VmHWM; posts/s = servers ÷ first to last REST call of the posts (message, "
    "thread, question); exactly once = one day-1 thread per channel and one `Posted day 1` "
    "line per server, from the process owning its shard; rate limits = 429 answers by scope "
    "(the bot paces its REST calls at REST_REQUESTS_PER_SECOND, 45, shared by its processes).",
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    listing = "\n".join(f"  {name:<10} {about}" for name, (_, about) in BENCHMARKS.items())
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Run the benchmarks and print one report.",
        epilog=f"benchmarks:\n{listing}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("names", nargs="*", metavar="name", help="benchmarks to run (default: all)")
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    parser.add_argument(
        "--output",
        type=Path,
        help=f"write the Markdown report here (default: {RESULTS.relative_to(ROOT)}, "
        "not written by --quick runs)",
    )
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    return args


def run_all(names: Sequence[str], quick: bool) -> list[Figure]:
    figures: list[Figure] = []
    for name in names:
        run, about = BENCHMARKS[name]
        print(f"[bench] {name}: {about}{' (quick)' if quick else ''} ...", file=sys.stderr)
        started = time.perf_counter()
        try:
            found = run(quick)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            found = [Figure.failure(name, exc)]
        print(f"[bench] {name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
        figures += found
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # "PyNaCl is not installed"
    names = args.names or list(BENCHMARKS)
    where = machine()
    figures = run_all(names, args.quick)
    print()
    print(format_table(figures, where=where))
    output = args.output or (None if args.quick else RESULTS)
    if output is not None:
        previous = output.read_text("utf-8") if output.exists() else ""
        kept = rows_to_keep(previous, names) if set(names) != set(BENCHMARKS) else []
        output.write_text(
            to_markdown(figures, where=where, kept=kept, order=list(BENCHMARKS), notes=NOTES),
            "utf-8",
        )
        print(f"\nWrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
