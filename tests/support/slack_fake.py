"""A loopback Slack Web API that records every call; the one fake of Slack the tests and
benchmarks use (:mod:`tests.support.slack_client` sends signed requests to the app).

The fake answers the methods Waarom uses with the fields the SDK reads, and can be told to
answer a method with HTTP 429 + ``Retry-After`` a few times, to answer every call only after
``delay`` seconds, or to hold each answer ``hold`` seconds after the call is recorded (so a
client can be stopped while its calls are under way). ``response_url``s point at it too
(``/response/<n>``), so replies through them are recorded like any other call.

Like Slack, it limits ``chat.postMessage`` when told to (``per_channel`` messages per second
per channel, ``per_workspace`` in all), answering 429 with ``Retry-After`` beyond that.

Like Slack, it refuses a method whose scope the token was not granted (``missing_scope``,
with ``needed`` and ``provided``). A token is granted what the app's manifest asks for
(``adapters/slack/manifest.yml``) unless a test says otherwise (``scopes``), so code that
calls a method the manifest has no scope for fails its tests as it would fail in Slack.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from aiohttp.test_utils import TestServer

from adapters.slack import app as slack_app

TEAM = "T0WAAROM"
TEAM_NAME = "Acme"
BOT_USER = "UBOT0001"
BOT_ID = "B0WAAROM"
CHANNEL = "C0PRODUCT"
CHANNEL_NAME = "product"
USER = "U0ANNA"
ADMIN = "U0ADMIN"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-1111-2222-fake"
MANIFEST = Path(slack_app.__file__).parent / "manifest.yml"

# The bot-token scopes each Web API method needs, from Slack's method reference
# (docs.slack.dev/reference/methods). "{kind}" stands for the conversation's kind, by its
# id: channels (C…), groups (private, G…), im (D…).
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "oauth.v2.access": (),
    "views.open": (),
    "views.publish": (),
    "views.update": (),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    "chat.delete": ("chat:write",),
    "users.info": ("users:read",),
    "conversations.open": ("im:write",),
    "conversations.info": ("{kind}:read",),
    "conversations.history": ("{kind}:history",),
}
KINDS = ("channels", "groups", "im")


AUTH_TEST: dict[str, Any] = {
    "ok": True,
    "url": "https://acme.slack.com/",
    "team": TEAM_NAME,
    "user": "waarom",
    "team_id": TEAM,
    "user_id": BOT_USER,
    "bot_id": BOT_ID,
    "is_enterprise_install": False,
}
# What installing the app in a second workspace answers (its scope: the granted ones).
OAUTH_ACCESS: dict[str, Any] = {
    "ok": True,
    "app_id": "A0WAAROM",
    "access_token": "xoxb-oauth-installed-token",
    "token_type": "bot",
    "bot_user_id": BOT_USER,
    "team": {"id": "T0SECOND", "name": "Second Co"},
    "enterprise": None,
    "is_enterprise_install": False,
    "authed_user": {"id": "U0INSTALLER"},
}


def manifest_scopes() -> frozenset[str]:
    manifest = yaml.safe_load(MANIFEST.read_text("utf-8"))
    return frozenset(manifest["oauth_config"]["scopes"]["bot"])


def conversation_kind(channel: str) -> str:
    return {"D": "im", "G": "groups"}.get(channel[:1], "channels")


def needed_scopes(method: str, args: dict[str, Any]) -> tuple[str, ...]:
    kind = conversation_kind(str(args.get("channel") or ""))
    return tuple(scope.format(kind=kind) for scope in METHOD_SCOPES.get(method, ()))


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None

    def __getitem__(self, key: str) -> Any:
        return self.args[key]


@dataclass
class FakeSlack:
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    # What the installed tokens were granted; the manifest's scopes unless a test says.
    scopes: frozenset[str] = field(default_factory=manifest_scopes)
    # Seconds each Web API call (and response_url post) takes to be answered.
    delay: float = 0.0
    # Seconds each Web API answer is held after its call was recorded.
    hold: float = 0.0
    # Slack's posting limits, in messages per second (None: no limit).
    per_channel: float | None = None
    per_workspace: float | None = None
    throttled: int = 0
    _recent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _all: deque[float] = field(default_factory=deque)
    _throttle: dict[str, list[int]] = field(default_factory=dict)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    server: TestServer | None = None

    def __post_init__(self) -> None:
        self.users.setdefault(
            USER, {"name": "anna", "real_name": "Anna de Vries", "tz": "Europe/Amsterdam"}
        )
        self.users.setdefault(
            ADMIN,
            {"name": "boss", "real_name": "Bo Baas", "tz": "Europe/Amsterdam", "is_admin": True},
        )

    # --- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def api_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("/api/"))

    def response_url(self, name: str = "1") -> str:
        assert self.server is not None
        return str(self.server.make_url(f"/response/{name}"))

    # --- test controls ----------------------------------------------------------------

    def throttle(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._throttle[method] = [retry_after] * times

    def of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> list[Call]:
        deadline = time.monotonic() + within
        while len(self.of(method)) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [call.method for call in self.calls]
                raise AssertionError(f"expected {count} × {method}; Slack saw {seen}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)
        return self.of(method)

    def posts(self) -> list[Call]:
        return self.of("chat.postMessage")

    def channels(self) -> dict[str, int]:
        """How many messages were posted to each channel."""
        counts: dict[str, int] = defaultdict(int)
        for call in self.posts():
            counts[str(call.args.get("channel"))] += 1
        return dict(counts)

    async def settle(self, quiet: float = 0.3) -> None:
        """Wait until no call has arrived for ``quiet`` seconds (background work done)."""
        while True:
            before = len(self.calls)
            await asyncio.sleep(quiet)
            if len(self.calls) == before:
                return

    # --- the API ----------------------------------------------------------------------

    def _record(self, method: str, args: dict[str, Any], token: str | None) -> None:
        self.calls.append(Call(method, args, token))
        self._changed.set()

    async def _args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                for key, value in (await request.post()).items():
                    args[key] = value
        for key in ("blocks", "view"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        return args

    async def _response_url(self, request: web.Request) -> web.Response:
        args = await request.json()
        if self.delay:
            await asyncio.sleep(self.delay)
        self._record("response_url", args, None)
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._args(request)
        if self.delay:
            await asyncio.sleep(self.delay)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        waits = self._throttle.get(method)
        if waits or self._over_the_limit(method, args):
            retry_after = waits.pop(0) if waits else 1
            self.throttled += 1
            self._record(method + ":429", args, token)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        self._record(method, args, token)
        answer = self._answer(method, args, token)
        if self.hold:
            await asyncio.sleep(self.hold)
        return web.json_response(answer)

    def _over_the_limit(self, method: str, args: dict[str, Any]) -> bool:
        """Counts a post against Slack's limits; True if it goes over one of them."""
        if method != "chat.postMessage":
            return False
        now = time.monotonic()
        channel = self._recent[str(args.get("channel"))]
        if _full(channel, self.per_channel, now) or _full(self._all, self.per_workspace, now):
            return True
        channel.append(now)
        self._all.append(now)
        return False

    def _answer(self, method: str, args: dict[str, Any], token: str | None) -> dict[str, Any]:
        refused = self._refusal(method, args, token)
        if refused is not None:
            return refused
        match method:
            case "auth.test":
                return dict(AUTH_TEST)
            case "oauth.v2.access":
                return {**OAUTH_ACCESS, "scope": ",".join(sorted(self.scopes))}
            case "users.info":
                user = self.users.get(str(args.get("user")))
                if user is None:
                    return {"ok": False, "error": "user_not_found"}
                return {
                    "ok": True,
                    "user": {"id": args.get("user"), "team_id": TEAM, "profile": {}, **user},
                }
            case "conversations.history":
                # Waarom's own posts in the channel, newest first, with their metadata.
                posted = [
                    {"type": "message", "ts": f"1700000000.{n:06d}", **c.args}
                    for n, c in enumerate(self.of("chat.postMessage"), start=1)
                    if c.args.get("channel") == args.get("channel")
                ]
                return {"ok": True, "messages": posted[::-1], "has_more": False}
        return self._message_answer(method, args)

    def _refusal(
        self, method: str, args: dict[str, Any], token: str | None
    ) -> dict[str, Any] | None:
        """Slack's answer to a call without a bot token or without the scope it needs."""
        if method != "oauth.v2.access" and not (token or "").startswith("xoxb-"):
            return {"ok": False, "error": "not_authed"}
        needed = needed_scopes(method, args)
        if set(needed) - self.scopes:
            return {
                "ok": False,
                "error": "missing_scope",
                "needed": ",".join(needed),
                "provided": ",".join(sorted(self.scopes)),
            }
        return None

    def _message_answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        """Answers to posting, updating, opening views and conversations."""
        channel = args.get("channel")
        match method:
            case "chat.postMessage":
                ts = f"1700000000.{next(self._ts):06d}"
                return {"ok": True, "channel": channel, "ts": ts, "message": {}}
            case "chat.update":
                return {"ok": True, "channel": channel, "ts": args.get("ts")}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
            case "views.open" | "views.publish":
                view = {"id": f"V{next(self._ts):08d}", **(args.get("view") or {})}
                return {"ok": True, "view": view}
            case "conversations.info":
                found = {"id": channel, "name": CHANNEL_NAME, "is_channel": True}
                return {"ok": True, "channel": found}
            case "conversations.open":
                return {"ok": True, "channel": {"id": "D" + str(args.get("users", "X"))[1:]}}
        return {"ok": False, "error": "unknown_method"}


def _full(window: deque[float], per_second: float | None, now: float) -> bool:
    """Whether the last second's sends in ``window`` already reach ``per_second``."""
    if per_second is None:
        return False
    while window and now - window[0] >= 1.0:
        window.popleft()
    return len(window) >= per_second
