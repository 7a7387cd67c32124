"""The shared views: owner-only buttons and the Previous/Next pager (sync and async pages)."""

from __future__ import annotations

import gettext
from types import SimpleNamespace
from typing import Any

import discord

from bot.comments.model import DayPage, DayTotals
from bot.i18n import ENGLISH, Language, Messages
from bot.rendering.comments import erase_cancelled
from cogs.views.base import ConfirmView, OwnerView, Paged, Pager, not_yours
from cogs.views.comments import DayPager
from cogs.views.keywords import BrowseView

NOT_YOURS = not_yours(ENGLISH)


class FakeResponse:
    def __init__(self, calls: list[tuple[str, dict[str, Any]]]) -> None:
        self.calls = calls

    async def send_message(self, content: str | None = None, **kwargs: Any) -> None:
        self.calls.append(("send_message", {"content": content, **kwargs}))

    async def edit_message(self, **kwargs: Any) -> None:
        self.calls.append(("edit_message", kwargs))

    async def defer(self, **kwargs: Any) -> None:
        self.calls.append(("defer", kwargs))


class FakeInteraction:
    """Just what the views call: who clicked, the response, and the original message."""

    def __init__(self, user_id: int) -> None:
        self.user = SimpleNamespace(id=user_id)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.response = FakeResponse(self.calls)

    async def edit_original_response(self, **kwargs: Any) -> None:
        self.calls.append(("edit_original_response", kwargs))


def page_embed(page: int) -> discord.Embed:
    return discord.Embed(title=f"page {page}")


async def test_only_the_owner_may_click_and_others_get_one_polite_refusal() -> None:
    view = OwnerView(42, timeout=10)
    assert await view.interaction_check(FakeInteraction(42))  # type: ignore[arg-type]
    stranger = FakeInteraction(7)
    assert not await view.interaction_check(stranger)  # type: ignore[arg-type]
    assert stranger.calls == [("send_message", {"content": NOT_YOURS, "ephemeral": True})]


async def test_every_owner_view_shares_the_refusal() -> None:
    async def confirmed() -> str:
        return "done"

    views = [ConfirmView(42, confirmed, cancelled="Cancelled."), BrowseView(42, None, [[], []])]
    for view in views:
        stranger = FakeInteraction(7)
        assert not await view.interaction_check(stranger)  # type: ignore[arg-type]
        assert stranger.calls[0][1]["content"] == NOT_YOURS


async def test_a_timeout_greys_the_buttons_on_the_original_message() -> None:
    view = Pager(42, 3, page_embed, timeout=10)
    sent = FakeInteraction(42)
    view.interaction = sent  # type: ignore[assignment]
    await view.on_timeout()
    assert all(item.disabled for item in view.children)  # type: ignore[attr-defined]
    assert sent.calls == [("edit_original_response", {"view": view})]


async def test_sync_pages_turn_in_place_and_stop_at_the_ends() -> None:
    view = Pager(42, 3, page_embed, timeout=10, custom_ids=("x:prev", "x:next"))
    assert (view.previous.custom_id, view.next.custom_id) == ("x:prev", "x:next")
    assert view.previous.disabled and not view.next.disabled
    for expected in (1, 2, 2):
        click = FakeInteraction(42)
        await view.turn(click, +1)  # type: ignore[arg-type]
        assert view.page == expected
        (kind, kwargs), *_ = click.calls
        assert kind == "edit_message" and kwargs["embed"].title == f"page {expected}"
    assert view.next.disabled and not view.previous.disabled


async def test_async_pages_are_deferred_first_and_may_change_the_count() -> None:
    async def draw(page: int) -> Paged:
        return Paged(page_embed(page), page, 5)  # more pages appeared meanwhile

    view = Pager(42, 2, draw, timeout=10, emoji=("◀️", "▶️"))
    click = FakeInteraction(42)
    await view.turn(click, +1)  # type: ignore[arg-type]
    assert [kind for kind, _ in click.calls] == ["defer", "edit_original_response"]
    assert click.calls[1][1]["embed"].title == "page 1"
    assert (view.page, view.pages, view.next.disabled) == (1, 5, False)
    assert str(view.previous.emoji) == "◀️"


async def test_the_day_pager_follows_what_the_service_returns() -> None:
    asked: list[int] = []

    async def fetch(page: int) -> DayPage:
        asked.append(page)
        return DayPage(DayTotals(3, 12, 2), [], min(page, 2), 3)

    view = DayPager(42, 3, DayPage(DayTotals(3, 7, 2), [], 0, 2), fetch)
    click = FakeInteraction(42)
    await view.turn(click, +1)  # type: ignore[arg-type]
    assert asked == [1] and (view.page, view.pages) == (1, 3)
    assert "Page 2/3" in click.calls[-1][1]["embed"].footer.text


class Shouting(gettext.NullTranslations):
    """A stand-in catalogue: every message comes back upper-cased."""

    def gettext(self, message: str) -> str:
        return message.upper()

    def pgettext(self, context: str, message: str) -> str:
        return message.upper()


async def test_a_view_speaks_the_language_it_was_made_with() -> None:
    tr = Messages(Language.FRENCH, Shouting())
    pager = Pager(42, 2, page_embed, timeout=10, tr=tr)
    assert (pager.previous.label, pager.next.label) == ("PREVIOUS", "NEXT")
    confirm = ConfirmView(42, lambda: None, tr=tr, cancelled=erase_cancelled(tr))  # type: ignore[arg-type]
    assert (confirm.confirm.label, confirm.cancel.label) == ("CONFIRM", "CANCEL")
    assert confirm.cancelled == "CANCELLED — NOTHING WAS ERASED."
    stranger = FakeInteraction(7)
    assert not await confirm.interaction_check(stranger)  # type: ignore[arg-type]
    assert stranger.calls[0][1]["content"] == NOT_YOURS.upper()
