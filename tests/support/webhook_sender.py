"""A webhook sender as a customer's system would be: it signs the body it posts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot import bootstrap
from bot.intake import webhook
from bot.storage.models import Feedback, Organisation
from bot.web import create_app

SECRET = "whsec-test-3f9a1c"


async def start(services: bootstrap.Services) -> TestServer:
    """``waarom serve``'s app on a real loopback port."""
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    return server


@dataclass
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str]


class Sender:
    def __init__(
        self,
        http: ClientSession,
        url: str,
        services: bootstrap.Services,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.http = http
        self.url = url
        self.services = services
        self.clock = clock

    def signed_headers(
        self, body: bytes, *, secret: str = SECRET, at: dt.datetime | None = None
    ) -> dict[str, str]:
        timestamp = str(int((at or self.clock()).timestamp()))
        return {
            webhook.TIMESTAMP_HEADER: timestamp,
            webhook.SIGNATURE_HEADER: webhook.sign(secret, timestamp, body),
            "Content-Type": "application/json",
        }

    async def post_raw(self, body: bytes, headers: Mapping[str, str]) -> Answer:
        async with self.http.post(self.url, data=body, headers=dict(headers)) as response:
            # Every answer of the webhook is JSON, errors included.
            assert response.content_type == "application/json", await response.text()
            return Answer(response.status, await response.json(), response.headers)

    async def post(self, payload: object, **sign: Any) -> Answer:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return await self.post_raw(body, self.signed_headers(body, **sign))

    async def count(self, org: str | None = None) -> int:
        query = select(func.count()).select_from(Feedback)
        if org is not None:
            query = query.join(Organisation).where(Organisation.slug == org)
        async with self.services.sessions() as session:
            return int(await session.scalar(query) or 0)

    async def rows(self) -> list[tuple[str, Feedback]]:
        """Stored feedback with its organisation's slug, by text (the webhook stores a batch
        in dedupe-key order, so ids say nothing about the order sent)."""
        async with self.services.sessions() as session:
            result = await session.execute(
                select(Organisation.slug, Feedback).join(Organisation).order_by(Feedback.text)
            )
            return [(slug, row) for slug, row in result]

    async def add_org(self, slug: str) -> None:
        async with self.services.sessions() as session, session.begin():
            session.add(Organisation(slug=slug, name=slug))
