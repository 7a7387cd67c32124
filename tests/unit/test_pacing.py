"""Pacing REST calls under Discord's global limit: the sliding window, the order of callers,
each process's share, and the wrapper on discord.py's HTTP client."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from discord.http import HTTPClient, Route

from bot.discord_setup import pace_requests
from bot.pacing import RequestPace, exempt, process_rate
from bot.settings import SettingsError, load_settings


class VirtualTime:
    """A monotonic clock that only moves when a caller sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


async def test_no_window_holds_more_than_the_rate() -> None:
    time = VirtualTime()
    pace = RequestPace(5, 1.0, clock=time.clock, sleep=time.sleep)
    sent: list[float] = []
    for _ in range(23):
        await pace.wait()
        sent.append(time.now)
    # every 1-second window (also windows not aligned on a second) holds at most 5 calls
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 1.0) <= 5
    assert sent[:5] == [1000.0] * 5  # a burst under the rate is not delayed
    assert sent[5] == pytest.approx(1001.0) and sent[-1] == pytest.approx(1004.0)
    assert pace.waited == pytest.approx(4.0)


async def test_callers_are_served_in_order() -> None:
    time = VirtualTime()
    pace = RequestPace(2, 1.0, clock=time.clock, sleep=time.sleep)
    order: list[int] = []

    async def call(n: int) -> None:
        await pace.wait()
        order.append(n)

    await asyncio.gather(*(call(n) for n in range(7)))
    assert order == list(range(7))
    assert time.now == pytest.approx(1003.0)  # 7 calls at 2 a second: 0, 0, 1, 1, 2, 2, 3


async def test_an_idle_pace_lets_a_new_burst_through() -> None:
    time = VirtualTime()
    pace = RequestPace(3, 1.0, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        await pace.wait()
    time.now += 5
    for _ in range(3):
        await pace.wait()
    assert time.now == 1005.0 and pace.waited == 0


def test_a_rate_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestPace(0)


def test_interaction_calls_are_outside_the_global_limit() -> None:
    assert exempt("/interactions/1/token/callback")
    assert exempt("/webhooks/1/token/messages/@original")
    assert not exempt("/channels/1/messages") and not exempt("/guilds/1/members/2/roles/3")


def test_each_process_takes_its_shards_part_of_the_rate() -> None:
    assert process_rate(load_settings(_env_file=None)) == 45
    assert process_rate(load_settings(_env_file=None, rest_requests_per_second=50)) == 50
    every = load_settings(_env_file=None, shard_count=4)
    assert process_rate(every) == 45
    half = load_settings(_env_file=None, shard_count=4, shard_ids="0-1")
    assert process_rate(half) == 22
    tiny = load_settings(_env_file=None, shard_count=64, shard_ids="3", rest_requests_per_second=10)
    assert process_rate(tiny) == 1


def test_the_rate_setting_is_checked() -> None:
    with pytest.raises(SettingsError, match="REST_REQUESTS_PER_SECOND"):
        load_settings(_env_file=None, rest_requests_per_second=0)


async def test_discord_py_requests_wait_their_turn() -> None:
    """The wrapper sits in front of HTTPClient.request: paced routes wait, interaction
    callbacks do not, and the original request gets the same arguments."""
    time = VirtualTime()
    pace = RequestPace(2, 1.0, clock=time.clock, sleep=time.sleep)
    http = HTTPClient(asyncio.get_running_loop())
    seen: list[tuple[str, float, dict[str, Any]]] = []

    async def request(route: Route, **kwargs: Any) -> Any:
        seen.append((route.path, time.now, kwargs))
        return {"ok": route.path}

    http.request = request  # type: ignore[method-assign]
    pace_requests(http, pace)
    post = Route("POST", "/channels/{channel_id}/messages", channel_id=1)
    for _ in range(3):
        assert await http.request(post, json={"content": "x"}) == {"ok": post.path}
    callback = Route("POST", "/interactions/{id}/{token}/callback", id=1, token="t")
    await http.request(callback)
    assert [t for _, t, _ in seen] == [1000.0, 1000.0, 1001.0, 1001.0]
    assert seen[0][2] == {"json": {"content": "x"}}
