"""Comment exports: threaded JSON, flat CSV and readable Markdown. Pure functions.

Deleted comments have no text left; they are left out, except as a placeholder when a
reply still hangs under them (so the threading stays true). A reply whose parent isn't
in the export (another day, erased, or a message that was never a comment) stays at the
top level with its `reply_to` kept. Replies only nest under earlier messages, so a
malformed reference can't make a loop.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bot.comments.model import Comment, iso

FORMATS: dict[str, tuple[str, str]] = {
    # format → (file extension, MIME type)
    "json": ("json", "application/json"),
    "csv": ("csv", "text/csv"),
    "md": ("md", "text/markdown"),
}

CSV_COLUMNS = (
    "guild_id",
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
        "created_at": iso(comment.created_at),
        "edited_at": iso(comment.edited_at) if comment.edited_at else None,
        "reactions": comment.reactions,
        "jump_url": comment.jump_url,
    }


def _placeholder(comment: Comment) -> dict[str, Any]:
    return {
        "message_id": str(comment.message_id),
        "deleted": True,
        "created_at": iso(comment.created_at),
        "jump_url": comment.jump_url,
    }


def thread_tree(comments: Iterable[Comment]) -> list[dict[str, Any]]:
    """Nest replies under the comment they reply to, oldest first at every level."""
    ordered = sorted(comments, key=lambda c: c.message_id)
    by_id = {c.message_id: c for c in ordered}
    children: dict[int, list[Comment]] = {}
    roots: list[Comment] = []
    for comment in ordered:
        parent = comment.reply_to
        if parent is not None and parent in by_id and parent < comment.message_id:
            children.setdefault(parent, []).append(comment)
        else:
            roots.append(comment)

    def build(comment: Comment) -> dict[str, Any] | None:
        replies = [node for child in children.get(comment.message_id, []) if (node := build(child))]
        if comment.deleted and not replies:
            return None
        node = _placeholder(comment) if comment.deleted else comment_dict(comment)
        node["replies"] = replies
        return node

    return [node for root in roots if (node := build(root))]


def to_json(comments: Sequence[Comment], *, guild_id: int, day: int | None, now: datetime) -> str:
    days: dict[int, list[Comment]] = {}
    for comment in comments:
        days.setdefault(comment.day, []).append(comment)
    document = {
        "guild_id": str(guild_id),
        "day": day,
        "exported_at": iso(now),
        "days": [
            {
                "day": number,
                "thread_id": str(day_comments[0].thread_id),
                "comments": sum(1 for c in day_comments if not c.deleted),
                "participants": len({c.author_id for c in day_comments if not c.deleted}),
                "threads": thread_tree(day_comments),
            }
            for number, day_comments in sorted(days.items())
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(comments: Sequence[Comment]) -> str:
    """One row per (not deleted) comment; attachments as a JSON list in one cell."""
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: CRLF rows, so a bare CR in a comment gets quoted
    writer.writerow(CSV_COLUMNS)
    for c in sorted(comments, key=lambda c: (c.day, c.message_id)):
        if c.deleted:
            continue
        attachments = json.dumps(
            [{"name": a.name, "url": a.url} for a in c.attachments], ensure_ascii=False
        )
        writer.writerow(
            (
                c.guild_id,
                c.day,
                c.thread_id,
                c.message_id,
                c.reply_to or "",
                c.author_id,
                c.author_name,
                iso(c.created_at),
                iso(c.edited_at) if c.edited_at else "",
                c.reactions,
                attachments,
                c.content,
            )
        )
    return out.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")


def _md_node(node: dict[str, Any], depth: int, lines: list[str]) -> None:
    indent = "  " * depth
    if node.get("deleted"):
        lines.append(f"{indent}- *(deleted comment)*")
    else:
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
    for reply in node["replies"]:
        _md_node(reply, depth + 1, lines)


def to_markdown(
    comments: Sequence[Comment], *, guild_id: int, day: int | None, now: datetime
) -> str:
    scope = f"day {day}" if day is not None else "all days"
    lines = [f"# Comments — {scope}", "", f"Server {guild_id}, exported {iso(now)[:16]} UTC.", ""]
    days: dict[int, list[Comment]] = {}
    for comment in comments:
        days.setdefault(comment.day, []).append(comment)
    if not days:
        lines.append("No comments recorded.")
    for number, day_comments in sorted(days.items()):
        live = [c for c in day_comments if not c.deleted]
        participants = len({c.author_id for c in live})
        lines += [
            f"## Day {number}",
            "",
            f"{len(live)} comment(s), {participants} participant(s).",
            "",
        ]
        for node in thread_tree(day_comments):
            _md_node(node, 0, lines)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
