"""The comments-per-day bar chart of /stats, rendered headless to PNG bytes.

Uses matplotlib's object API with the Agg canvas (no pyplot, no global state), so it is safe
to run in a worker thread (`asyncio.to_thread(comments_chart, ...)`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from bot.comments.model import DayTotals
from bot.i18n import ENGLISH, Messages

BAR_COLOUR = "#C1272D"  # Morocco red
LINE_COLOUR = "#006233"  # Morocco green


def chart_language(tr: Messages) -> Messages:
    """The language the chart's own labels are drawn in: the reader's, except Arabic.

    matplotlib draws Arabic letters unjoined and left to right (no shaping library is
    installed), which no one can read: an Arabic reader's chart keeps English labels, while
    the embed around it is in Arabic.
    """
    return ENGLISH if tr.language.rtl else tr


def _plain(text: str) -> str:
    return text.replace("$", r"\$")  # "$" would start mathtext


def comments_chart(tr: Messages, per_day: Sequence[DayTotals], title: str | None = None) -> bytes:
    """A PNG of comments (bars) and participants (dots) per day; fine with no data at all.

    Labels in `tr`'s language (see `chart_language`); `title` replaces the default title."""
    tr = chart_language(tr)
    if title is None:
        title = tr._("Comments and participants per day")
    # Imported here: matplotlib costs ~0.7 s at start-up and only /stats needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    days = [t.day for t in per_day]
    axes.bar(
        days,
        [t.comments for t in per_day],
        color=BAR_COLOUR,
        label=_plain(tr.p_("chart legend", "comments")),
    )
    if days:
        axes.set_xticks(days)
    if any(t.comments for t in per_day):
        axes.plot(
            days,
            [t.participants for t in per_day],
            "o",
            color=LINE_COLOUR,
            label=_plain(tr.p_("chart legend", "participants")),
        )
        axes.legend(loc="upper right", frameon=False)
    else:
        axes.set_ylim(0, 1)
        empty = _plain(tr._("No comments yet"))
        axes.text(0.5, 0.5, empty, transform=axes.transAxes, ha="center", va="center")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(_plain(tr.p_("chart axis", "Day")))
    axes.set_title(_plain(title))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
