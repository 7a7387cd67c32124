"""The comment commands' pager: a day's comments, read again at every turn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.comments.model import DayPage
from bot.i18n import ENGLISH, Messages
from bot.rendering.comments import render_day_page
from cogs.views.base import Paged, Pager

PAGER_TIMEOUT = 180.0


class DayPager(Pager):
    """Previous/Next over a day's comments, read again at every turn (they keep coming)."""

    def __init__(
        self,
        owner_id: int,
        day: int,
        page: DayPage,
        fetch: Callable[[int], Awaitable[DayPage]],
        *,
        timeout: float = PAGER_TIMEOUT,
        tr: Messages = ENGLISH,
    ) -> None:
        async def draw(number: int) -> Paged:
            shown = await fetch(number)
            return Paged(render_day_page(tr, day, shown), shown.page, shown.pages)

        super().__init__(
            owner_id,
            page.pages,
            draw,
            page=page.page,
            timeout=timeout,
            emoji=("◀️", "▶️"),
            tr=tr,
        )
