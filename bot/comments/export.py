"""Comment exports: threaded JSON, flat CSV and readable Markdown. Pure functions.

Deleted comments have no text left; they are left out, except as a placeholder when a
reply still hangs under them (so the threading stays true). A reply whose parent isn't
in the export (another day, erased, or a message that was never a comment) stays at the
top level with its `reply_to` kept. Replies only nest under earlier messages, so a
malformed reference can't make a loop, and nesting stops at MAX_DEPTH: deeper replies are
listed flat under the deepest level, in order, each with its `reply_to` (a long chain of
replies can't break an export). Trees are built and written without recursion.

CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a CR)
get a leading `'`, so opening the export can't run what a member wrote.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.comments.model import Comment
from bot.store.timestamps import to_db

FORMATS: dict[str, tuple[str, str]] = {
    # format → (file extension, MIME type)
    "json": ("json", "application/json"),
    "csv": ("csv", "text/csv"),
    "md": ("md", "text/markdown"),
}

CSV_COLUMNS = (
    "guild_id",
    "series",
    "day",
    "thread_id",
    "message_id",
    "reply_to",
    "author_id",
    "author_name",
    "created_at",
    "edited_at",
    "reactions",
    "attachments",
    "content",
)


MAX_DEPTH = 20  # reply levels nested in JSON and Markdown; deeper ones are listed flat
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_filename(guild_id: int, day: int | None, fmt: str) -> str:
    scope = f"day-{day:02d}" if day is not None else "all-days"
    return f"comments-{guild_id}-{scope}.{FORMATS[fmt][0]}"


def render_export(
    comments: Sequence[Comment], fmt: str, *, guild_id: int, day: int | None, now: datetime
) -> str:
    if fmt == "json":
        return to_json(comments, guild_id=guild_id, day=day, now=now)
    if fmt == "csv":
        return to_csv(comments)
    if fmt == "md":
        return to_markdown(comments, guild_id=guild_id, day=day, now=now)
    raise ValueError(f"unknown export format {fmt!r}")


def comment_dict(comment: Comment) -> dict[str, Any]:
    """A comment as plain JSON data (no replies)."""
    return {
        "message_id": str(comment.message_id),
        "author_id": str(comment.author_id),
        "author_name": comment.author_name,
        "content": comment.content,
        "attachments": [{"name": a.name, "url": a.url} for a in comment.attachments],
        "reply_to": str(comment.reply_to) if comment.reply_to else None,
        "created_at": to_db(comment.created_at),
        "edited_at": to_db(comment.edited_at) if comment.edited_at else None,
        "reactions": comment.reactions,
        "jump_url": comment.jump_url,
    }


def _placeholder(comment: Comment) -> dict[str, Any]:
    return {
        "message_id": str(comment.message_id),
        "deleted": True,
        "created_at": to_db(comment.created_at),
        "jump_url": comment.jump_url,
    }


def thread_tree(comments: Iterable[Comment], *, max_depth: int = MAX_DEPTH) -> list[dict[str, Any]]:
    """Nest replies under the comment they reply to, oldest first at every level.

    A deleted comment stays (as a placeholder) only while a kept reply hangs under it.
    Replies at `max_depth` hold no replies of their own: those go, flat and in order, to
    the comment at `max_depth - 1` that holds them.
    """
    ordered = sorted(comments, key=lambda c: c.message_id)
    by_id = {c.message_id: c for c in ordered}
    # A reply's parent is always an earlier message, so one pass in id order sees parents
    # first and one pass in reverse sees replies first: no recursion at any depth.
    parent_of = {
        c.message_id: c.reply_to
        for c in ordered
        if c.reply_to is not None and c.reply_to in by_id and c.reply_to < c.message_id
    }
    kept = {c.message_id: not c.deleted for c in ordered}
    for comment in reversed(ordered):
        parent = parent_of.get(comment.message_id)
        if parent is not None and kept[comment.message_id]:
            kept[parent] = True
    depth: dict[int, int] = {}
    holder: dict[int, int] = {}  # the comment whose `replies` list shows this one
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for comment in ordered:
        mid = comment.message_id
        parent = parent_of.get(mid)
        if parent is not None and depth[parent] < max_depth:
            depth[mid], holder[mid] = depth[parent] + 1, parent
        elif parent is not None and parent in holder:  # too deep: beside its parent
            depth[mid], holder[mid] = depth[parent], holder[parent]
        else:
            depth[mid] = 0
        if not kept[mid]:
            continue
        node = _placeholder(comment) if comment.deleted else comment_dict(comment)
        node["replies"] = []
        nodes[mid] = node
        (nodes[holder[mid]]["replies"] if mid in holder else roots).append(node)
    return roots


def to_json(comments: Sequence[Comment], *, guild_id: int, day: int | None, now: datetime) -> str:
    days = _by_day(comments)
    document = {
        "guild_id": str(guild_id),
        "day": day,
        "exported_at": to_db(now),
        "days": [
            {
                "series": series,
                "day": number,
                "thread_id": str(day_comments[0].thread_id),
                "comments": sum(1 for c in day_comments if not c.deleted),
                "participants": len({c.author_id for c in day_comments if not c.deleted}),
                "threads": thread_tree(day_comments),
            }
            for (series, number), day_comments in days.items()
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _by_day(comments: Iterable[Comment]) -> dict[tuple[str, int], list[Comment]]:
    """Comments grouped by (run, day), in that order: editions never mix in an export."""
    days: dict[tuple[str, int], list[Comment]] = {}
    for comment in comments:
        days.setdefault((comment.series, comment.day), []).append(comment)
    return dict(sorted(days.items()))


def csv_cell(text: str) -> str:
    """Text a spreadsheet shows as text: a leading `'` before a would-be formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(comments: Sequence[Comment]) -> str:
    """One row per (not deleted) comment; attachments as a JSON list in one cell."""
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: CRLF rows, so a bare CR in a comment gets quoted
    writer.writerow(CSV_COLUMNS)
    for c in sorted(comments, key=lambda c: (c.series, c.day, c.message_id)):
        if c.deleted:
            continue
        attachments = json.dumps(
            [{"name": a.name, "url": a.url} for a in c.attachments], ensure_ascii=False
        )
        writer.writerow(
            (
                c.guild_id,
                c.series,
                c.day,
                c.thread_id,
                c.message_id,
                c.reply_to or "",
                c.author_id,
                csv_cell(c.author_name),
                to_db(c.created_at),
                to_db(c.edited_at) if c.edited_at else "",
                c.reactions,
                csv_cell(attachments),
                csv_cell(c.content),
            )
        )
    return out.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")


def _md_tree(roots: list[dict[str, Any]], lines: list[str]) -> None:
    """Nested list items, depth first, with an explicit stack (no recursion)."""
    stack = [(node, 0) for node in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        _md_node(node, depth, lines)
        stack.extend((reply, depth + 1) for reply in reversed(node["replies"]))


def _md_node(node: dict[str, Any], depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    if node.get("deleted"):
        lines.append(f"{indent}- *(deleted comment)*")
        return
    when = node["created_at"][:16].replace("T", " ")
    meta = [f"{when} UTC"]
    if node["edited_at"]:
        meta.append("edited")
    if node["reactions"]:
        meta.append(f"{node['reactions']} reaction(s)")
    header = f"{indent}- **{_md_escape(node['author_name'])}** · {' · '.join(meta)}"
    lines.append(f"{header} · [link]({node['jump_url']})")
    body_indent = indent + "  "
    for line in (node["content"] or "").splitlines() or [""]:
        lines.append(f"{body_indent}{line}".rstrip() if line else f"{body_indent}".rstrip())
    for attachment in node["attachments"]:
        lines.append(f"{body_indent}📎 [{attachment['name']}]({attachment['url']})")


def to_markdown(
    comments: Sequence[Comment], *, guild_id: int, day: int | None, now: datetime
) -> str:
    scope = f"day {day}" if day is not None else "all days"
    lines = [f"# Comments — {scope}", "", f"Server {guild_id}, exported {to_db(now)[:16]} UTC.", ""]
    days = _by_day(comments)
    if not days:
        lines.append("No comments recorded.")
    several = len({series for series, _ in days}) > 1
    for (series, number), day_comments in days.items():
        live = [c for c in day_comments if not c.deleted]
        participants = len({c.author_id for c in live})
        lines += [
            f"## {series} · Day {number}" if several else f"## Day {number}",
            "",
            f"{len(live)} comment(s), {participants} participant(s).",
            "",
        ]
        _md_tree(thread_tree(day_comments), lines)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
