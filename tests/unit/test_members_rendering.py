"""Members' embeds stay inside Discord's limits and never ping."""

from __future__ import annotations

import discord
from discord import app_commands

from bot.i18n import ENGLISH
from bot.members.participation import (
    DayTotals,
    Participant,
    ReactedComment,
    Streak,
    rank,
    summarise,
)
from bot.rendering.members import (
    render_congratulations,
    render_leaderboard,
    render_recap,
    render_stats,
    render_streak,
)
from bot.rendering.meta import render_about, render_help
from cogs.meta import visible_commands


def embed_size(embed: discord.Embed) -> int:
    return len(embed)


def test_leaderboard_shows_top_ten_and_your_rank_without_pings() -> None:
    people = [
        Participant(n, f"@everyone **{'x' * 200}** {n}", frozenset({1, 2}), 3, n)
        for n in range(1, 30)
    ]
    ranked = rank(people)
    embed = render_leaderboard(ENGLISH, ranked, "Series", me=ranked[20])
    assert embed.description is not None
    assert embed.description.count("\n") == 9  # ten lines
    assert "@everyone" not in embed.description and "<@" not in embed.description
    assert embed.description.count("🥇") == 10  # everybody tied for first
    assert embed.fields[0].value == "#1 of 29 — 2 days · 3 comments"
    assert embed_size(embed) <= 6000


def test_leaderboard_empty_and_not_ranked() -> None:
    embed = render_leaderboard(ENGLISH, [], "Series", me=None)
    assert "Nobody" in (embed.description or "")
    assert "Not on the board" in (embed.fields[0].value or "")


def test_stats_embed_points_at_the_chart() -> None:
    summary = summarise([DayTotals(1, 5, 3)], [], [])
    embed = render_stats(ENGLISH, summary, "Series", chart=True)
    assert embed.image.url == "attachment://stats.png"
    assert "Day 1: 5 comments · 3 participants" in (embed.fields[0].value or "")
    assert "Day 12: 0 comments" in (embed.fields[0].value or "")


def test_recap_lists_jump_links_and_names() -> None:
    top = [ReactedComment(555, 44, "Amina <@123456789012345678>", 4, "A *great* idea @here")]
    embed = render_recap(ENGLISH, 9, 3, "Agriculture", DayTotals(3, 12, 5), top)
    text = embed.description or ""
    assert "https://discord.com/channels/9/44/555" in text
    assert "12 comments" in text and "5 participants" in text and "4 reactions" in text
    assert "@here" not in text and "<@123456789012345678>" not in text
    empty = render_recap(ENGLISH, 9, 3, "Agriculture", DayTotals(3, 0, 0), [])
    assert "No comments" in (empty.description or "")


def test_streak_and_congratulations() -> None:
    embed = render_streak(
        ENGLISH, Streak(2, 4, 6, 12), today_day=7, today_thread=77, answered_today=False
    )
    assert "6 / 12" in (embed.description or "") and "<#77>" in (embed.fields[0].value or "")
    text = render_congratulations(ENGLISH, "@everyone Sara", [("Finisher", 12)], 12)
    assert "all 12 days" in text and "@everyone" not in text and "Finisher" in text


def build_tree() -> app_commands.CommandTree:
    client = discord.Client(intents=discord.Intents.none())
    tree = app_commands.CommandTree(client)

    @tree.command(name="hello", description="Say hi")
    async def hello(interaction: discord.Interaction) -> None: ...

    @tree.command(name="mine", description="Server only")
    @app_commands.guild_only()
    async def mine(interaction: discord.Interaction) -> None: ...

    group = app_commands.Group(
        name="challenge",
        description="Challenge",
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @group.command(name="start", description="Start the series")
    async def start(interaction: discord.Interaction) -> None: ...

    tree.add_command(group)

    public = app_commands.Group(name="comments", description="Comments")

    @public.command(name="day", description="A day")
    async def day(interaction: discord.Interaction) -> None: ...

    @public.command(name="export", description="Export")
    @app_commands.checks.has_permissions(manage_guild=True)
    async def export(interaction: discord.Interaction) -> None: ...

    tree.add_command(public)
    return tree


def test_help_differs_for_organisers_and_members() -> None:
    tree = build_tree()
    member = visible_commands(tree, discord.Permissions(send_messages=True))
    admin = visible_commands(tree, discord.Permissions(manage_guild=True))
    in_dm = visible_commands(tree, discord.Permissions.none(), in_guild=False)
    assert [e.name for e in member] == ["comments day", "hello", "mine"]
    assert [e.name for e in admin] == [
        "challenge start",
        "comments day",
        "comments export",
        "hello",
        "mine",
    ]
    assert [e.name for e in in_dm] == ["comments day", "hello"]
    assert [e.name for e in admin if e.restricted] == ["challenge start", "comments export"]
    embed = render_help(ENGLISH, admin, "Series")
    assert "/challenge start" in (embed.fields[0].value or "")
    assert "/challenge" not in (render_help(ENGLISH, member, "Series").description or "")


def test_about_names_the_community_and_the_data() -> None:
    embed = render_about(ENGLISH, "Series")
    text = " ".join(f.value or "" for f in embed.fields)
    assert "Moroccan AI community" in text and "/forgetme" in text
