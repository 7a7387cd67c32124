"""Pacing REST calls under Discord's global limit: the sliding window, the order of callers,
each process's share, and the wrapper on discord.py's HTTP client."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
import yarl
from aiohttp import web
from discord.http import Route

from bot.discord_setup import pacing_trace, rest_path
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


async def send(pace: RequestPace, time: VirtualTime, *, took: float = 0.0) -> float:
    """One request through `pace` answered after `took` seconds; the time it was sent."""
    await pace.acquire()
    sent = time.now
    time.now += took
    pace.release()
    return sent


async def test_no_window_holds_more_than_the_rate() -> None:
    time = VirtualTime()
    pace = RequestPace(5, 1.0, clock=time.clock, sleep=time.sleep)
    sent = [await send(pace, time) for _ in range(23)]
    # every 1-second window (also windows not aligned on a second) holds at most 5 calls
    for start in sent:
        assert sum(1 for t in sent if start <= t < start + 1.0) <= 5
    assert sent[:5] == [1000.0] * 5  # a burst under the rate is not delayed
    assert sent[5] == pytest.approx(1001.0) and sent[-1] == pytest.approx(1004.0)


async def test_a_place_is_held_until_a_window_after_the_answer() -> None:
    """However slowly the network carries a request, it counts until a window after its
    answer: Discord, counting arrivals, never sees more than the rate in a second."""
    time = VirtualTime()
    pace = RequestPace(2, 1.0, clock=time.clock, sleep=time.sleep)
    assert await send(pace, time, took=0.7) == 1000.0  # answered at 1000.7
    assert await send(pace, time, took=0.7) == 1000.7  # answered at 1001.4
    assert await send(pace, time) == pytest.approx(1001.7)  # the first freed at 1001.7
    assert await send(pace, time) == pytest.approx(1002.4)


async def test_a_caller_waits_for_a_request_under_way() -> None:
    time = VirtualTime()
    pace = RequestPace(1, 1.0, clock=time.clock, sleep=time.sleep)
    await pace.acquire()  # under way, no answer yet
    second = asyncio.create_task(send(pace, time))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not second.done() and time.now == 1000.0  # nothing frees it but the answer
    time.now += 3
    pace.release()  # answered at 1003: the next may go at 1004
    assert await second == pytest.approx(1004.0)


async def test_callers_are_served_in_order() -> None:
    time = VirtualTime()
    pace = RequestPace(2, 1.0, clock=time.clock, sleep=time.sleep)
    order: list[int] = []

    async def call(n: int) -> None:
        await send(pace, time)
        order.append(n)

    await asyncio.gather(*(call(n) for n in range(7)))
    assert order == list(range(7))
    assert time.now == pytest.approx(1003.0)  # 7 calls at 2 a second: 0, 0, 1, 1, 2, 2, 3


async def test_an_idle_pace_lets_a_new_burst_through() -> None:
    time = VirtualTime()
    pace = RequestPace(3, 1.0, clock=time.clock, sleep=time.sleep)
    for _ in range(3):
        await send(pace, time)
    time.now += 5
    for _ in range(3):
        await send(pace, time)
    assert time.now == 1005.0  # nobody waited


async def test_a_cancelled_wait_holds_no_place() -> None:
    time = VirtualTime()
    pace = RequestPace(1, 1.0, clock=time.clock, sleep=time.sleep)
    await pace.acquire()
    waiting = asyncio.create_task(pace.acquire())
    await asyncio.sleep(0)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    pace.release()
    time.now += 1
    assert await send(pace, time) == 1001.0


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


async def test_discord_py_requests_wait_their_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """The trace sits in discord.py's HTTP session (a real one, against a local server): REST
    calls take a place, answered or failed they free it; interaction callbacks and anything
    outside the API (the gateway) are not paced."""

    async def answer(request: web.Request) -> web.Response:
        if request.path.endswith("/slow"):
            await asyncio.sleep(0.5)
        return web.json_response({})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    clock = VirtualTime()
    pace = RequestPace(2, 1.0, clock=clock.clock, sleep=clock.sleep)
    monkeypatch.setattr(Route, "BASE", f"http://127.0.0.1:{port}/api/v10")
    try:
        async with aiohttp.ClientSession(trace_configs=[pacing_trace(pace)]) as session:
            for _ in range(5):
                async with session.get(f"{Route.BASE}/channels/1/messages"):
                    pass
            assert clock.now == pytest.approx(1002.0)  # 2 a second: 0, 0, 1, 1, 2
            for path in ("/api/v10/interactions/1/t/callback", "/gateway", "/api/v100/x"):
                async with session.post(f"http://127.0.0.1:{port}{path}"):
                    pass
            assert clock.now == pytest.approx(1002.0)  # none of them waited
            with pytest.raises(TimeoutError):  # a failed call frees its place too
                await session.get(f"{Route.BASE}/slow", timeout=aiohttp.ClientTimeout(total=0.05))
            # its place frees a second after it failed: at 1003 both places are free again
            for _ in range(2):
                async with asyncio.timeout(5), session.get(f"{Route.BASE}/channels/1/messages"):
                    pass
            assert clock.now == pytest.approx(1003.0)
    finally:
        await runner.cleanup()


def test_rest_calls_are_told_from_the_gateway_as_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API base and a request URL are compared as URLs: an explicit default port or an
    upper-case host is the same server, another version or scheme is not the REST API."""
    monkeypatch.setattr(Route, "BASE", "https://discord.com/api/v10")
    assert rest_path(yarl.URL("https://Discord.com:443/api/v10/channels/1")) == "/channels/1"
    assert rest_path(yarl.URL("https://discord.com/api/v10/interactions/1/t/callback")) == (
        "/interactions/1/t/callback"
    )
    for other in (
        "wss://gateway.discord.gg/?v=10",
        "https://discord.com/api/v100/x",
        "http://discord.com/api/v10/x",
    ):
        assert rest_path(yarl.URL(other)) is None
