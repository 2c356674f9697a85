"""What a request to ``/slack/events`` must show before its body is parsed.

Bolt parses the body (JSON inside a form field, nested as deep as the sender likes) when it
builds its request, before its middleware checks the signature; and the SDK's check fails with
an exception, not a refusal, on a timestamp that is not a number or a signature that is not
ASCII. So the route checks first, in Slack's own way (``v0=`` + HMAC-SHA256 of
``v0:{timestamp}:{body}`` with the signing secret, the timestamp within five minutes): the
headers before a byte of the body is read, the body's size while it is read, and the
signature over the raw bytes before anything parses them. Only then does Bolt see it
(and check again).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Mapping

from aiohttp import web

from adapters.http_body import read_capped

log = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-Slack-Request-Timestamp"
SIGNATURE_HEADER = "X-Slack-Signature"
# Slack's own payloads are a few kilobytes; a modal's state stays far below this.
MAX_BODY_BYTES = 1024 * 1024
MAX_AGE = 5 * 60
# ``v0=`` and 64 hex digits; a unix time of at most 10 digits (until the year 2286).
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"[0-9]{1,10}")
# Refusals are logged as a count at most this often, so a flood cannot fill the log.
LOG_EVERY = 60.0


class Refusals:
    """Counts refused requests and logs them now and then, never one line per request."""

    def __init__(self) -> None:
        self.count = 0
        self._logged_at = float("-inf")
        self._reasons: dict[str, int] = {}

    def add(self, reason: str) -> None:
        self.count += 1
        self._reasons[reason] = self._reasons.get(reason, 0) + 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY:
            summary = ", ".join(f"{n} {why}" for why, n in sorted(self._reasons.items()))
            log.warning("Slack route: refused %s", summary)
            self._reasons.clear()
            self._logged_at = now


def headers_problem(headers: Mapping[str, str], now: float) -> str | None:
    """Why these headers cannot belong to a request Slack signed; None when they may."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signature = headers.get(SIGNATURE_HEADER, "")
    if not timestamp or not signature:
        return "unsigned"
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return "malformed signature"
    if abs(now - int(timestamp)) > MAX_AGE:
        return "stale timestamp"
    return None


def signature_matches(secret: str, headers: Mapping[str, str], body: bytes) -> bool:
    """The body's signature, checked over its raw bytes; the headers passed
    :func:`headers_problem` first."""
    base = b"v0:" + headers[TIMESTAMP_HEADER].encode("ascii") + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), headers[SIGNATURE_HEADER].encode("ascii"))


def too_large(content_length: int | None) -> bool:
    return content_length is not None and content_length > MAX_BODY_BYTES


async def signed_body(
    request: web.Request, secret: str, refusals: Refusals
) -> tuple[bytes | None, web.Response | None]:
    """The body of a request Slack signed, or the refusal to send instead: 401 for a
    missing, malformed, stale or wrong signature, 413 for a body past the limit. Plain
    text, as Bolt answers, and nothing in the log but a count."""
    problem = headers_problem(request.headers, time.time())
    if problem is None and too_large(request.content_length):
        refusals.add("too large")
        return None, web.Response(status=413, text="too large")
    body = None
    if problem is None:
        try:
            body = await read_capped(request, MAX_BODY_BYTES)
        except TimeoutError:
            refusals.add("body too slow")
            return None, web.Response(status=408, text="the body did not arrive in time")
        if body is None:
            refusals.add("too large")
            return None, web.Response(status=413, text="too large")
        if not signature_matches(secret, request.headers, body):
            problem = "wrong signature"
    if problem is not None:
        refusals.add(problem)
        return None, web.Response(status=401, text="invalid request")
    return body, None
