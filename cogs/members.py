"""Members' experience: welcome on join, /stats /leaderboard /streak, completion roles, recaps."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.members.chart import comments_chart
from bot.members.participation import (
    DayTotals,
    SeriesDay,
    current_day,
    earned_roles,
    find_rank,
    last_day,
    rank,
    series_length,
    streak,
    summarise,
)
from bot.members.welcome import (
    BurstPolicy,
    Greet,
    GreetGroup,
    Newcomer,
    WelcomeQueue,
    group_welcome_text,
    placeholder_values,
    welcome_text,
    where_we_are,
)
from bot.rendering.members import (
    STATS_FILENAME,
    render_congratulations,
    render_group_welcome,
    render_leaderboard,
    render_recap,
    render_stats,
    render_streak,
    render_welcome,
)
from bot.series.schedule import first_post
from bot.store.database import StoreError
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)

RECAP_RETRIES = 3
RECAP_RETRY_DELAY = timedelta(minutes=2)


def _cooldown(interaction: discord.Interaction) -> app_commands.Cooldown:
    settings = interaction.client.settings  # type: ignore[attr-defined]
    return app_commands.Cooldown(settings.command_cooldown_rate, settings.command_cooldown_seconds)


class Members(commands.Cog):
    def __init__(self, bot: ChallengeBot) -> None:
        self.bot = bot
        self.settings = bot.settings
        self.store = MemberStore(bot.db)
        self.series = SeriesStore(bot.db)
        self.welcomes = WelcomeQueue(BurstPolicy(threshold=self.settings.welcome_burst_threshold))
        self._joined: dict[tuple[int, int], discord.Member] = {}
        self._wake = asyncio.Event()
        self._welcomer: asyncio.Task[None] | None = None
        self._role_locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._recap_lock = asyncio.Lock()
        self._warned: set[str] = set()
        self.messages_checked = 0  # thread messages checked for completion roles (for tests)

    # --- lifecycle -------------------------------------------------------------------------

    async def cog_load(self) -> None:
        self._welcomer = asyncio.create_task(self._welcome_loop(), name="welcome-queue")
        if not (self.settings.welcome_channel_id or self.settings.welcome_dm):
            log.info("Welcome messages are off (set WELCOME_CHANNEL_ID or WELCOME_DM=true)")
        for guild_id in await self.store.guilds(self.settings.series_id):
            await self._schedule_final_recap(guild_id)

    async def cog_unload(self) -> None:
        if self._welcomer is not None:
            self._welcomer.cancel()
        scheduler = self.bot.scheduler
        if scheduler is not None and scheduler.running:
            for job in scheduler.get_jobs():
                if job.id.startswith(("final-recap-", "recap-retry-")):
                    job.remove()

    def warn_once(self, key: str, message: str, *args: object) -> None:
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)

    # --- welcome ---------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_member_join(self, member: discord.Member) -> None:
        if member.bot or not (self.settings.welcome_channel_id or self.settings.welcome_dm):
            return
        self._joined[(member.guild.id, member.id)] = member
        self.welcomes.add(Newcomer(member.id, member.guild.id), time.monotonic())
        self._wake.set()

    async def _welcome_loop(self) -> None:
        """Send what the queue allows, sleeping until the rate gate or a new join says so."""
        while not self.bot.is_closed():
            action, wait = self.welcomes.next_action(time.monotonic())
            if action is None:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=min(wait or 1.0, 1.0))
                continue
            try:
                sent = await self._perform(action)
            except Exception:
                log.exception("Could not send a welcome")
                sent = True  # count the attempt: a failing channel must not be hammered
            if sent:
                self.welcomes.sent(time.monotonic())

    async def _perform(self, action: Greet | GreetGroup) -> bool:
        if isinstance(action, Greet):
            key = (action.newcomer.guild_id, action.newcomer.user_id)
            member = self._joined.pop(key, None)
            return member is not None and await self.greet(member)
        for newcomer in action.newcomers:
            self._joined.pop((newcomer.guild_id, newcomer.user_id), None)
        return await self.greet_group(action.guild_id, len(action.newcomers))

    def welcome_channel(self, guild: discord.Guild) -> discord.abc.Messageable | None:
        channel_id = self.settings.welcome_channel_id
        if not channel_id:
            return None
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            self.warn_once(
                "welcome-channel", "WELCOME_CHANNEL_ID %s: channel not found", channel_id
            )
            return None
        if getattr(channel, "guild", None) is not None and channel.guild.id != guild.id:  # type: ignore[union-attr]
            return None  # another server's channel
        return channel  # type: ignore[return-value]

    async def welcome_for(self, member: discord.Member) -> str:
        """The greeting for `member` as things stand now."""
        days = await self.store.series_days(member.guild.id, self.settings.series_id)
        start = self.settings.start
        first = (
            first_post(start, self.settings.series_post_time, self.settings.tz) if start else None
        )
        moment = where_we_are(
            days, self.bot.now(), interval=self.settings.series_interval, first_post=first
        )
        values = placeholder_values(
            moment,
            member=member.mention,
            server=discord.utils.escape_markdown(member.guild.name),
            series=self.settings.series_name,
            channel_id=self.settings.challenge_channel_id,
        )
        result = welcome_text(self.settings.welcome_message, moment, values)
        if result.problem:
            self.warn_once(
                "welcome-template",
                "WELCOME_MESSAGE can't be used (%s); sending the default welcome instead",
                result.problem,
            )
        return render_welcome(result.text)

    async def greet(self, member: discord.Member) -> bool:
        """Greet one member (DM or welcome channel); True when a message went out."""
        text = await self.welcome_for(member)
        only_them = discord.AllowedMentions(
            everyone=False, users=[member], roles=False, replied_user=False
        )
        if self.settings.welcome_dm:
            try:
                await member.send(text, allowed_mentions=only_them)
                return True
            except discord.HTTPException as exc:
                log.info("Could not DM a welcome to %s (%s)", member.id, exc)
        channel = self.welcome_channel(member.guild)
        if channel is None:
            return False
        await channel.send(text, allowed_mentions=only_them)
        return True

    async def greet_group(self, guild_id: int, count: int) -> bool:
        """One grouped greeting (no pings) for a burst of joins."""
        guild = self.bot.get_guild(guild_id)
        channel = self.welcome_channel(guild) if guild is not None else None
        log.info("Join burst in server %s: greeting %d newcomers at once", guild_id, count)
        if channel is None or guild is None:
            return False
        text = group_welcome_text(
            count, discord.utils.escape_markdown(guild.name), self.settings.series_name
        )
        await channel.send(
            render_group_welcome(text), allowed_mentions=discord.AllowedMentions.none()
        )
        return True

    # --- participation commands ------------------------------------------------------------

    async def _days(self, guild_id: int) -> list[SeriesDay]:
        return await self.store.series_days(guild_id, self.settings.series_id)

    @app_commands.command(
        name="stats", description="Comments and participants per day, with a chart"
    )
    @app_commands.guild_only()
    @app_commands.checks.dynamic_cooldown(_cooldown)
    async def stats(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        guild_id = interaction.guild.id
        days = await self._days(guild_id)
        summary = summarise(
            await self.store.day_totals(guild_id), await self.store.participants(guild_id), days
        )
        png = await asyncio.to_thread(comments_chart, summary.per_day)
        embed = render_stats(summary, self.settings.series_name, chart=True)
        chart = discord.File(io.BytesIO(png), filename=STATS_FILENAME)
        await interaction.edit_original_response(embed=embed, attachments=[chart])

    @app_commands.command(name="leaderboard", description="Who took part on the most days")
    @app_commands.guild_only()
    @app_commands.checks.dynamic_cooldown(_cooldown)
    async def leaderboard(self, interaction: discord.Interaction) -> None:
        guild = interaction.guild
        assert guild is not None
        ranked = rank(await self.store.participants(guild.id))
        names = {
            r.participant.user_id: m.display_name
            for r in ranked[:10]
            if (m := guild.get_member(r.participant.user_id)) is not None
        }
        embed = render_leaderboard(
            ranked,
            self.settings.series_name,
            me=find_rank(ranked, interaction.user.id),
            names=names,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="streak", description="Your streak of days in a row and days done")
    @app_commands.guild_only()
    @app_commands.checks.dynamic_cooldown(_cooldown)
    async def streak(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        guild_id = interaction.guild.id
        days = await self._days(guild_id)
        mine = await self.store.user_days(guild_id, interaction.user.id)
        today = current_day(days)
        embed = render_streak(
            streak(mine, days),
            today_day=today.day if today else None,
            today_thread=today.thread_id if today else None,
            answered_today=today is not None and today.day in mine,
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    # --- completion roles ------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if (
            message.guild is None
            or message.author.bot
            or not isinstance(message.channel, discord.Thread)
            or not isinstance(message.author, discord.Member)
            or not (self.settings.completion_role_id or self.settings.completion_tier_role_id)
        ):
            return
        try:
            found = await self.store.day_for_thread(message.channel.id)
            if found is not None:
                _, series, day = found
                await self.check_completion(message.author, series, day, message.channel)
        except StoreError:
            if not self.bot.is_closed():
                raise  # a real problem; while shutting down the database is simply gone
        finally:
            self.messages_checked += 1

    async def check_completion(
        self,
        member: discord.Member,
        series: str,
        day: int,
        thread: discord.abc.Messageable | None = None,
    ) -> list[int]:
        """Give the completion roles `member` now qualifies for; return the role ids given.

        `day` is the day just commented on: counted even if the comments cog hasn't stored
        the message yet. Idempotent: a role is given once (granted_roles), never twice.
        """
        key = (member.guild.id, member.id)
        lock = self._role_locks.setdefault(key, asyncio.Lock())
        try:
            async with lock:
                return await self._grant(member, series, day, thread)
        finally:
            if not lock.locked() and self._role_locks.get(key) is lock:
                del self._role_locks[key]

    async def _grant(
        self, member: discord.Member, series: str, day: int, thread: discord.abc.Messageable | None
    ) -> list[int]:
        guild = member.guild
        if await self.store.is_erased(guild.id, member.id):
            return []
        days = await self.store.user_days(guild.id, member.id) | {day}
        total = series_length(await self.store.series_days(guild.id, series))
        earned = earned_roles(
            days,
            total=total,
            completion_role_id=self.settings.completion_role_id,
            tier_role_id=self.settings.completion_tier_role_id,
            tier_days=self.settings.completion_tier_days,
        )
        if not earned:
            return []
        already = await self.store.granted(guild.id, member.id)
        given: list[int] = []
        congratulate: list[tuple[str, int]] = []
        for role_id, needed in earned:
            if role_id in already:
                continue
            role = guild.get_role(role_id)
            if role is None:
                self.warn_once(
                    f"role-{role_id}", "Completion role %s not found in %s", role_id, guild.id
                )
                continue
            if member.get_role(role_id) is not None:
                await self.store.claim_grant(guild.id, member.id, role_id, self.bot.now())
                continue  # they have it already (given by hand): nothing to celebrate twice
            if not self._can_give(guild, role):
                continue
            if not await self.store.claim_grant(guild.id, member.id, role_id, self.bot.now()):
                continue
            try:
                await member.add_roles(role, reason=f"Took part on {needed} days of the series")
            except discord.HTTPException as exc:
                await self.store.release_grant(guild.id, member.id, role_id)
                self.warn_once(
                    f"add-role-{role_id}",
                    "Could not give the completion role %s (%s): check that the bot has Manage "
                    "Roles and that its own role is above it",
                    role.name,
                    exc,
                )
                continue
            given.append(role_id)
            congratulate.append((role.name, needed))
            log.info("Gave %s to member %s in server %s", role.name, member.id, guild.id)
        if congratulate and thread is not None:
            try:
                await thread.send(
                    render_congratulations(member.display_name, congratulate, total),
                    allowed_mentions=discord.AllowedMentions.none(),
                )
            except discord.HTTPException:
                log.warning("Could not congratulate member %s", member.id, exc_info=True)
        return given

    def _can_give(self, guild: discord.Guild, role: discord.Role) -> bool:
        me = guild.me
        if me is None:
            return True  # not cached: let Discord decide
        if not me.guild_permissions.manage_roles:
            self.warn_once(
                f"manage-roles-{guild.id}",
                "Completion roles are configured but the bot lacks Manage Roles in %s: "
                "give it that permission to hand out %s",
                guild.name,
                role.name,
            )
            return False
        if role >= me.top_role:
            self.warn_once(
                f"role-order-{role.id}",
                "The completion role %s is above the bot's own role: drag the bot's role above it",
                role.name,
            )
            return False
        return True

    # --- recaps ----------------------------------------------------------------------------

    @commands.Cog.listener()
    async def on_challenge_day_ending(self, guild_id: int, day: int, thread_id: int) -> None:
        await self.post_recap(guild_id, day, thread_id)

    @commands.Cog.listener()
    async def on_challenge_posted(self, guild_id: int, day: int, thread_id: int) -> None:
        await self._schedule_final_recap(guild_id)

    async def post_recap(self, guild_id: int, day: int, thread_id: int, attempt: int = 0) -> bool:
        """Post the day's recap in its thread, exactly once. True if this call posted it.

        The recap is claimed first (series_days.recap_posted_at), so it is never posted twice;
        when Discord refuses it, the claim is undone and a retry scheduled (a few times).
        """
        series = self.settings.series_id
        async with self._recap_lock:
            if not await self.series.mark_recap_posted(guild_id, series, day, self.bot.now()):
                return False
            try:
                days = {d.day: d for d in await self._days(guild_id)}
                title = days[day].title if day in days else ""
                totals = await self.store.day_totals(guild_id, day)
                top = await self.store.most_reacted(guild_id, day)
                embed = render_recap(
                    guild_id, day, title, totals[0] if totals else DayTotals(day, 0, 0), top
                )
                channel = self.bot.get_channel(thread_id) or self.bot.get_partial_messageable(
                    thread_id, guild_id=guild_id
                )
                await channel.send(embed=embed, allowed_mentions=discord.AllowedMentions.none())  # type: ignore[union-attr]
            except discord.HTTPException as exc:
                await self.store.clear_recap(guild_id, series, day)
                log.warning("Could not post the recap of day %s in %s: %s", day, guild_id, exc)
                self._retry_recap(guild_id, day, thread_id, attempt)
                return False
        log.info("Posted the recap of day %s in server %s", day, guild_id)
        return True

    def _retry_recap(self, guild_id: int, day: int, thread_id: int, attempt: int) -> None:
        scheduler = self.bot.scheduler
        if attempt >= RECAP_RETRIES or scheduler is None or not scheduler.running:
            return
        scheduler.add_job(
            self.post_recap,
            "date",
            run_date=datetime.now(UTC) + RECAP_RETRY_DELAY * (attempt + 1),
            args=[guild_id, day, thread_id, attempt + 1],
            id=f"recap-retry-{guild_id}-{day}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _schedule_final_recap(self, guild_id: int) -> None:
        """The last day has no next day to end it: recap it one interval after its post."""
        scheduler = self.bot.scheduler
        final = last_day(await self._days(guild_id))
        if scheduler is None or final is None or not final.posted or final.recap_posted_at:
            return
        if not final.thread_id:
            return
        ends = (final.posted_at or final.planned_at) + self.settings.series_interval
        delay = max(ends - self.bot.now(), timedelta(0))
        scheduler.add_job(
            self.post_recap,
            "date",
            run_date=datetime.now(UTC) + delay,
            args=[guild_id, final.day, final.thread_id],
            id=f"final-recap-{guild_id}",
            replace_existing=True,
            misfire_grace_time=None,
        )


async def setup(bot: ChallengeBot) -> None:
    await bot.add_cog(Members(bot))
