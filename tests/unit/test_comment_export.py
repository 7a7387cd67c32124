"""Exports: threaded JSON, CSV and Markdown are pure and round-trip."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.comments.export import (
    MAX_DEPTH,
    csv_cell,
    export_filename,
    render_export,
    thread_tree,
    to_csv,
    to_json,
)
from bot.comments.model import Attachment, Comment

NOW = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def make(
    message_id: int, *, reply_to: int | None = None, day: int = 1, **changes: object
) -> Comment:
    comment = Comment(
        guild_id=5,
        day=day,
        thread_id=100 + day,
        message_id=message_id,
        author_id=message_id % 3 + 1,
        author_name=f"Member_{message_id % 3}",
        content=f"text of {message_id}",
        created_at=T0 + timedelta(minutes=message_id),
        reply_to=reply_to,
    )
    return replace(comment, **changes)


# 1 ← 2 ← 3 (reply to a reply), 4 standalone, 5 replies to a message that isn't a comment,
# 6 (deleted) ← 7, 8 deleted without replies.
CONVERSATION = [
    make(1),
    make(2, reply_to=1),
    make(3, reply_to=2, attachments=(Attachment("plot.png", "https://cdn.example/plot.png"),)),
    make(4, reactions=3),
    make(5, reply_to=999),
    make(6, deleted=True, content=""),
    make(7, reply_to=6),
    make(8, deleted=True, content=""),
    make(20, day=2, content='multi\nline, with "quotes" and *stars*'),
]


def test_json_nests_replies_under_what_they_reply_to() -> None:
    document = json.loads(to_json(CONVERSATION, guild_id=5, day=None, now=NOW))
    day1, day2 = document["days"]
    assert (day1["day"], day1["comments"], day2["day"]) == (1, 6, 2)
    roots = day1["threads"]
    assert [r["message_id"] for r in roots] == ["1", "4", "5", "6"]
    first = roots[0]
    assert first["replies"][0]["message_id"] == "2"
    assert first["replies"][0]["replies"][0]["message_id"] == "3"
    assert first["replies"][0]["replies"][0]["attachments"][0]["name"] == "plot.png"
    assert roots[2]["reply_to"] == "999"  # parent unknown: stays at the top, link kept
    placeholder = roots[3]
    assert placeholder["deleted"] is True and "content" not in placeholder
    assert "author_id" not in placeholder
    assert placeholder["replies"][0]["message_id"] == "7"
    assert all(node["message_id"] != "8" for node in roots)
    assert day2["threads"][0]["content"] == CONVERSATION[-1].content


def test_json_ids_are_strings_for_javascript_readers() -> None:
    big = replace(make(1), message_id=1234567890123456789)
    document = json.loads(to_json([big], guild_id=5, day=1, now=NOW))
    assert document["days"][0]["threads"][0]["message_id"] == "1234567890123456789"


def test_csv_parses_back_to_the_same_comments() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(CONVERSATION), newline="")))
    live = [c for c in CONVERSATION if not c.deleted]
    assert [int(r["message_id"]) for r in rows] == [c.message_id for c in live]
    for row, comment in zip(rows, live, strict=True):
        assert row["content"] == comment.content
        assert row["author_name"] == comment.author_name
        assert int(row["day"]) == comment.day
        assert (int(row["reply_to"]) if row["reply_to"] else None) == comment.reply_to
        assert json.loads(row["attachments"]) == [
            {"name": a.name, "url": a.url} for a in comment.attachments
        ]


def test_markdown_contains_every_comment() -> None:
    text = render_export(CONVERSATION, "md", guild_id=5, day=None, now=NOW)
    assert "## Day 1" in text and "## Day 2" in text
    for comment in CONVERSATION:
        if comment.deleted:
            continue
        for line in comment.content.splitlines():
            assert line in text
        assert comment.jump_url in text
    assert "Member\\_1" in text  # names are escaped
    assert "(deleted comment)" in text
    # Replies are indented one level deeper than what they reply to.
    lines = text.splitlines()
    reply = next(line for line in lines if "/2)" in line and line.lstrip().startswith("-"))
    parent = next(line for line in lines if "/1)" in line and line.lstrip().startswith("-"))
    assert len(reply) - len(reply.lstrip()) > len(parent) - len(parent.lstrip())


def test_empty_exports() -> None:
    assert json.loads(to_json([], guild_id=5, day=3, now=NOW))["days"] == []
    assert to_csv([]).strip().startswith("guild_id,")
    assert "No comments recorded." in render_export([], "md", guild_id=5, day=3, now=NOW)
    with pytest.raises(ValueError):
        render_export([], "xml", guild_id=5, day=None, now=NOW)


def test_filenames() -> None:
    assert export_filename(5, 3, "csv") == "comments-5-day-03.csv"
    assert export_filename(5, None, "md") == "comments-5-all-days.md"


def test_a_reply_cycle_does_not_loop() -> None:
    looped = [make(1, reply_to=2), make(2, reply_to=1), make(3, reply_to=3)]
    tree = thread_tree(looped)
    assert [n["message_id"] for n in tree] == ["1", "3"]  # replies nest only under earlier ids
    assert [n["message_id"] for n in tree[0]["replies"]] == ["2"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=8))
def test_csv_round_trips_any_text(texts: list[str]) -> None:
    comments = [make(i + 1, content=text) for i, text in enumerate(texts)]
    rows = list(csv.DictReader(io.StringIO(to_csv(comments), newline="")))
    assert [r["content"] for r in rows] == [csv_cell(text) for text in texts]
    for row, text in zip(rows, texts, strict=True):  # only a would-be formula is changed
        shown = row["content"]
        assert shown == text or (shown == "'" + text and text[:1] in "=+-@\t\r")


def test_csv_cells_never_start_a_formula() -> None:
    evil = [
        make(1, content='=HYPERLINK("https://evil.example","click")'),
        make(2, content="+1+cmd|' /C calc'!A0", author_name="@admin"),
        make(3, content="-2+3", author_name="=1+1"),
        make(4, content="@SUM(A1:A9)"),
        make(5, content="\t=1"),
        make(6, content="\r=1"),
        make(7, content="a = b + c"),  # only the first character matters
        make(8, attachments=(Attachment("=x.png", "https://cdn.example/x.png"),)),
    ]
    rows = list(csv.DictReader(io.StringIO(to_csv(evil), newline="")))
    for row in rows:
        for column in ("author_name", "content", "attachments"):
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert rows[0]["content"] == "'" + evil[0].content
    assert (rows[2]["author_name"], rows[2]["content"]) == ("'=1+1", "'-2+3")
    assert rows[6]["content"] == "a = b + c"
    assert json.loads(rows[7]["attachments"])[0]["name"] == "=x.png"  # a JSON list: "[…"


def _chain(length: int) -> list[Comment]:
    """Each comment replies to the one before: a single, very long reply chain."""
    return [make(i, reply_to=i - 1 if i > 1 else None) for i in range(1, length + 1)]


def _depth(nodes: list[dict[str, object]]) -> int:
    deepest, level = 0, nodes
    while level:
        deepest += 1
        level = [reply for node in level for reply in node["replies"]]  # type: ignore[union-attr]
    return deepest


@pytest.mark.parametrize("fmt", ["json", "csv", "md"])
def test_a_600_long_reply_chain_exports_in_every_format(fmt: str) -> None:
    chain = _chain(600)
    text = render_export(chain, fmt, guild_id=5, day=1, now=NOW)
    if fmt == "json":
        roots = json.loads(text)["days"][0]["threads"]
        assert _depth(roots) == MAX_DEPTH + 1  # the root and MAX_DEPTH levels of replies
        flat: list[dict[str, object]] = []
        level = roots
        while level:
            flat += level
            level = [reply for node in level for reply in node["replies"]]
        ids = sorted(int(str(n["message_id"])) for n in flat)
        assert ids == list(range(1, 601))
        # Below the cap replies are listed in order under the deepest level, links kept.
        holder = roots[0]
        for _ in range(MAX_DEPTH - 1):
            holder = holder["replies"][0]
        listed = holder["replies"]
        assert [int(n["message_id"]) for n in listed] == list(range(MAX_DEPTH + 1, 601))
        assert all(int(n["reply_to"]) == int(n["message_id"]) - 1 for n in listed)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert [int(r["message_id"]) for r in rows] == list(range(1, 601))
    else:
        items = [line for line in text.splitlines() if line.lstrip().startswith("- **")]
        assert len(items) == 600
        assert max(len(line) - len(line.lstrip()) for line in items) == 2 * MAX_DEPTH


def test_depth_cap_keeps_deleted_parents_and_order() -> None:
    # 1 ← 2 ← 3 (deleted) ← 4, 1 ← 5: with a cap of 2, 4 is listed beside 3 under 2.
    comments = [
        make(1),
        make(2, reply_to=1),
        make(3, reply_to=2, deleted=True, content=""),
        make(4, reply_to=3),
        make(5, reply_to=1),
    ]
    tree = thread_tree(comments, max_depth=2)
    assert [n["message_id"] for n in tree] == ["1"]
    assert [n["message_id"] for n in tree[0]["replies"]] == ["2", "5"]
    under_two = tree[0]["replies"][0]["replies"]
    assert [(n["message_id"], n.get("deleted", False)) for n in under_two] == [
        ("3", True),
        ("4", False),
    ]
    assert under_two[1]["reply_to"] == "3" and under_two[0]["replies"] == []
    flat = thread_tree(comments, max_depth=0)  # no nesting at all: every comment a root
    assert [n["message_id"] for n in flat] == ["1", "2", "3", "4", "5"]
