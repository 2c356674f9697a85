"""Reading a request's body on ``waarom serve``: capped in size and in time, the same way on
every route that takes one (Slack, Teams, the feedback webhook).

A chunked or compressed body has no length to trust, so what is read is counted. A sender
that cannot deliver its body within :data:`BODY_SECONDS` is stalling on purpose: each stalled
upload holds a connection and the bytes it sent so far.
"""

from __future__ import annotations

import asyncio

from aiohttp import web

BODY_SECONDS = 10.0
READ_CHUNK = 64 * 1024


async def read_capped(request: web.Request, limit: int) -> bytes | None:
    """The body, or ``None`` once it is past ``limit`` bytes (by its declared length or by
    what arrived); :class:`TimeoutError` when it has not arrived within :data:`BODY_SECONDS`."""
    if request.content_length is not None and request.content_length > limit:
        return None
    body = bytearray()
    async with asyncio.timeout(BODY_SECONDS):
        async for chunk in request.content.iter_chunked(READ_CHUNK):
            body += chunk
            if len(body) > limit:
                return None
    return bytes(body)
