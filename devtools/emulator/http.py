"""A tiny REST router: route templates like Discord's docs, request parsing, JSON replies.

discord.py compares Content-Type with `==`, so replies carry exactly `application/json`
(aiohttp's `web.json_response` would add `; charset=utf-8`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from devtools.emulator.validation import FILE_SIZE, DiscordError

Payload = dict[str, Any]


@dataclass
class Upload:
    field: str  # "files[0]"
    filename: str
    data: bytes
    content_type: str


@dataclass
class Call:
    """One REST call as a handler sees it."""

    method: str
    route: str
    path: str
    params: dict[str, str]
    query: dict[str, str]
    json: Any
    uploads: list[Upload] = field(default_factory=list)
    authorization: str | None = None

    @property
    def body(self) -> Payload:
        return self.json if isinstance(self.json, dict) else {}

    def param(self, name: str) -> str:
        return self.params[name]


@dataclass
class Reply:
    status: int = 200
    body: Any = None


Handler = Callable[[Call], Awaitable[Any]]


@dataclass
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: bool  # needs "Authorization: Bot <token>"


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template.replace("@", r"\@"))
        self.routes.append(Route(method, template, re.compile(f"^{regex}$"), handler, auth))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        allowed = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.method == method:
                    return route, found.groupdict()
                allowed = True
        if allowed:
            raise DiscordError(405, 0, "405: Method Not Allowed")
        return None


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
    all_headers = dict(headers or {})
    if status == 204 or body is None:
        return web.Response(status=204, headers=all_headers)
    all_headers["Content-Type"] = "application/json"
    return web.Response(status=status, body=json.dumps(body).encode(), headers=all_headers)


async def read_body(request: web.Request) -> tuple[Any, list[Upload]]:
    """JSON body, or multipart form-data with `payload_json` and `files[n]` parts."""
    content_type = request.headers.get("Content-Type", "")
    if content_type.startswith("multipart/form-data"):
        payload: Any = None
        uploads: list[Upload] = []
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            data = await part.read()
            if name == "payload_json":
                payload = json.loads(data)
            elif part.filename:
                if len(data) > FILE_SIZE:
                    raise DiscordError(413, 40005, "Request entity too large")
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                uploads.append(Upload(name, part.filename, bytes(data), content_type))
        return payload, uploads
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError as exc:
        raise DiscordError(400, 50109, "The request body contains invalid JSON.") from exc
