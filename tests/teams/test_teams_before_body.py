"""What an unauthenticated request costs: the token is checked before the body is read.

Requests are written by hand on a socket where the body matters: a client that declares a
1.5 MB body and sends only its first bytes gets its answer without sending the rest, which
shows the server never waited for (let alone parsed) it. Timeouts here only stop a hanging
run; nothing asserts on how long anything took.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from adapters.teams.endpoint import MAX_BODY
from tests.support.teams_connector import FakeConnector
from tests.support.teams_keys import STRANGER, TRUSTED, token
from tests.support.teams_support import Secure

DECLARED = 1_500_000
GUARD = 30  # seconds before a hanging request fails the test


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _open(server: TestServer, headers: dict[str, str], declared: int, sent: bytes) -> Any:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    lines = [
        "POST /api/messages HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {declared}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + sent)
    await writer.drain()
    return reader, writer


async def _status(connection: Any) -> int:
    reader, writer = connection
    try:
        line = await asyncio.wait_for(reader.readline(), GUARD)
    finally:
        writer.close()
    return int(line.split()[1])


def _bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.mark.finding(5)
async def test_requests_without_a_good_token_are_refused_before_their_body_is_read(
    secure: Secure, connector: FakeConnector
) -> None:
    """Ten large uploads in flight, none sent in full: each is refused, /healthz answers
    meanwhile, and no key is fetched for any of them. Without a token of the right form a
    1.5 MB upload is a 401; a forged one is a 401 up to the size limit, a 413 beyond it."""
    secured = await secure()
    server = secured.client.server
    forged = _bearer(token(STRANGER, serviceurl=connector.url))
    kinds = [
        ({}, DECLARED, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, DECLARED, 401),
        (_bearer("not-a-jwt"), DECLARED, 401),
        (forged, MAX_BODY, 401),
        (forged, DECLARED, 413),
    ]
    start = b"{" + b" " * 65_535
    connections = [
        await _open(server, headers, declared, start) for headers, declared, _ in kinds + kinds
    ]
    async with secured.client.http.get(server.make_url("/healthz")) as response:
        assert response.status == 200
    # The server's own start-up fetch (metadata, then the key set) may still be under way on
    # a busy machine: let it finish, then no refused request may cause another.
    assert await asyncio.to_thread(secured.wait_for_hits, 2, GUARD)
    hits = secured.key_hits()
    statuses = await asyncio.gather(*(_status(c) for c in connections))
    assert statuses == [status for _, _, status in kinds + kinds]
    assert secured.key_hits() == hits
    assert connector.calls == []


@pytest.mark.finding(5)
async def test_a_body_over_the_limit_gets_413_before_it_is_sent(
    secure: Secure, connector: FakeConnector
) -> None:
    secured = await secure()
    good = token(TRUSTED, serviceurl=connector.url)
    connection = await _open(secured.client.server, _bearer(good), DECLARED, b"{")
    assert await _status(connection) == 413


@pytest.mark.finding(5)
async def test_a_chunked_body_is_counted_as_it_arrives(
    secure: Secure, connector: FakeConnector
) -> None:
    secured = await secure()
    good = token(TRUSTED, serviceurl=connector.url)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(MAX_BODY // 16_384 + 2):
            yield b" " * 16_384

    async with secured.client.http.post(
        secured.client.server.make_url("/api/messages"),
        data=chunks(),
        headers={**_bearer(good), "Content-Type": "application/json"},
    ) as response:
        assert response.status == 413
    assert connector.calls == []


@pytest.mark.finding(5)
async def test_a_forged_token_is_refused_before_the_body_is_parsed(
    secure: Secure, connector: FakeConnector
) -> None:
    """Garbage with a forged token is a 401 (the body was never looked at); the same garbage
    with a good token is a 400."""
    secured = await secure()
    url = secured.client.server.make_url("/api/messages")
    for key, status in ((STRANGER, 401), (TRUSTED, 400)):
        headers = {
            **_bearer(token(key, serviceurl=connector.url)),
            "Content-Type": "application/json",
        }
        async with secured.client.http.post(url, data=b"[[[[not json", headers=headers) as response:
            assert response.status == status


@pytest.mark.finding(5)
async def test_expect_continue_is_answered_only_for_a_good_token(
    secure: Secure, connector: FakeConnector
) -> None:
    secured = await secure()
    server = secured.client.server
    refused = await _open(server, {"Expect": "100-continue"}, DECLARED, b"")
    assert await _status(refused) == 401
    good = {**_bearer(token(TRUSTED, serviceurl=connector.url)), "Expect": "100-continue"}
    reader, writer = await _open(server, good, 200, b"")
    try:
        line = await asyncio.wait_for(reader.readline(), GUARD)
    finally:
        writer.close()
    assert line.startswith(b"HTTP/1.1 100")


@pytest.mark.finding(5)
async def test_healthz_answers_while_the_key_endpoint_stalls(
    secure: Secure, connector: FakeConnector
) -> None:
    """Keys are fetched without blocking the event loop: /healthz answers while the key
    endpoint is still holding on to a request, and the Teams request goes on once it lets go."""
    secured = await secure()
    endpoint = secured.keys
    endpoint.mode = "stall"
    good = _bearer(token(TRUSTED, serviceurl=connector.url))
    activity = secured.client.activity(type="typing")
    pending = asyncio.ensure_future(secured.client.post(activity, headers=good))
    assert await asyncio.to_thread(endpoint.stalled.wait, GUARD)
    async with secured.client.http.get(secured.client.server.make_url("/healthz")) as response:
        assert response.status == 200
    assert not endpoint.stall_over.is_set(), "/healthz waited for the key endpoint"
    endpoint.mode = "ok"
    endpoint.release.set()
    assert await asyncio.wait_for(pending, GUARD) == 201


@pytest.mark.finding(5)
async def test_a_failing_key_endpoint_is_asked_once_a_minute_not_per_request(
    secure: Secure, connector: FakeConnector
) -> None:
    clock = Clock()
    secured = await secure(clock=clock)
    secured.keys.mode = "fail"
    client = secured.client
    headers = _bearer(token(TRUSTED, serviceurl=connector.url))
    statuses = [
        await client.post(client.activity(type="typing"), headers=headers) for _ in range(6)
    ]
    assert secured.key_hits() == 1
    assert statuses == [503] * 6
    clock.now += 61
    assert await client.post(client.activity(type="typing"), headers=headers) == 503
    assert secured.key_hits() == 2
    secured.keys.mode = "ok"
    clock.now += 61
    assert await client.post(client.activity(type="typing"), headers=headers) == 201
    assert secured.key_hits() == 4  # metadata and key set


@pytest.mark.finding(5)
async def test_forged_key_ids_look_the_keys_up_again_at_most_every_five_minutes(
    secure: Secure, connector: FakeConnector
) -> None:
    clock = Clock()
    secured = await secure(clock=clock)
    client = secured.client
    good = _bearer(token(TRUSTED, serviceurl=connector.url))
    assert await client.post(client.activity(type="typing"), headers=good) == 201
    assert secured.key_hits() == 2
    for round_ in range(2):
        for n in range(5):
            forged = _bearer(token(STRANGER, kid=f"k-{round_}-{n}", serviceurl=connector.url))
            assert await client.post(client.activity(type="typing"), headers=forged) == 401
        assert secured.key_hits() == 2 + 2 * round_
        clock.now += 301


@pytest.mark.finding(5)
async def test_day_old_keys_serve_while_new_ones_are_fetched(
    secure: Secure, connector: FakeConnector
) -> None:
    """After a day the keys are fetched again in the background; a failing key endpoint
    then costs Teams nothing, as the keys already had keep serving."""
    clock = Clock()
    secured = await secure(clock=clock)
    client = secured.client
    headers = _bearer(token(TRUSTED, serviceurl=connector.url))
    assert await client.post(client.activity(type="typing"), headers=headers) == 201
    secured.keys.mode = "fail"
    clock.now += 24 * 3600
    for _ in range(3):
        assert await client.post(client.activity(type="typing"), headers=headers) == 201
    # The background fetch reaches the key endpoint in its own time; once, whatever comes.
    assert await asyncio.to_thread(secured.wait_for_hits, 3, GUARD)
    assert await client.post(client.activity(type="typing"), headers=headers) == 201
    assert secured.key_hits() == 3
