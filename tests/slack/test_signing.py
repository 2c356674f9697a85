"""``/slack/events`` refuses what Slack did not sign, before reading or parsing it.

Each request goes over a raw socket, so headers can hold what an attacker would put there
(bytes that are not ASCII, numbers of any length) and a body can be announced and never sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from adapters.slack import signing
from bot.storage.models import Feedback, Member, ProcessedEvent, Team
from tests.support.slack_fake import SIGNING_SECRET, FakeSlack
from tests.support.slack_support import Running

FORM = "application/x-www-form-urlencoded"


def sign(timestamp: str, body: bytes, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def command_body() -> bytes:
    return urllib.parse.urlencode(
        {
            "team_id": "T0WAAROM",
            "channel_id": "C0PRODUCT",
            "user_id": "U0ANNA",
            "command": "/waarom",
            "text": "feedback This must never be stored",
            "trigger_id": "1.1.never",
        }
    ).encode()


def nested_body(depth: int = 50_000) -> bytes:
    return urllib.parse.urlencode({"payload": "[" * depth + "]" * depth}).encode()


async def raw_post(
    serve: Running,
    headers: Headers,
    body: bytes,
    *,
    content_length: int | None = None,
    send_body: bool = True,
) -> int:
    """POST over a plain socket; the status line's code."""
    url = serve.server.make_url("/slack/events")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        lines = [b"POST /slack/events HTTP/1.1", f"Host: {url.host}".encode()]
        length = len(body) if content_length is None else content_length
        sent = {"Content-Type": FORM, "Content-Length": str(length), **headers}
        for name, value in sent.items():
            raw = value if isinstance(value, bytes) else value.encode("latin-1")
            lines.append(name.encode() + b": " + raw)
        writer.write(b"\r\n".join(lines) + b"\r\n\r\n" + (body if send_body else b""))
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 10)
        return int(status_line.split()[1])
    finally:
        writer.close()


def now() -> str:
    return str(int(time.time()))


BODY = command_body()
Headers = dict[str, bytes | str]


def stamped(signature: str | bytes, timestamp: str | None = None) -> Headers:
    return {signing.TIMESTAMP_HEADER: timestamp or now(), signing.SIGNATURE_HEADER: signature}


def good() -> str:
    return sign(now(), BODY)


# Each case made when it runs (a timestamp made at collection could be stale by then).
REFUSED: dict[str, Callable[[], tuple[Headers, bytes]]] = {
    "no signature": lambda: ({}, BODY),
    "timestamp only": lambda: ({signing.TIMESTAMP_HEADER: now()}, BODY),
    "signature only": lambda: ({signing.SIGNATURE_HEADER: good()}, BODY),
    "timestamp not a number": lambda: (stamped(good(), "soon"), BODY),
    "huge timestamp": lambda: (stamped(good(), "9" * 5000), BODY),
    "negative timestamp": lambda: (stamped(good(), "-1"), BODY),
    "fractional timestamp": lambda: (stamped(good(), "1.7e9"), BODY),
    "stale timestamp": lambda: (stamped(good(), str(int(time.time()) - 600)), BODY),
    "signature not ASCII": lambda: (stamped("v0=" + "é" * 64), BODY),
    "signature of raw bytes": lambda: (stamped(b"v0=\xff\xfe" + b"0" * 62), BODY),
    "signature too short": lambda: (stamped(good()[:-1]), BODY),
    "signature in capitals": lambda: (stamped(good().upper()), BODY),
    "another secret": lambda: (stamped(sign(now(), BODY, "another")), BODY),
    "signed another body": lambda: (stamped(good()), BODY + b"&x=1"),
    "deeply nested, unsigned": lambda: (stamped(good()), nested_body()),
}


async def nothing_happened(
    serve: Running, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.settle(0.1)
    assert [c.method for c in fake.calls if c.method != "auth.test"] == []
    async with serve.services.sessions() as session:
        for model in (Feedback, ProcessedEvent, Member, Team):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
    # No traceback, from any logger: a refusal is counted, not explained at length.
    assert not [r for r in caplog.records if r.exc_info or r.levelname in ("ERROR", "CRITICAL")]
    assert "Traceback" not in caplog.text


@pytest.mark.parametrize("case", REFUSED)
@pytest.mark.finding(10)
async def test_what_slack_did_not_sign_gets_401(
    serve: Running, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture, case: str
) -> None:
    headers, body = REFUSED[case]()
    assert await raw_post(serve, headers, body) == 401, case
    await nothing_happened(serve, fake_slack, caplog)


@pytest.mark.finding(10)
async def test_an_unsigned_body_is_refused_without_being_read(
    serve: Running, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    # Five megabytes announced, none sent: the answer comes from the headers alone.
    headers: Headers = {signing.TIMESTAMP_HEADER: "soon"}
    assert await raw_post(serve, headers, b"", content_length=5_000_000, send_body=False) == 401
    await nothing_happened(serve, fake_slack, caplog)


@pytest.mark.finding(10)
async def test_a_body_past_the_limit_gets_413_before_it_is_read(
    serve: Running, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    stamp = now()
    headers: Headers = {
        signing.TIMESTAMP_HEADER: stamp,
        signing.SIGNATURE_HEADER: sign(stamp, b"x"),
    }
    length = signing.MAX_BODY_BYTES + 1
    assert await raw_post(serve, headers, b"", content_length=length, send_body=False) == 413
    await nothing_happened(serve, fake_slack, caplog)


@pytest.mark.finding(10)
async def test_a_chunked_body_past_the_limit_gets_413(
    serve: Running, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"payload=" + b"x" * (signing.MAX_BODY_BYTES + 10)
    stamp = now()
    headers = {
        "Content-Type": FORM,
        signing.TIMESTAMP_HEADER: stamp,
        signing.SIGNATURE_HEADER: sign(stamp, body),
    }

    async def chunks():  # type: ignore[no-untyped-def]
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    url = str(serve.server.make_url("/slack/events"))
    async with serve.slack.http.post(url, data=chunks(), headers=headers) as response:
        assert response.status == 413
    await nothing_happened(serve, fake_slack, caplog)


@pytest.mark.finding(10)
async def test_a_signed_body_that_cannot_be_parsed_gets_400_not_500(
    serve: Running, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    for body in (nested_body(), b"payload=\xff\xfe"):
        stamp = now()
        headers: Headers = {
            signing.TIMESTAMP_HEADER: stamp,
            signing.SIGNATURE_HEADER: sign(stamp, body),
        }
        assert await raw_post(serve, headers, body) == 400
    await nothing_happened(serve, fake_slack, caplog)


@pytest.mark.finding(10)
async def test_a_signed_request_still_works(serve: Running, fake_slack: FakeSlack) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123"}).encode()
    stamp = now()
    headers: Headers = {
        "Content-Type": "application/json",
        signing.TIMESTAMP_HEADER: stamp,
        signing.SIGNATURE_HEADER: sign(stamp, body),
    }
    assert await raw_post(serve, headers, body) == 200


@given(timestamp=st.text(), signature=st.text(), body=st.binary(max_size=64))
@pytest.mark.finding(10)
def test_any_headers_are_judged_without_an_exception(
    timestamp: str, signature: str, body: bytes
) -> None:
    headers = {signing.TIMESTAMP_HEADER: timestamp, signing.SIGNATURE_HEADER: signature}
    problem = signing.headers_problem(headers, time.time())
    if problem is None:
        assert not signing.signature_matches(SIGNING_SECRET, headers, body) or (
            signature == sign(timestamp, body)
        )


@given(body=st.binary(max_size=256))
@pytest.mark.finding(10)
def test_slacks_own_signature_is_accepted(body: bytes) -> None:
    stamp = now()
    headers = {signing.TIMESTAMP_HEADER: stamp, signing.SIGNATURE_HEADER: sign(stamp, body)}
    assert signing.headers_problem(headers, time.time()) is None
    assert signing.signature_matches(SIGNING_SECRET, headers, body)
