"""PostgreSQL is restarted while Slack commands, Slack form submissions and signed webhook
batches flow into a real ``waarom serve`` process.

The server must come back by itself (its pool pings connections before use), every request
must either succeed or get an answer the sender can act on (webhook: 503 with Retry-After;
Slack: the person is told, or the form stays open), and nothing acknowledged may be lost:
every batch answered 2xx and every form answered with a plain acknowledgement is in the
database afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import ClientError, ClientSession, web
from sqlalchemy import select, text

from adapters.slack import inbound, render
from bot import bootstrap
from bot.chat import views
from bot.config import load_settings
from bot.engine.nudges import new_nudge
from bot.intake import webhook
from bot.storage.models import Feedback, Idea, Installation, Member, Team
from tests.support.rel_serve import Server, clean_env, restart_postgres, wait_for_postgres
from tests.support.rel_tally import TALLY
from tests.support.slack_client import SlackClient
from tests.support.slack_fake import BOT_TOKEN, CHANNEL, SIGNING_SECRET, TEAM, USER, FakeSlack

pytestmark = pytest.mark.postgres

SECRET = "whsec-reliability-7d1e"
BEFORE = 1.5  # seconds of traffic before the restart
AFTER = 2.5  # and after PostgreSQL accepts connections again
PAUSE = 0.03  # between one sender's requests: a steady stream, not a flood


class TracingSlack(FakeSlack):
    """The loopback Slack, also noting which ``response_url`` each reply went to."""

    async def _response_url(self, request: web.Request) -> web.Response:
        self._record(
            "response_url", {**await request.json(), "_to": request.match_info["id"]}, None
        )
        return web.Response(text="ok")

    def replies_to(self, name: str) -> list[str]:
        return [
            json.dumps(call.args, ensure_ascii=False)
            for call in self.of("response_url")
            if call.args.get("_to") == name
        ]


@dataclass
class Sent:
    kind: str
    key: str
    status: int
    body: str = ""
    payload: bytes = b""


@dataclass
class Traffic:
    slack: SlackClient
    http: ClientSession
    base: str
    nudges: list[int]
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    sent: list[Sent] = field(default_factory=list)
    numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def webhook_batch(self, payload: bytes | None = None, key: str = "") -> Sent:
        if payload is None:
            n = next(self.numbers)
            key = f"rel-wh-{n}"
            items = [
                {"text": f"Levering {n}.{k} was te laat", "external_id": f"{key}-{k}", "score": 4}
                for k in range(4)
            ]
            payload = json.dumps(items).encode()
        stamp = str(int(time.time()))
        headers = {
            webhook.TIMESTAMP_HEADER: stamp,
            webhook.SIGNATURE_HEADER: webhook.sign(SECRET, stamp, payload),
            "Content-Type": "application/json",
        }
        try:
            async with self.http.post(self.base + "/feedback", data=payload, headers=headers) as r:
                return Sent("webhook", key, r.status, await r.text(), payload)
        except (ClientError, OSError) as exc:
            return Sent("webhook", key, -1, repr(exc), payload)

    async def command(self, words: str) -> Sent:
        body = self.slack.command_body(words)
        reply_to = urllib.parse.parse_qs(body)["response_url"][0].rsplit("/", 1)[-1]
        try:
            status, answer = await self.slack.send(body, "application/x-www-form-urlencoded")
        except (ClientError, OSError) as exc:
            status, answer = -1, repr(exc)
        return Sent("command", reply_to, status, answer)

    async def submission(self, view: dict[str, Any], key: str, why: str) -> Sent:
        try:
            status, answer = await self.slack.submit(view, {"why": why, "how": "Bel ze terug."})
        except (ClientError, OSError) as exc:
            status, answer = -1, repr(exc)
        return Sent("submission", key, status, answer)

    async def _loop(self, make: Any) -> None:
        while not self.stop.is_set():
            self.sent.append(await make())
            await asyncio.sleep(PAUSE)

    async def webhooks(self) -> None:
        await self._loop(self.webhook_batch)

    async def commands(self) -> None:
        async def one() -> Sent:
            n = next(self.numbers)
            return await self.command(f"feedback Rel-cmd-{n} the invoice was wrong")

        await self._loop(one)

    async def submissions(self, translator: Any, fake: FakeSlack) -> None:
        for n, nudge_id in enumerate(self.nudges):
            if self.stop.is_set():
                return
            name = f"sub-{n}"
            state = render.FormState(
                form_id="answer",
                context=str(nudge_id),
                channel=CHANNEL,
                response_url=fake.response_url(name),
                language="en",
            )
            form = views.answer_form(translator, SimpleNamespace(id=nudge_id), None)  # type: ignore[arg-type]
            view = render.modal_view(form, state)
            self.sent.append(await self.submission(view, name, f"Rel-{name} customers wait"))
            await asyncio.sleep(PAUSE)
        raise AssertionError("ran out of prompts to answer; make more")


@pytest.fixture
async def fake() -> AsyncIterator[TracingSlack]:
    slack = TracingSlack()
    await slack.start()
    yield slack
    await slack.close()


async def _postmaster_started(services: bootstrap.Services) -> str:
    async with services.engine.connect() as connection:
        return str(await connection.scalar(text("SELECT pg_postmaster_start_time()")))


async def _prompts_for_anna(services: bootstrap.Services, count: int) -> list[int]:
    async with services.sessions() as session, session.begin():
        team = (
            await session.scalars(
                select(Team)
                .join(Installation, Team.installation_id == Installation.id)
                .where(Installation.external_id == TEAM, Team.external_id == CHANNEL)
            )
        ).one()
        member = (await session.scalars(select(Member).where(Member.external_id == USER))).one()
        return [
            (await new_nudge(session, services.library, team, member, now=services.now())).id
            for _ in range(count)
        ]


async def _traffic_through_a_restart(
    traffic: Traffic, services: bootstrap.Services, fake: TracingSlack, server: Server
) -> None:
    """Five senders run before, during and after a restart of PostgreSQL."""
    # Anna's team exists once she has used the bot; then she gets many prompts.
    first = await traffic.command("ask")
    assert first.status == 200
    await fake.wait_for("response_url")
    traffic.nudges = await _prompts_for_anna(services, 400)
    started = await _postmaster_started(services)

    translator = services.catalog.translator("en")
    senders = [
        asyncio.create_task(traffic.webhooks()),
        asyncio.create_task(traffic.webhooks()),
        asyncio.create_task(traffic.commands()),
        asyncio.create_task(traffic.commands()),
        asyncio.create_task(traffic.submissions(translator, fake)),
    ]
    await asyncio.sleep(BEFORE)
    await asyncio.to_thread(restart_postgres)
    TALLY.faults += 1
    await asyncio.to_thread(wait_for_postgres)
    await asyncio.sleep(AFTER)
    traffic.stop.set()
    await asyncio.gather(*senders)
    assert server.alive(), server.log()[-3000:]
    assert await _postmaster_started(services) != started  # it really restarted


async def _after_the_restart(
    traffic: Traffic, fake: TracingSlack, http: ClientSession, server: Server
) -> tuple[list[Sent], Sent]:
    """The webhook retries and a last command; returns what they were answered."""
    # A webhook sender retries what got 503, as the Retry-After asks.
    retried = [
        await traffic.webhook_batch(s.payload, s.key)
        for s in traffic.sent
        if s.kind == "webhook" and s.status == 503
    ]
    # Recovered by itself: a fresh command is served normally.
    last = await traffic.command("feedback Rel-final after the restart")
    await fake.settle(0.5)
    async with http.get(server.url + "/healthz") as health:
        assert health.status == 200
    return retried, last


@dataclass
class Stored:
    external_ids: set[str | None]
    feedback_texts: set[str]
    whys: set[str]


async def _stored(services: bootstrap.Services) -> Stored:
    async with services.sessions() as session:
        external_ids = set(
            (
                await session.scalars(
                    select(Feedback.external_id).where(Feedback.external_id.is_not(None))
                )
            ).all()
        )
        feedback_texts = set((await session.scalars(select(Feedback.text))).all())
        whys = set((await session.scalars(select(Idea.why))).all())
    return Stored(external_ids, feedback_texts, whys)


@dataclass
class Verdict:
    lost: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)


def _check_webhooks(sent: list[Sent], retried: list[Sent], stored: Stored, v: Verdict) -> None:
    """Webhook: 200 or 503 only; every 200 batch is stored in full; retries then succeed."""
    for one in sent + retried:
        if one.status not in (200, 503):
            v.unclear.append(f"webhook {one.key}: {one.status} {one.body[:200]}")
        if one.status == 200 and {f"{one.key}-{k}" for k in range(4)} - stored.external_ids:
            v.lost.append(f"webhook {one.key}")
    assert all(s.status == 200 for s in retried), [(s.status, s.body) for s in retried]


def _check_commands(sent: list[Sent], fake: TracingSlack, stored: Stored, v: Verdict) -> int:
    """Commands: acknowledged, then answered: with the result (stored) or with the apology.
    Returns how many were told to retry."""
    told_sorry = 0
    for one in sent:
        if one.status != 200:
            v.unclear.append(f"command {one.key}: {one.status} {one.body[:200]}")
            continue
        replies = fake.replies_to(one.key)
        if not replies:
            v.lost.append(f"command {one.key}: acknowledged, never answered")
        elif any(inbound.SORRY in reply for reply in replies):
            told_sorry += 1
        elif not any(t.startswith("Rel-cmd-") and t in replies[0] for t in stored.feedback_texts):
            v.lost.append(f"command {one.key}: answered as stored, not in the database")
    return told_sorry


def _check_submissions(sent: list[Sent], stored: Stored, v: Verdict) -> int:
    """Submissions: the idea is stored before the modal closes, or the form stays open and
    says so (errors). Returns how many forms were refused."""
    refused = 0
    for one in sent:
        why = f"Rel-{one.key} customers wait"
        if one.status != 200:
            v.unclear.append(f"submission {one.key}: {one.status} {one.body[:200]}")
        elif one.body:
            assert json.loads(one.body)["response_action"] == "errors"
            assert why not in stored.whys  # a refused form stores nothing
            refused += 1
        elif why not in stored.whys:
            v.lost.append(f"submission {one.key}: acknowledged, not stored")
    return refused


def _check_the_log(log: str) -> None:
    """The errors the restart caused are logged without the customer's or employee's words
    (a driver's message can quote a statement's parameters)."""
    quoted = [w for w in ("Levering ", "Rel-cmd-", "Rel-sub-", "Bel ze terug") if w in log]
    TALLY.leaked += len(quoted)
    assert not quoted, log[-5000:]


async def test_postgres_restart_under_traffic_loses_nothing(
    postgres_url: str, fake: TracingSlack
) -> None:
    env = clean_env(
        postgres_url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        WAAROM_WEBHOOK_SECRET=SECRET,
    )
    services = bootstrap.build(load_settings(database_url=postgres_url, _env_file=None))
    server = Server(env)
    async with ClientSession() as http:
        try:
            await server.start(http)
            traffic = Traffic(SlackClient(http, server.url, fake), http, server.url, [])
            await _traffic_through_a_restart(traffic, services, fake, server)
            retried, last = await _after_the_restart(traffic, fake, http, server)
        finally:
            code = await server.stop()
        log = server.log()
    TALLY.requests += len(traffic.sent) + len(retried) + 2
    stored = await _stored(services)
    await services.close()

    by_kind: dict[str, list[Sent]] = {}
    for sent in traffic.sent:
        by_kind.setdefault(sent.kind, []).append(sent)
    verdict = Verdict()
    _check_webhooks(by_kind["webhook"], retried, stored, verdict)
    told_sorry = _check_commands(by_kind["command"], fake, stored, verdict)
    refused = _check_submissions(by_kind["submission"], stored, verdict)

    TALLY.lost += len(verdict.lost)
    statuses = {kind: sorted({s.status for s in items}) for kind, items in by_kind.items()}
    print(
        f"\nrestart under traffic: {len(traffic.sent)} requests {statuses}; "
        f"{len(retried)} webhook retries, {told_sorry} commands told to retry, "
        f"{refused} forms refused"
    )
    assert not verdict.lost, verdict.lost
    assert not verdict.unclear, verdict.unclear
    assert last.status == 200
    assert not any(inbound.SORRY in r for r in fake.replies_to(last.key))
    assert "Rel-final after the restart" in stored.feedback_texts
    assert code == 0, log[-3000:]
    _check_the_log(log)
