"""The loopback Slack Web API as a process of its own, for benchmarks (Slack is not in the
process it serves): prints the API's base URL and a stats URL, then serves until killed.
``GET`` on the stats URL answers the posts per channel and the number of 429s.

    python -m tests.support.slack_process [PER_CHANNEL [PER_WORKSPACE]]
"""

from __future__ import annotations

import asyncio
import sys

from aiohttp import web
from aiohttp.test_utils import TestServer

from tests.support.slack_fake import FakeSlack


async def serve(per_channel: float | None, per_workspace: float | None) -> None:
    fake = FakeSlack(per_channel=per_channel, per_workspace=per_workspace)
    await fake.start()

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({"channels": fake.channels(), "throttled": fake.throttled})

    app = web.Application()
    app.router.add_get("/stats", stats)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    print(fake.api_url, server.make_url("/stats"), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    limits = [float(arg) for arg in sys.argv[1:3]]
    asyncio.run(serve(*limits, *[None] * (2 - len(limits))))
