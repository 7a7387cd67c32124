"""CompletionRoles: gives the completion roles a member qualifies for, exactly once.

Who qualifies is pure (`earned_roles` in participation.py); this service reads the member's
days, claims each grant in the store before asking Discord (so a role is never given twice,
even by two messages at once), undoes the claim when Discord refuses, and congratulates the
member in the thread they just answered (a public post: in the server's language).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from bot.boundary import Discord, DiscordError, Grantable, MemberInfo, RoleInfo
from bot.clock import Clock
from bot.i18n.choice import LanguageChoice
from bot.members.once import WarnOnce
from bot.members.participation import earned_roles, series_length
from bot.rendering.members import render_congratulations
from bot.series.definition import SeriesDefinition
from bot.store.members import MemberStore
from bot.store.series import SeriesStore

log = logging.getLogger(__name__)

# The completion rules of a record's series (None: a rehearsal, or a series no longer
# configured, gives no roles), and every configured series' definition.
RulesFor = Callable[[str], SeriesDefinition | None]
AllDefinitions = Callable[[], Iterable[SeriesDefinition]]


class CompletionRoles:
    def __init__(
        self,
        discord: Discord,
        store: MemberStore,
        languages: LanguageChoice,
        clock: Clock,
        *,
        rules: RulesFor,
        definitions: AllDefinitions,
    ) -> None:
        self.discord = discord
        self.languages = languages  # the congratulations are in the server's language
        self.store = store
        self.clock = clock
        self.schedule = SeriesStore(store.db)  # which day a thread is, and the series length
        self._rules = rules
        self.definitions = definitions
        self.warn = WarnOnce(log)

    @property
    def role_ids(self) -> set[int]:
        """Every series' completion roles."""
        wanted = [
            role_id
            for d in self.definitions()
            for role_id in (d.completion_role_id, d.completion_tier_role_id)
        ]
        return {role_id for role_id in wanted if role_id}

    @property
    def enabled(self) -> bool:
        return bool(self.role_ids)

    async def after_reply(self, member: MemberInfo, thread_id: int) -> list[int]:
        """A member wrote in a thread: if it is a challenge day's thread, check their roles."""
        if self.role_ids <= member.role_ids:
            return []  # nothing left to give: no database reads on this hot path
        found = await self.schedule.day_for_thread(thread_id)
        if found is None:
            return []
        return await self.check(member, found.series, found.day, thread_id)

    async def check(
        self, member: MemberInfo, series: str, day: int, thread_id: int | None = None
    ) -> list[int]:
        """Give the completion roles `member` now qualifies for; return the role ids given.

        `day` is the day just commented on: counted even if the comments cog hasn't stored
        the message yet. Idempotent: a role is given once, never twice, even when two messages
        check at the same time, because each grant is claimed in the store first
        (`claim_grant`: only one claim can succeed). The congratulations go to `thread_id`.
        """
        guild_id = member.guild_id
        rules = self._rules(series)
        if rules is None or await self.store.is_erased(guild_id, member.id):
            return []
        days = await self.store.user_days(guild_id, series, member.id) | {day}
        total = series_length(await self.schedule.list_days(guild_id, series))
        earned = earned_roles(
            days,
            total=total,
            completion_role_id=rules.completion_role_id,
            tier_role_id=rules.completion_tier_role_id,
            tier_days=rules.completion_tier_days,
        )
        if not earned:
            return []
        already = await self.store.granted(guild_id, series, member.id)
        given: list[tuple[RoleInfo, int]] = []
        for role_id, needed in earned:
            if role_id not in already:
                role = await self._grant(member, series, role_id, needed)
                if role is not None:
                    given.append((role, needed))
        if given and thread_id is not None:
            congratulate = [(role.name, needed) for role, needed in given]
            await self._congratulate(member, thread_id, congratulate, total)
        return [role.id for role, _ in given]

    async def _grant(
        self, member: MemberInfo, series: str, role_id: int, needed: int
    ) -> RoleInfo | None:
        """Claim and give one earned role; the role when it was given now."""
        guild_id = member.guild_id
        role = self.discord.role(guild_id, role_id)
        if role is None:
            self.warn(f"role-{role_id}", "Completion role %s not found in %s", role_id, guild_id)
            return None
        if role_id in member.role_ids:
            await self.store.claim_grant(guild_id, series, member.id, role_id, self.clock.now())
            return None  # they have it already (given by hand): nothing to celebrate twice
        if not self._can_give(guild_id, role):
            return None
        if not await self.store.claim_grant(guild_id, series, member.id, role_id, self.clock.now()):
            return None
        try:
            reason = f"Took part on {needed} days of the series"
            await self.discord.add_role(guild_id, member.id, role_id, reason=reason)
        except DiscordError as exc:
            await self.store.release_grant(guild_id, series, member.id, role_id)
            self.warn(
                f"add-role-{role_id}",
                "Could not give the completion role %s (%s): check that the bot has Manage "
                "Roles and that its own role is above it",
                role.name,
                exc,
            )
            return None
        log.info("Gave %s to member %s in server %s", role.name, member.id, guild_id)
        return role

    async def _congratulate(
        self, member: MemberInfo, thread_id: int, earned: list[tuple[str, int]], total: int
    ) -> None:
        """Say so in the thread the member just answered (a public post, no ping)."""
        tr = await self.languages.for_server(member.guild_id)
        text = render_congratulations(tr, member.display_name, earned, total)
        try:
            await self.discord.send(thread_id, text, guild_id=member.guild_id)
        except DiscordError:
            log.warning("Could not congratulate member %s", member.id, exc_info=True)

    def _can_give(self, guild_id: int, role: RoleInfo) -> bool:
        if role.grantable is Grantable.NO_PERMISSION:
            self.warn(
                f"manage-roles-{guild_id}",
                "Completion roles are configured but the bot lacks Manage Roles in %s: "
                "give it that permission to hand out %s",
                role.guild_name,
                role.name,
            )
            return False
        if role.grantable is Grantable.TOO_HIGH:
            self.warn(
                f"role-order-{role.id}",
                "The completion role %s is above the bot's own role: drag the bot's role above it",
                role.name,
            )
            return False
        return True
