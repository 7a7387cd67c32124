"""Who a message notifies: `<@id>`, `<@&id>`, `@everyone`/`@here` and reply pings, filtered
by `allowed_mentions` the way Discord applies it.
https://discord.com/developers/docs/resources/message#allowed-mentions-object
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from devtools.emulator.validation import FormErrors

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE = re.compile(r"@(everyone|here)\b")


@dataclass
class Mentions:
    users: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    everyone: bool = False
    replied_user: str | None = None


def check_allowed_mentions(allowed: dict[str, Any] | None) -> None:
    if not allowed:
        return
    errors = FormErrors()
    parse = allowed.get("parse") or []
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            errors.add(
                ("allowed_mentions", "parse"),
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
            )
        errors.max_items(("allowed_mentions", kind), allowed.get(kind), 100)
    errors.raise_if_any()


def resolve(
    content: str,
    allowed: dict[str, Any] | None,
    *,
    known_users: set[str],
    mentionable_roles: set[str],
    all_roles: set[str],
    may_mention_everyone: bool,
    replied_author: str | None,
) -> Mentions:
    """Effective mentions of a message. No allowed_mentions means "parse everything"."""
    if allowed is None:
        parse, user_list, role_list, replied = {"users", "roles", "everyone"}, [], [], True
    else:
        parse = set(allowed.get("parse") or [])
        user_list = [str(u) for u in allowed.get("users") or []]
        role_list = [str(r) for r in allowed.get("roles") or []]
        replied = bool(allowed.get("replied_user", False))
    found = Mentions()
    for user_id in dict.fromkeys(USER_MENTION.findall(content)):
        if user_id in known_users and ("users" in parse or user_id in user_list):
            found.users.append(user_id)
    for role_id in dict.fromkeys(ROLE_MENTION.findall(content)):
        allowed_role = "roles" in parse or role_id in role_list
        can_ping = role_id in mentionable_roles or (may_mention_everyone and role_id in all_roles)
        if allowed_role and can_ping:
            found.roles.append(role_id)
    found.everyone = bool(EVERYONE.search(content)) and "everyone" in parse and may_mention_everyone
    if replied_author is not None and replied:
        found.replied_user = replied_author
    return found
