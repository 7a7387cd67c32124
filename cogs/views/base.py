"""The button views every command shares: owner-only buttons, a Previous/Next pager, and
Confirm/Cancel for an action with lasting effect.

`OwnerView` answers anyone but the member who ran the command with one polite ephemeral
refusal, and greys its buttons out when it times out. `Pager` turns pages drawn by a
callable, sync (pages already in memory) or async (pages read from the database: the click
is deferred first, so a slow read can't miss Discord's 3-second deadline).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import discord

from bot.i18n import ENGLISH, Messages
from bot.rendering.limits import BUTTON_LABEL, MESSAGE_CONTENT, truncate

log = logging.getLogger(__name__)

CONFIRM_TIMEOUT = 60.0

# BUTTON_CALLBACKS: a button made at run time gets its callback by assignment, as discord.py
# documents; its types declare `callback` a method, so each assignment carries an ignore.


def not_yours(tr: Messages) -> str:
    """The refusal someone else gets when clicking another member's buttons."""
    return tr._(
        "These buttons belong to whoever ran the command — run it yourself to get your own."
    )


class OwnerView(discord.ui.View):
    """A view only the member who opened it can use; buttons go grey when it times out.

    Set `interaction` to the command's interaction once the view is sent, so the timeout
    (and `edit_original`) can update that message. `tr`: the language of the view's texts
    (the refusal too), the one of the reply it was sent with.
    """

    def __init__(self, owner_id: int, *, timeout: float, tr: Messages = ENGLISH) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id
        self.tr = tr
        self.interaction: discord.Interaction | None = None  # the one that sent the view

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(not_yours(self.tr), ephemeral=True)
        return False

    def disable_all(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True

    async def edit_original(self, **changes: Any) -> None:
        """Edit the message the view was sent with; an expired interaction is only logged."""
        if self.interaction is None:
            return
        try:
            await self.interaction.edit_original_response(**changes)
        except discord.HTTPException:
            log.debug("Could not update an expired view", exc_info=True)

    async def on_timeout(self) -> None:
        self.disable_all()
        await self.edit_original(view=self)

    def handover(self, other: OwnerView) -> OwnerView:
        """Replace this view on the same message by `other` (this one stops listening)."""
        other.interaction = self.interaction
        self.stop()
        return other


@dataclass(frozen=True, slots=True)
class Paged:
    """A drawn page that also says which page it is and how many there are now (for data
    that changes while someone pages through it, like a day's comments)."""

    embed: discord.Embed
    page: int
    pages: int


Drawn = discord.Embed | Paged
PageRender = Callable[[int], Drawn | Awaitable[Drawn]]


class Pager(OwnerView):
    """Previous/Next over pages 0…pages-1, each drawn by `render(page)`."""

    def __init__(
        self,
        owner_id: int,
        pages: int,
        render: PageRender,
        *,
        timeout: float,
        page: int = 0,
        custom_ids: tuple[str, str] | None = None,
        emoji: tuple[str, str] | None = None,
        tr: Messages = ENGLISH,
    ) -> None:
        super().__init__(owner_id, timeout=timeout, tr=tr)
        self.render = render
        self.pages = max(1, pages)
        self.page = max(0, min(page, self.pages - 1))
        ids = custom_ids or (None, None)
        marks = emoji or (None, None)
        self.previous: discord.ui.Button[Pager] = discord.ui.Button(
            label=tr.p_("button", "Previous"),
            style=discord.ButtonStyle.secondary,
            custom_id=ids[0],
            emoji=marks[0],
        )
        self.next: discord.ui.Button[Pager] = discord.ui.Button(
            label=tr.p_("button", "Next"),
            style=discord.ButtonStyle.secondary,
            custom_id=ids[1],
            emoji=marks[1],
        )
        self.previous.callback = self._previous  # type: ignore[method-assign]  # see BUTTON_CALLBACKS
        self.next.callback = self._next  # type: ignore[method-assign]  # see BUTTON_CALLBACKS
        self.add_item(self.previous)
        self.add_item(self.next)
        self.sync_buttons()

    def sync_buttons(self) -> None:
        self.previous.disabled = self.page <= 0
        self.next.disabled = self.page >= self.pages - 1

    async def _previous(self, interaction: discord.Interaction) -> None:
        await self.turn(interaction, -1)

    async def _next(self, interaction: discord.Interaction) -> None:
        await self.turn(interaction, +1)

    async def turn(self, interaction: discord.Interaction, step: int) -> None:
        wanted = max(0, min(self.page + step, self.pages - 1))
        drawn = self.render(wanted)
        if inspect.isawaitable(drawn):
            await interaction.response.defer()  # acknowledged now, edited when drawn
            embed = self._show(await drawn, wanted)
            await interaction.edit_original_response(embed=embed, view=self)
        else:
            embed = self._show(drawn, wanted)
            await interaction.response.edit_message(embed=embed, view=self)

    def _show(self, drawn: Drawn, wanted: int) -> discord.Embed:
        if isinstance(drawn, Paged):
            self.page, self.pages = drawn.page, max(1, drawn.pages)
            embed = drawn.embed
        else:
            self.page, embed = wanted, drawn
        self.sync_buttons()
        return embed


class ConfirmView(OwnerView):
    """Confirm/Cancel for an action with lasting effect. The message becomes the outcome:
    `action()`'s answer, `cancelled`, or `timed_out` (without it, the buttons just go grey)."""

    def __init__(
        self,
        owner_id: int,
        action: Callable[[], Awaitable[str]],
        *,
        cancelled: str,
        tr: Messages = ENGLISH,
        label: str | None = None,
        timed_out: str | None = None,
        timeout: float = CONFIRM_TIMEOUT,
    ) -> None:
        super().__init__(owner_id, timeout=timeout, tr=tr)
        self.action = action
        self.cancelled = cancelled
        self.timed_out = timed_out
        self.outcome: str | None = None  # "confirmed", "cancelled" or "timeout"
        self.confirm.label = truncate(label or tr._("Confirm"), BUTTON_LABEL)
        self.cancel.label = tr._("Cancel")

    @discord.ui.button(label="Confirm", style=discord.ButtonStyle.danger)
    async def confirm(
        self, interaction: discord.Interaction, _: discord.ui.Button[ConfirmView]
    ) -> None:
        self.outcome = "confirmed"
        self.stop()
        await interaction.response.defer()  # the action may take a while
        text = await self.action()
        await interaction.edit_original_response(content=truncate(text, MESSAGE_CONTENT), view=None)

    @discord.ui.button(label="Cancel", style=discord.ButtonStyle.secondary)
    async def cancel(
        self, interaction: discord.Interaction, _: discord.ui.Button[ConfirmView]
    ) -> None:
        self.outcome = "cancelled"
        self.stop()
        await interaction.response.edit_message(content=self.cancelled, view=None)

    async def on_timeout(self) -> None:
        self.outcome = "timeout"
        if self.timed_out is None:
            await super().on_timeout()
        else:
            await self.edit_original(content=self.timed_out, view=None)
