"""Nasty slash-command input, end to end through the real command callbacks: unicode (RTL,
Arabic, emoji, zero-width), control characters, FTS5 syntax, mentions, Markdown, 6,000-char
strings, blanks and out-of-range numbers. No handler may raise, no answer may break a Discord
limit (the emulator refuses those with a 400), nobody may be pinged, and every interaction
gets an answer. CI runs a seeded sample of 300; tests/slow runs 10,000."""

from __future__ import annotations

import asyncio
import glob
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.store import StoreError
from devtools.emulator import Emulator
from devtools.emulator.runner import REPO, BotRunner
from tests.timing import far_ahead

pytestmark = pytest.mark.e2e

DAYS = REPO / "tests" / "fixtures" / "days"
# fmt: off
PIECES = [
    "", " ", "\t", "\n", "\r\n", "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202e",
    "\u2066", "\ufeff", "\u00a0", "\x00", "\x07", "\x1b[31m", "\x7f", "\u0085", "\u2028",
    "مرحبا", "التعلم العميق", "الذكاء الاصطناعي", "ⵜⴰⵎⴰⵣⵉⵖⵜ", "שלום", "日本語", "ß", "İ",
    "e\u0301", "Z\u0351\u0362\u0327a\u0328\u0340l\u0322\u0315go", "🤖", "🧠💥", "👩🏽\u200d💻",
    "🇲🇦", "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    '"', "'", "*", "NEAR(", "NEAR(deep learning, 2)", "-", "AND", "OR", "NOT", ":", "^",
    "(", ")", "{", "}", "title:", "body:", "deep*", '"deep', "%", "_", "\\", ";--",
    "'; DROP TABLE comments; --", "%s", "{0}", "${x}", "<script>",
    "@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>", "</keyword:1>",
    "<@{member}>", "<@!{member}>", "<@&{role}>", "hi <@{member}> and <@&{role}>",
    "<t:0:R>", "<:emoji:1>", "**bold**", "__under__", "~~strike~~", "`code`", "```py\nx\n```",
    "> quote", "# Title", "-# small", "[link](https://evil.example)", "||spoiler||",
    "deep learning", "apprentissage profond", "machine learning", "DL", "transformers", "ai",
]
# fmt: on
APOLOGY = "Sorry, something went wrong"
NASTY_INTS = [-1, 0, 13, 10**12, -(10**12), 2**53 - 1, -(2**53 - 1), 1, 12, 366, 367, 7]
MEMBERS = ("amina", "youssef", "karim", "salma", "omar")


def with_real_ids(options: dict[str, Any], emulator: Emulator) -> dict[str, Any]:
    """`{member}`/`{role}` become a real member's and the mentionable Challengers role's ids,
    so a mention the bot echoed would really ping (`emulator.recorder.pinging()`)."""
    real = {"{member}": emulator.member("youssef").id, "{role}": emulator.role("Challengers")["id"]}
    replaced = {}
    for name, value in options.items():
        if isinstance(value, str):
            for placeholder, snowflake in real.items():
                value = value.replace(placeholder, str(snowflake))
        replaced[name] = value
    return replaced


def nasty_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(["", " ", "\u200b", "\n\t ", "\u200f\u200e"])
    if roll < 0.10:  # the longest a Discord string option can be
        unit = rng.choice(["a", "🧠", "ع", "@everyone ", "**x** ", '"*', "\u200b", "deep "])
        return (unit * 6000)[:6000]
    if roll < 0.20:  # random code points (no surrogates: Discord can't carry them)
        points = [rng.randrange(1, 0x2FFFF) for _ in range(rng.randint(1, 40))]
        return "".join(chr(p) for p in points if not 0xD800 <= p <= 0xDFFF)
    parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 8))]
    return rng.choice(["", " ", "  ", "\n"]).join(parts)


@dataclass(frozen=True)
class Case:
    kind: str  # "run" or "autocomplete"
    line: str
    options: dict[str, Any]
    admin: bool = False
    focused: str = ""


def cases(rng: random.Random, count: int) -> list[Case]:
    """`count` seeded inputs across every command that takes text or numbers."""
    makers = [
        (14, lambda: Case("run", "keyword", {"term": nasty_text(rng)})),
        (10, lambda: Case("autocomplete", "keyword", {"term": nasty_text(rng)}, focused="term")),
        (10, lambda: Case("run", "search", {"text": nasty_text(rng)})),
        (4, lambda: Case("run", "keywords", {"category": nasty_text(rng)})),
        (
            4,
            lambda: Case(
                "autocomplete", "keywords", {"category": nasty_text(rng)}, focused="category"
            ),
        ),
        (6, lambda: Case("run", "challenge day", {"number": rng.choice(NASTY_INTS)})),
        (2, lambda: Case("run", "comments day", {"day": rng.choice([1, 2, 12, 13, 365, 366])})),
        (
            6,
            lambda: Case(
                "run",
                "challenge reschedule",
                {
                    k: nasty_text(rng)[:100]
                    for k in rng.sample(["start", "time", "interval"], rng.randint(1, 3))
                },
                admin=True,
            ),
        ),
        (
            3,
            lambda: Case(
                "run",
                rng.choice(["challenge preview", "challenge skip", "challenge day"]),
                {"number": rng.choice(NASTY_INTS)},
                admin=True,
            ),
        ),
        (
            1,
            lambda: Case(
                "run", "challenge post", {"number": rng.choice([-1, 0, 13, 10**12])}, admin=True
            ),
        ),
        (
            2,
            lambda: Case(
                "run",
                rng.choice(["stats", "leaderboard", "streak", "help", "about", "mydata"]),
                {},
            ),
        ),
    ]
    weights = [weight for weight, _ in makers]
    return [rng.choices(makers, weights)[0][1]() for _ in range(count)]


@dataclass
class Outcome:
    answered: int = 0
    choices: int = 0
    seconds: float = 0.0
    by_command: Counter[str] | None = None


async def feed(emulator: Emulator, all_cases: list[Case], *, batch: int = 8) -> Outcome:
    """Send every case (a few at a time, from different members); each must be answered."""
    outcome = Outcome(by_command=Counter())
    started = time.perf_counter()

    async def one(index: int, case: Case) -> None:
        actor = emulator.admin if case.admin else emulator.member(MEMBERS[index % len(MEMBERS)])
        options = with_real_ids(case.options, emulator)
        if case.kind == "autocomplete":
            others = {k: v for k, v in options.items() if k != case.focused}
            choices = await actor.autocomplete(
                case.line, case.focused, options[case.focused], **others
            )
            assert isinstance(choices, list) and len(choices) <= 25
            outcome.choices += len(choices)
        else:
            answer = await actor.runs(case.line, **options)
            assert answer.type is not None and (answer.text or answer.files), case
            assert APOLOGY not in answer.text, (case, answer.text)
        outcome.answered += 1
        outcome.by_command[f"{case.kind} {case.line}"] += 1  # type: ignore[index]

    for start in range(0, len(all_cases), batch):
        chunk = all_cases[start : start + batch]
        await asyncio.gather(*(one(start + i, case) for i, case in enumerate(chunk)))
    outcome.seconds = time.perf_counter() - started
    return outcome


async def run_nasty_inputs(
    bot_runner: BotRunner, emulator: Emulator, count: int, seed: int
) -> Outcome:
    await bot_runner.start(
        series_dir=DAYS,
        series_start=far_ahead(),
        command_cooldown_rate=1_000_000,  # the handlers, not the cooldown, must face the input
    )
    all_cases = cases(random.Random(seed), count)
    outcome = await feed(emulator, all_cases)
    assert outcome.answered == count
    assert emulator.recorder.pinging() == []
    refused = [c for c in emulator.recorder.calls if c.bot and c.status >= 400 and c.status != 429]
    assert refused == [], [(c.method, c.path, c.response) for c in refused[:5]]
    return outcome


async def test_three_hundred_nasty_inputs_end_to_end(
    bot_runner: BotRunner, emulator: Emulator
) -> None:
    outcome = await run_nasty_inputs(bot_runner, emulator, 300, seed=20261201)
    print(
        f"\n300 nasty inputs answered in {outcome.seconds:.1f}s, "
        f"{outcome.choices} autocomplete choices: {dict(outcome.by_command or {})}"
    )


def test_the_generator_covers_the_nasty_cases() -> None:
    rng = random.Random(1)
    texts = [nasty_text(rng) for _ in range(2000)]
    assert any(len(t) == 6000 for t in texts) and "" in texts
    joined = "".join(texts)
    for needle in (
        "@everyone",
        "<@&{role}>",
        "<@{member}>",
        "NEAR(",
        "التعلم",
        "\u202e",
        "\x00",
        "🧠",
        '"',
    ):
        assert needle in joined, needle
    kinds = Counter(f"{c.kind} {c.line}" for c in cases(random.Random(2), 300))
    assert len(kinds) >= 12, kinds


# --- a damaged database -----------------------------------------------------------------------

GARBAGE = b"This is not SQLite.\n" * 500


async def test_run_refuses_a_corrupted_database_and_leaves_it_alone(
    bot_process: Any, bot_runner: BotRunner, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    database.write_bytes(GARBAGE)
    process = bot_process()
    process.start()
    assert await process.wait(timeout=30) == 2
    log = process.log()
    assert f"error: DATABASE_PATH {database} is not a readable SQLite database" in log
    assert "It was left untouched" in log and "Traceback" not in log
    assert database.read_bytes() == GARBAGE
    assert glob.glob(f"{database}-*") == []  # no journal or WAL file created either

    with pytest.raises(StoreError, match="is not a readable SQLite database"):
        await bot_runner.start()
    assert database.read_bytes() == GARBAGE
