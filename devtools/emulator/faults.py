"""Fault injection and rate limits a test can switch on.

emulator.faults.rate_limit("POST", "/channels/*/messages", retry_after=0.2)
emulator.faults.server_error("*", "/channels/*", status=502, times=2)
emulator.faults.forbidden("POST", "/channels/{channel_id}/threads")
emulator.faults.delay("GET", "*", seconds=0.5)
emulator.rate_limits.enforce()   # real buckets: 5 messages / 5 s per channel, 50/s global
"""

from __future__ import annotations

import fnmatch
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devtools.emulator.validation import DiscordError

Match = Callable[[str, str, str], bool]  # (method, route template, path) → applies?


def _matcher(method: str, route: str, when: Callable[[str], bool] | None) -> Match:
    def matches(call_method: str, template: str, path: str) -> bool:
        if method != "*" and method.upper() != call_method:
            return False
        if not (fnmatch.fnmatchcase(template, route) or fnmatch.fnmatchcase(path, route)):
            return False
        return when is None or when(path)

    return matches


@dataclass
class Fault:
    kind: str  # "rate_limit" | "error" | "delay" | "drop"
    matches: Match
    times: int | None  # None: until cleared
    status: int = 500
    code: int = 0
    message: str = ""
    retry_after: float = 0.0
    scope: str = "user"
    seconds: float = 0.0
    hits: int = 0

    def used_up(self) -> bool:
        return self.times is not None and self.hits >= self.times


class Faults:
    """Rules checked before every REST call; each fires `times` times (None: forever)."""

    def __init__(self) -> None:
        self.rules: list[Fault] = []

    def clear(self) -> None:
        self.rules.clear()

    def _add(self, fault: Fault) -> Fault:
        self.rules.append(fault)
        return fault

    def rate_limit(
        self,
        method: str = "*",
        route: str = "*",
        *,
        retry_after: float = 0.2,
        scope: str = "user",
        times: int | None = 1,
        when: Callable[[str], bool] | None = None,
    ) -> Fault:
        """429 with `retry_after`. scope "global" sets X-RateLimit-Global and `global: true`."""
        return self._add(
            Fault(
                "rate_limit",
                _matcher(method, route, when),
                times,
                429,
                retry_after=retry_after,
                scope=scope,
            )
        )

    def server_error(
        self,
        method: str = "*",
        route: str = "*",
        *,
        status: int = 500,
        times: int | None = 1,
        when: Callable[[str], bool] | None = None,
    ) -> Fault:
        return self._add(
            Fault(
                "error", _matcher(method, route, when), times, status, 0, f"{status}: Server Error"
            )
        )

    def forbidden(
        self,
        method: str = "*",
        route: str = "*",
        *,
        code: int = 50013,
        message: str = "Missing Permissions",
        times: int | None = None,
        when: Callable[[str], bool] | None = None,
    ) -> Fault:
        return self._add(Fault("error", _matcher(method, route, when), times, 403, code, message))

    def error(
        self,
        method: str,
        route: str,
        *,
        status: int,
        code: int,
        message: str,
        times: int | None = 1,
        when: Callable[[str], bool] | None = None,
    ) -> Fault:
        """Any Discord error, e.g. status=404, code=10003, message="Unknown Channel"."""
        return self._add(
            Fault("error", _matcher(method, route, when), times, status, code, message)
        )

    def delay(
        self,
        method: str = "*",
        route: str = "*",
        *,
        seconds: float = 0.5,
        times: int | None = None,
        when: Callable[[str], bool] | None = None,
    ) -> Fault:
        return self._add(Fault("delay", _matcher(method, route, when), times, seconds=seconds))

    def take(self, method: str, template: str, path: str) -> list[Fault]:
        """The rules that fire for this call (delays first), counting their use."""
        fired = []
        for rule in list(self.rules):
            if rule.used_up() or not rule.matches(method, template, path):
                continue
            rule.hits += 1
            fired.append(rule)
        return sorted(fired, key=lambda r: r.kind != "delay")


def rate_limited(retry_after: float, *, scope: str, bucket: str) -> DiscordError:
    is_global = scope == "global"
    headers = {
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Scope": scope,
        "Via": "1.1 google",  # discord.py treats a 429 without Via as a Cloudflare ban
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    else:
        headers.update(
            {
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
                "X-RateLimit-Reset-After": f"{retry_after:.3f}",
                "X-RateLimit-Bucket": bucket,
            }
        )
    return DiscordError(
        429,
        0,
        "You are being rate limited.",
        headers=headers,
        extra={"retry_after": retry_after, "global": is_global},
    )


def bucket_hash(method: str, template: str) -> str:
    return hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]


@dataclass
class Window:
    limit: int
    seconds: float
    started: float = 0.0
    used: int = 0

    def hit(self, now: float) -> None:
        if now - self.started >= self.seconds:
            self.started, self.used = now, 0
        self.used += 1

    def reset_after(self, now: float) -> float:
        return max(0.0, self.seconds - (now - self.started))


@dataclass
class RateLimits:
    """Per-route buckets reported in X-RateLimit-* headers on every response.

    By default the limits are generous and only reported; `enforce()` switches to Discord's
    real message limits and answers 429 when a bucket or the global limit is exceeded.
    """

    default: tuple[int, float] = (1000, 1.0)
    routes: dict[str, tuple[int, float]] = field(default_factory=dict)
    global_per_second: int = 10_000
    enforcing: bool = False
    windows: dict[str, Window] = field(default_factory=dict)
    global_window: Window = field(default_factory=lambda: Window(10_000, 1.0))

    def enforce(self, *, messages: int = 5, per: float = 5.0, global_per_second: int = 50) -> None:
        """Discord's limits: `messages` per `per` seconds per channel for message create and
        edit, 50 requests/s per other route and globally; over a limit → 429."""
        self.enforcing = True
        self.routes["POST /channels/{channel_id}/messages"] = (messages, per)
        self.routes["PATCH /channels/{channel_id}/messages/{message_id}"] = (messages, per)
        self.default = (50, 1.0)
        self.global_per_second = global_per_second
        self.global_window = Window(global_per_second, 1.0)
        self.windows.clear()

    def check(self, method: str, template: str, major: str) -> dict[str, str]:
        """Count the call; raise a 429 if enforcing and over; return headers to send."""
        now = time.monotonic()
        route_key = f"{method} {template}"
        limit, seconds = self.routes.get(route_key, self.default)
        bucket = bucket_hash(method, template)
        window = self.windows.setdefault(f"{bucket}:{major}", Window(limit, seconds))
        if self.enforcing:
            self.global_window.hit(now)
            if self.global_window.used > self.global_window.limit:
                raise rate_limited(
                    self.global_window.reset_after(now), scope="global", bucket=bucket
                )
            if now - window.started < window.seconds and window.used >= window.limit:
                raise rate_limited(window.reset_after(now), scope="user", bucket=bucket)
        window.hit(now)
        reset_after = window.reset_after(now)
        return {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(max(0, window.limit - window.used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }
