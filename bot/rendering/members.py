"""Messages and embeds of the members' features: welcome, stats, leaderboard, streak, recap.

Nothing here pings: names are display names (escaped), never `<@id>` mentions, except the
welcome's own `{member}` mention which the cog allows explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.comments.model import DayTotals
from bot.members.participation import (
    ParticipationSummary,
    Ranked,
    ReactedComment,
    Streak,
)
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_TITLE,
    MESSAGE_CONTENT,
    defuse_mentions,
    discord_link,
    one_line,
    truncate,
)
from bot.rendering.meta import BRAND_COLOUR

STATS_FILENAME = "stats.png"
LEADERBOARD_SIZE = 10
NAME_LIMIT = 64


def display(name: str) -> str:
    """A display name safe to show in bold: one line, escaped Markdown, no mass mentions."""
    text = truncate(one_line(name), NAME_LIMIT) or "someone"
    return defuse_mentions(discord.utils.escape_markdown(discord.utils.escape_mentions(text)))


def render_welcome(text: str) -> str:
    return truncate(text, MESSAGE_CONTENT)


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def render_stats(summary: ParticipationSummary, series_name: str, *, chart: bool) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"{series_name} — participation", EMBED_TITLE), colour=BRAND_COLOUR
    )
    embed.description = truncate(
        f"**{plural(summary.members, 'member')}** took part, with "
        f"**{plural(summary.comments, 'comment')}**.\n"
        f"Days posted: **{summary.days_posted} / {summary.total_days}** · "
        f"members who took part every day: **{summary.completers}**",
        EMBED_DESCRIPTION,
    )
    embed.add_field(name="Per day", value=_per_day_lines(summary.per_day), inline=False)
    if chart:
        embed.set_image(url=f"attachment://{STATS_FILENAME}")
    return embed


def _per_day_lines(per_day: Sequence[DayTotals]) -> str:
    lines = [
        f"Day {t.day}: {plural(t.comments, 'comment')} · {plural(t.participants, 'participant')}"
        for t in per_day
    ]
    return truncate("\n".join(lines) or "No days yet.", EMBED_FIELD_VALUE)


def _standing(entry: Ranked) -> str:
    p = entry.participant
    return f"{plural(p.day_count, 'day')} · {plural(p.comments, 'comment')}"


def render_leaderboard(
    ranked: Sequence[Ranked],
    series_name: str,
    *,
    me: Ranked | None,
    names: dict[int, str] | None = None,
    size: int = LEADERBOARD_SIZE,
) -> discord.Embed:
    """Top `size` (ties share a rank) and, below, the caller's own standing."""
    names = names or {}
    embed = discord.Embed(
        title=truncate(f"{series_name} — leaderboard", EMBED_TITLE), colour=BRAND_COLOUR
    )
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = []
    for entry in ranked[:size]:
        name = display(names.get(entry.participant.user_id, entry.participant.name))
        badge = medals.get(entry.rank, f"`#{entry.rank}`")
        lines.append(f"{badge} **{name}** — {_standing(entry)}")
    embed.description = truncate(
        "\n".join(lines) or "Nobody has commented yet: reply in today's thread to be first!",
        EMBED_DESCRIPTION,
    )
    if me is not None:
        you = f"#{me.rank} of {len(ranked)} — {_standing(me)}"
    else:
        you = "Not on the board yet: reply in a day's thread to join in."
    embed.add_field(name="You", value=you, inline=False)
    embed.set_footer(text="Ranked by days taken part, then comments. Ties share a rank.")
    return embed


def render_streak(
    streak: Streak, *, today_day: int | None, today_thread: int | None, answered_today: bool
) -> discord.Embed:
    embed = discord.Embed(title="Your streak", colour=BRAND_COLOUR)
    flame = "🔥" if streak.current else "🌱"
    embed.description = (
        f"{flame} Current streak: **{plural(streak.current, 'day')}**\n"
        f"🏆 Best streak: **{plural(streak.best, 'day')}**\n"
        f"✅ Days done: **{streak.done} / {streak.total}**"
    )
    if today_day is not None and not answered_today:
        where = f" in <#{today_thread}>" if today_thread else ""
        embed.add_field(
            name="Today",
            value=f"You haven't replied to Day {today_day} yet — add your voice{where}!",
            inline=False,
        )
    embed.set_footer(text="Skipped days don't break a streak; a posted day without a reply does.")
    return embed


def render_recap(
    guild_id: int,
    day: int,
    title: str,
    totals: DayTotals,
    top: Sequence[ReactedComment],
    *,
    names: dict[int, str] | None = None,
) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(f"Day {day} recap: {title}", EMBED_TITLE), colour=BRAND_COLOUR
    )
    summary = (
        f"**{plural(totals.comments, 'comment')}** from "
        f"**{plural(totals.participants, 'participant')}**. Thank you all!"
    )
    if not totals.comments:
        summary = "No comments were recorded for this day — it's never too late to add yours."
    lines = [summary]
    if top:
        lines.append("")
        lines.append("**Most-reacted comments**")
        for index, comment in enumerate(top, start=1):
            url = discord_link(guild_id, comment.thread_id, comment.message_id)
            snippet = truncate(one_line(comment.content), 80)
            quoted = (
                f" — “{defuse_mentions(discord.utils.escape_markdown(snippet))}”" if snippet else ""
            )
            lines.append(
                f"{index}. **{display(comment.author_name)}** "
                f"({plural(comment.reactions, 'reaction')}){quoted} [jump]({url})"
            )
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)
    return embed


def render_congratulations(name: str, earned: Sequence[tuple[str, int]], total: int) -> str:
    """`earned`: (role name, days needed). No ping: the display name in bold."""
    who = display(name)
    parts = []
    for role, needed in earned:
        reach = f"all {total} days" if needed >= total else f"{needed} of the {total} days"
        parts.append(f"taking part on {reach} earns you the **{display(role)}** role")
    text = f"🎉 Congratulations **{who}**: " + "; ".join(parts) + "!"
    return truncate(text, MESSAGE_CONTENT)
