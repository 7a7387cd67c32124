"""CompletionRoles: gives the completion roles a member qualifies for, exactly once.

Who qualifies is pure (`earned_roles` in participation.py); this service reads the member's
days, claims each grant in the store before asking Discord (so a role is never given twice,
even by two messages at once), undoes the claim when Discord refuses, and congratulates the
member in the thread they just answered (a public post: in the server's language).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.i18n import messages
from bot.i18n.choice import LanguageChoice
from bot.members.days import series_days
from bot.members.once import WarnOnce
from bot.members.participation import earned_roles, series_length
from bot.rendering.members import render_congratulations
from bot.series.definition import SeriesDefinition
from bot.store.database import StoreError
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

if TYPE_CHECKING:
    from bot.bot import ChallengeBot

log = logging.getLogger(__name__)


class CompletionRoles:
    def __init__(self, bot: ChallengeBot, store: MemberStore, languages: LanguageChoice) -> None:
        self.bot = bot
        self.languages = languages  # the congratulations are in the server's language
        self.settings = bot.settings
        self.store = store
        self.schedule = SeriesStore(store.db)  # which day a thread is, and the series length
        self.warn = WarnOnce(log)

    def _rules(self, record: str) -> SeriesDefinition | None:
        """The completion roles of the record's series (None: a rehearsal, or a series no
        longer configured, gives none)."""
        service = self.bot.series_for(record)
        if service is None or service.rehearsal is not None:
            return None
        return service.definition

    @property
    def role_ids(self) -> set[int]:
        """Every series' completion roles."""
        wanted = [
            role_id
            for d in (service.definition for service in self.bot.all_series.values())
            for role_id in (d.completion_role_id, d.completion_tier_role_id)
        ]
        return {role_id for role_id in wanted if role_id}

    @property
    def enabled(self) -> bool:
        return bool(self.role_ids)

    async def after_reply(self, member: discord.Member, thread: discord.Thread) -> list[int]:
        """A member wrote in `thread`: if it is a challenge day's thread, check their roles."""
        if self.role_ids <= {role.id for role in member.roles}:
            return []  # nothing left to give: no database reads on this hot path
        found = await self.schedule.day_for_thread(thread.id)
        if found is None:
            return []
        return await self.check(member, found.series, found.day, thread)

    async def check(
        self,
        member: discord.Member,
        series: str,
        day: int,
        thread: discord.abc.Messageable | None = None,
    ) -> list[int]:
        """Give the completion roles `member` now qualifies for; return the role ids given.

        `day` is the day just commented on: counted even if the comments cog hasn't stored
        the message yet. Idempotent: a role is given once, never twice, even when two messages
        check at the same time, because each grant is claimed in the store first
        (`claim_grant`: only one claim can succeed).
        """
        guild = member.guild
        rules = self._rules(series)
        if rules is None or await self.store.is_erased(guild.id, member.id):
            return []
        days = await self.store.user_days(guild.id, series, member.id) | {day}
        total = series_length(await series_days(self.schedule, guild.id, series))
        earned = earned_roles(
            days,
            total=total,
            completion_role_id=rules.completion_role_id,
            tier_role_id=rules.completion_tier_role_id,
            tier_days=rules.completion_tier_days,
        )
        if not earned:
            return []
        already = await self.store.granted(guild.id, series, member.id)
        given: list[int] = []
        congratulate: list[tuple[str, int]] = []
        for role_id, needed in earned:
            if role_id in already:
                continue
            role = guild.get_role(role_id)
            if role is None:
                self.warn(
                    f"role-{role_id}", "Completion role %s not found in %s", role_id, guild.id
                )
                continue
            if member.get_role(role_id) is not None:
                await self.store.claim_grant(guild.id, series, member.id, role_id, self.bot.now())
                continue  # they have it already (given by hand): nothing to celebrate twice
            if not self._can_give(guild, role):
                continue
            if not await self.store.claim_grant(
                guild.id, series, member.id, role_id, self.bot.now()
            ):
                continue
            try:
                await member.add_roles(role, reason=f"Took part on {needed} days of the series")
            except discord.HTTPException as exc:
                await self.store.release_grant(guild.id, series, member.id, role_id)
                self.warn(
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
                tr = await self.languages.for_server(guild.id)
            except StoreError:  # the roles are given: congratulate anyway
                tr = messages(self.languages.default)
            try:
                await thread.send(
                    render_congratulations(tr, member.display_name, congratulate, total),
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
            self.warn(
                f"manage-roles-{guild.id}",
                "Completion roles are configured but the bot lacks Manage Roles in %s: "
                "give it that permission to hand out %s",
                guild.name,
                role.name,
            )
            return False
        if role >= me.top_role:
            self.warn(
                f"role-order-{role.id}",
                "The completion role %s is above the bot's own role: drag the bot's role above it",
                role.name,
            )
            return False
        return True
