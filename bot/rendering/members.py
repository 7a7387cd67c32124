"""Messages and embeds of the members' features: welcome, stats, leaderboard, streak, recap.

Nothing here pings: names are display names (escaped), never `<@id>` mentions, except the
welcome's own `{member}` mention which the cog allows explicitly.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.comments.model import DayTotals
from bot.i18n import Messages
from bot.members.participation import (
    ParticipationSummary,
    Ranked,
    ReactedComment,
    Streak,
)
from bot.rendering.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELD_VALUE,
    EMBED_FOOTER,
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


def display(tr: Messages, name: str) -> str:
    """A display name safe to show in bold: one line, escaped Markdown, no mass mentions."""
    text = truncate(one_line(name), NAME_LIMIT) or tr._("someone")
    return defuse_mentions(discord.utils.escape_markdown(discord.utils.escape_mentions(text)))


def escape_name(name: str) -> str:
    """A server's name as a welcome shows it: its Markdown escaped."""
    return discord.utils.escape_markdown(name)


def render_welcome(text: str) -> str:
    """A welcome already written (in its reader's language) cut to a message's length."""
    return truncate(text, MESSAGE_CONTENT)


def _comments(tr: Messages, count: int) -> str:
    return tr.n_("{count} comment", "{count} comments", count)


def _participants(tr: Messages, count: int) -> str:
    return tr.n_("{count} participant", "{count} participants", count)


def _days(tr: Messages, count: int) -> str:
    return tr.n_("{count} day", "{count} days", count)


def render_stats(
    tr: Messages, summary: ParticipationSummary, series_name: str, *, chart: bool
) -> discord.Embed:
    embed = discord.Embed(
        title=truncate(tr._("{series} — participation", series=series_name), EMBED_TITLE),
        colour=BRAND_COLOUR,
    )
    took_part = tr._(
        "**{members}** took part, with **{comments}**.",
        members=tr.n_("{count} member", "{count} members", summary.members),
        comments=_comments(tr, summary.comments),
    )
    posted = tr._(
        "Days posted: **{posted} / {total}** · members who took part every day: **{completers}**",
        posted=summary.days_posted,
        total=summary.total_days,
        completers=summary.completers,
    )
    embed.description = truncate(f"{took_part}\n{posted}", EMBED_DESCRIPTION)
    embed.add_field(name=tr._("Per day"), value=_per_day_lines(tr, summary.per_day), inline=False)
    if chart:
        embed.set_image(url=f"attachment://{STATS_FILENAME}")
    return embed


def _per_day_lines(tr: Messages, per_day: Sequence[DayTotals]) -> str:
    lines = [
        tr._(
            "Day {day}: {comments} · {participants}",
            day=t.day,
            comments=_comments(tr, t.comments),
            participants=_participants(tr, t.participants),
        )
        for t in per_day
    ]
    return truncate("\n".join(lines) or tr._("No days yet."), EMBED_FIELD_VALUE)


def _standing(tr: Messages, entry: Ranked) -> str:
    p = entry.participant
    return f"{_days(tr, p.day_count)} · {_comments(tr, p.comments)}"


def render_leaderboard(
    tr: Messages,
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
        title=truncate(tr._("{series} — leaderboard", series=series_name), EMBED_TITLE),
        colour=BRAND_COLOUR,
    )
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = []
    for entry in ranked[:size]:
        name = display(tr, names.get(entry.participant.user_id, entry.participant.name))
        badge = medals.get(entry.rank, f"`#{entry.rank}`")
        lines.append(f"{badge} **{name}** — {_standing(tr, entry)}")
    embed.description = truncate(
        "\n".join(lines) or tr._("Nobody has commented yet: reply in today's thread to be first!"),
        EMBED_DESCRIPTION,
    )
    if me is not None:
        you = tr._(
            "#{rank} of {total} — {standing}",
            rank=me.rank,
            total=len(ranked),
            standing=_standing(tr, me),
        )
    else:
        you = tr._("Not on the board yet: reply in a day's thread to join in.")
    embed.add_field(name=tr._("You"), value=truncate(you, EMBED_FIELD_VALUE), inline=False)
    embed.set_footer(
        text=truncate(
            tr._("Ranked by days taken part, then comments. Ties share a rank."), EMBED_FOOTER
        )
    )
    return embed


def render_streak(
    tr: Messages,
    streak: Streak,
    *,
    today_day: int | None,
    today_thread: int | None,
    answered_today: bool,
) -> discord.Embed:
    embed = discord.Embed(title=truncate(tr._("Your streak"), EMBED_TITLE), colour=BRAND_COLOUR)
    flame = "🔥" if streak.current else "🌱"
    current = tr._("Current streak: **{days}**", days=_days(tr, streak.current))
    best = tr._("Best streak: **{days}**", days=_days(tr, streak.best))
    done = tr._("Days done: **{done} / {total}**", done=streak.done, total=streak.total)
    embed.description = truncate(f"{flame} {current}\n🏆 {best}\n✅ {done}", EMBED_DESCRIPTION)
    if today_day is not None and not answered_today:
        if today_thread:
            mention = f"<#{today_thread}>"
            nudge = tr._(
                "You haven't replied to Day {day} yet — add your voice in {thread}!",
                day=today_day,
                thread=mention,
            )
        else:
            nudge = tr._("You haven't replied to Day {day} yet — add your voice!", day=today_day)
        embed.add_field(name=tr._("Today"), value=truncate(nudge, EMBED_FIELD_VALUE), inline=False)
    embed.set_footer(
        text=truncate(
            tr._("Skipped days don't break a streak; a posted day without a reply does."),
            EMBED_FOOTER,
        )
    )
    return embed


def recap_title(tr: Messages, day: int, title: str) -> str:
    """The recap's embed title (also how a recap already posted is recognised)."""
    return truncate(tr._("Day {day} recap: {title}", day=day, title=title), EMBED_TITLE)


def render_recap(
    tr: Messages,
    guild_id: int,
    day: int,
    title: str,
    totals: DayTotals,
    top: Sequence[ReactedComment],
    *,
    names: dict[int, str] | None = None,
) -> discord.Embed:
    embed = discord.Embed(title=recap_title(tr, day, title), colour=BRAND_COLOUR)
    summary = tr._(
        "**{comments}** from **{participants}**. Thank you all!",
        comments=_comments(tr, totals.comments),
        participants=_participants(tr, totals.participants),
    )
    if not totals.comments:
        summary = tr._("No comments were recorded for this day — it's never too late to add yours.")
    lines = [summary]
    if top:
        lines.append("")
        heading = tr._("Most-reacted comments")
        lines.append(f"**{heading}**")
        for index, comment in enumerate(top, start=1):
            url = discord_link(guild_id, comment.thread_id, comment.message_id)
            snippet = truncate(one_line(comment.content), 80)
            values = {
                "rank": index,
                "name": display(tr, comment.author_name),
                "reactions": tr.n_("{count} reaction", "{count} reactions", comment.reactions),
                "url": url,
            }
            if snippet:
                quote = defuse_mentions(discord.utils.escape_markdown(snippet))
                line = tr._(
                    "{rank}. **{name}** ({reactions}) — “{quote}” [jump]({url})",
                    quote=quote,
                    **values,
                )
            else:
                line = tr._("{rank}. **{name}** ({reactions}) [jump]({url})", **values)
            lines.append(line)
    embed.description = truncate("\n".join(lines), EMBED_DESCRIPTION)
    return embed


def render_congratulations(
    tr: Messages, name: str, earned: Sequence[tuple[str, int]], total: int
) -> str:
    """`earned`: (role name, days needed). No ping: the display name in bold."""
    parts = []
    for role, needed in earned:
        if needed >= total:
            part = tr.n_(
                "taking part on all {count} day earns you the **{role}** role",
                "taking part on all {count} days earns you the **{role}** role",
                total,
                role=display(tr, role),
            )
        else:
            part = tr.n_(
                "taking part on {needed} of the {count} day earns you the **{role}** role",
                "taking part on {needed} of the {count} days earns you the **{role}** role",
                total,
                needed=needed,
                role=display(tr, role),
            )
        parts.append(part)
    separator = "؛ " if tr.language.rtl else "; "  # Arabic has its own semicolon
    text = tr._(
        "🎉 Congratulations **{name}**: {earned}!",
        name=display(tr, name),
        earned=separator.join(parts),
    )
    return truncate(text, MESSAGE_CONTENT)
