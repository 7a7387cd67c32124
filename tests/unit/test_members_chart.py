"""The /stats chart renders headless to a valid PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.comments.model import DayTotals
from bot.i18n import ENGLISH
from bot.members.chart import comments_chart

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "per_day",
    [
        [],
        [DayTotals(n, 0, 0) for n in range(1, 13)],
        [DayTotals(n, n * 7, n * 2) for n in range(1, 13)],
    ],
    ids=["no-days", "twelve-empty-days", "twelve-days"],
)
def test_chart_is_a_decodable_png(per_day: list[DayTotals]) -> None:
    png = comments_chart(ENGLISH, per_day, title="Costs in $ and € per day")
    assert png.startswith(PNG_MAGIC)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (800, 400)
