"""The HTTP server as ``waarom serve`` runs it: stalled connections do not stay open."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot import bootstrap
from bot import web as web_module
from bot.config import Settings


@pytest.mark.finding(6)
async def test_half_sent_headers_are_closed_and_health_still_answers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_module, "HEADER_SECONDS", 0.5)
    services = bootstrap.build(settings)
    runner = web.AppRunner(web_module.create_app(services), **web_module.server_options())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        stalled = []
        for _ in range(50):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"POST /feedback HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            stalled.append((reader, writer))
        # Each is closed by the server: the read ends (EOF) instead of waiting for ever.
        ends = await asyncio.wait_for(
            asyncio.gather(*(reader.read() for reader, _ in stalled)), timeout=20
        )
        assert all(end == b"" for end in ends)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = await asyncio.wait_for(reader.read(), timeout=20)
        assert answer.startswith(b"HTTP/1.1 200")
        for _, w in stalled:
            w.close()
        writer.close()
    finally:
        await runner.cleanup()
