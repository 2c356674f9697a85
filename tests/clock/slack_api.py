"""A loopback Slack Web API for the clock: records posts, enforces Slack's rate limits.

``chat.postMessage`` is limited to ``per_channel`` messages per second per channel and
``per_workspace`` per second in all (Slack answers 429 with ``Retry-After`` beyond that, and so
does this). ``hold`` delays each answer, so a test can stop a client while requests are under
way; ``gone`` channels answer ``channel_not_found``.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Post:
    channel: str
    text: str
    at: float
    ts: str = ""
    metadata: dict[str, Any] | None = None


@dataclass
class SlackAPI:
    per_channel: float | None = None
    per_workspace: float | None = None
    hold: float = 0.0
    gone: set[str] = field(default_factory=set)
    posts: list[Post] = field(default_factory=list)
    throttled: int = 0
    _recent: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _all: deque[float] = field(default_factory=deque)
    _posted: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None
    port: int = 0

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # the SDK reads history with GET
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{self.port}/api/"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_posts(self, count: int) -> None:
        while len(self.posts) < count:
            self._posted.clear()
            await self._posted.wait()

    def channels(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for post in self.posts:
            counts[post.channel] += 1
        return dict(counts)

    def _limited(self, window: deque[float], per_second: float | None, now: float) -> bool:
        if per_second is None:
            return False
        while window and now - window[0] >= 1.0:
            window.popleft()
        return len(window) >= per_second

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        args: dict[str, Any] = dict(request.query)  # the SDK reads history with GET
        args.update(
            json.loads(raw)
            if request.content_type == "application/json" and raw
            else dict(urllib.parse.parse_qsl(raw))
        )
        if method == "auth.test":
            return web.json_response(
                {"ok": True, "team_id": "T1", "user_id": "UBOT", "bot_id": "B1"}
            )
        if method == "conversations.history":
            channel = str(args.get("channel"))
            oldest = float(args.get("oldest", 0) or 0)
            found = [
                {
                    "ts": post.ts,
                    "text": post.text,
                    **({"metadata": post.metadata} if post.metadata else {}),
                }
                for post in self.posts
                if post.channel == channel and float(post.ts) >= oldest
            ]
            return web.json_response({"ok": True, "messages": found[::-1]})
        if method == "conversations.open":
            return web.json_response(
                {"ok": True, "channel": {"id": "D" + str(args.get("users", "?"))}}
            )
        if method != "chat.postMessage":
            return web.json_response({"ok": True})
        channel = str(args.get("channel"))
        if channel in self.gone:
            return web.json_response({"ok": False, "error": "channel_not_found"})
        now = time.monotonic()
        if self._limited(self._recent[channel], self.per_channel, now) or self._limited(
            self._all, self.per_workspace, now
        ):
            self.throttled += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self._recent[channel].append(now)
        self._all.append(now)
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        ts = f"{time.time():.6f}"
        self.posts.append(Post(channel, str(args.get("text", "")), now, ts, metadata))
        self._posted.set()
        if self.hold:
            await asyncio.sleep(self.hold)
        return web.json_response({"ok": True, "channel": channel, "ts": ts})


def serve(per_channel: float | None, per_workspace: float | None) -> None:
    """Run as its own process (for benchmarks): prints the base URL, then serves until killed.
    ``GET /stats`` answers the posts per channel and the number of 429s."""

    async def main() -> None:
        api = SlackAPI(per_channel=per_channel, per_workspace=per_workspace)
        url = await api.start()
        assert api._runner is not None

        async def stats(_request: web.Request) -> web.Response:
            return web.json_response({"channels": api.channels(), "throttled": api.throttled})

        stats_app = web.Application()
        stats_app.router.add_get("/stats", stats)
        runner = web.AppRunner(stats_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        stats_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(url, f"http://127.0.0.1:{stats_port}/stats", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


if __name__ == "__main__":
    import sys

    serve(
        float(sys.argv[1]) if len(sys.argv) > 1 else None,
        float(sys.argv[2]) if len(sys.argv) > 2 else None,
    )
