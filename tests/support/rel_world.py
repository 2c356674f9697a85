"""Two organisations on one ``waarom serve`` app: what isolation tests attack and inspect.

Organisation A (``slack-T0WAAROM``) has the Slack workspace the signed test client speaks
as and the Teams tenant ``tenant-acme``; organisation B (``slack-T0OTHERCO``) has another
Slack workspace and the tenant ``tenant-globex``. B's data is made through the core, as its
adapters would; attacks come in over HTTP as A, the way a user of A could send them.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from sqlalchemy import select

from bot import bootstrap, chat
from bot.chat.origin import Origin
from bot.config import Settings
from bot.messages import OpenForm, Say, plain_text
from bot.storage import directory
from bot.storage.models import Feedback, Idea, Nudge, Team, TeamLead
from bot.web import create_app
from tests.support.slack_client import SlackClient
from tests.support.slack_fake import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack
from tests.support.teams_connector import FakeConnector
from tests.support.teams_support import Client

WEBHOOK_SECRET = "whsec-isolation-51c0"
B_TEAM = "T0OTHERCO"
ORG_A, ORG_B = f"slack-{TEAM}", f"slack-{B_TEAM}"
TENANT_A, TENANT_B = "tenant-acme", "tenant-globex"
SECRET = "Globex"  # every text of B carries it; nothing A is shown may


def settings_for(database_url: str, fake: FakeSlack) -> Settings:
    return Settings(
        database_url=database_url,
        waarom_language="en",
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=fake.api_url,
        microsoft_app_id="",
        waarom_teams_emulator=True,  # Teams activities come without tokens, on loopback
        waarom_host="127.0.0.1",
        waarom_webhook_secret=SecretStr(WEBHOOK_SECRET),
        _env_file=None,  # type: ignore[call-arg]
    )


def slack_b(user: str = "U0GLOBEX", channel: str = "C0GLOBEX") -> Origin:
    return Origin(
        "slack",
        B_TEAM,
        channel,
        user,
        conversation_name="globex-product",
        user_is_admin=True,
        conversation_address={"channel": channel},
    )


def teams_b() -> Origin:
    return Origin("teams", TENANT_B, "19:globex-channel", "29:globex-lead", user_name="Gus")


@dataclass
class B:
    """What organisation B has, by id, and how it stood before the attacks."""

    team_id: int
    teams_team_id: int
    open_nudge: int
    idea: int
    teams_idea: int
    snapshot: dict[str, Any]


@dataclass
class World:
    services: bootstrap.Services
    server: TestServer
    fake: FakeSlack
    connector: FakeConnector
    slack: SlackClient
    teams: Client
    b: B | None = None

    async def close(self) -> None:
        await self.server.close()  # also closes the services

    def shown(self) -> str:
        """Everything A's people were sent, on every platform."""
        slack = [call.args for call in self.fake.calls]
        teams = [call.body for call in self.connector.calls]
        return json.dumps([slack, teams], ensure_ascii=False)

    async def snapshot(self) -> dict[str, Any]:
        """B's state, to compare after the attacks."""
        async with self.services.sessions() as session:
            teams = (await session.scalars(select(Team).order_by(Team.id))).all()
            ideas = (await session.scalars(select(Idea).order_by(Idea.id))).all()
            nudges = (await session.scalars(select(Nudge).order_by(Nudge.id))).all()
            leads = (await session.execute(select(TeamLead.team_id, TeamLead.member_id))).all()
            feedback = (await session.execute(select(Feedback.org_id, Feedback.text))).all()
            org_b = (await directory.organisation(session, ORG_B)).id
        b_teams = {t.id for t in teams if t.org_id == org_b}
        return {
            "teams": [
                (t.id, t.language, t.timezone, t.digest_schedule, t.nudge_schedule, t.quiet_hours)
                for t in teams
                if t.id in b_teams
            ],
            "ideas": [
                (i.id, i.status, i.owner_member_id, i.merged_into_id, i.why)
                for i in ideas
                if i.team_id in b_teams
            ],
            "nudges": [(n.id, n.status) for n in nudges if n.team_id in b_teams],
            "leads": sorted(row for row in leads if row[0] in b_teams),
            "feedback": sorted(text for org, text in feedback if org == org_b),
            "ideas_elsewhere_from_b_nudges": [
                i.id
                for i in ideas
                if i.team_id not in b_teams
                and i.nudge_id in {n.id for n in nudges if n.team_id in b_teams}
            ],
        }


async def start_world(database_url: str, http: ClientSession) -> World:
    fake = FakeSlack()
    await fake.start()
    connector = FakeConnector()
    await connector.start()
    services = bootstrap.build(settings_for(database_url, fake))
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    world = World(
        services,
        server,
        fake,
        connector,
        SlackClient(http, str(server.make_url("/")), fake),
        Client(server, connector, http),
    )
    async with services.sessions() as session, session.begin():
        for slug, tenant in ((ORG_A, TENANT_A), (ORG_B, TENANT_B)):
            org = await directory.organisation(session, slug, create=True)
            await directory.installation(session, "teams", tenant, org_id=org.id)
    return world


async def _answer(services: bootstrap.Services, where: Origin, why: str) -> int:
    [ask] = await chat.handle_text(services, where, "ask")
    assert isinstance(ask, Say)
    async with services.sessions() as session:
        nudge = (await session.scalars(select(Nudge).order_by(Nudge.id.desc()))).first()
    assert nudge is not None
    outcomes = await chat.handle_form(
        services, where, "answer", str(nudge.id), {"why": why, "how": f"{SECRET} plan"}
    )
    assert "Thank you" in plain_text(outcomes[0].message)  # type: ignore[union-attr]
    async with services.sessions() as session:
        return (await session.scalars(select(Idea.id).where(Idea.why == why))).one()


async def make_b(world: World) -> B:
    services = world.services
    idea = await _answer(services, slack_b(), f"{SECRET} roadmap is secret")
    teams_idea = await _answer(services, teams_b(), f"{SECRET} Teams idea")
    [prompt] = await chat.handle_text(services, slack_b(), "ask")
    assert isinstance(prompt, Say)
    [stored] = await chat.handle_text(services, slack_b(), f"feedback {SECRET} churn story #pro")
    assert "Globex" in plain_text(stored.message)  # type: ignore[union-attr]
    [form] = await chat.handle_text(services, slack_b(), "settings")
    assert isinstance(form, OpenForm)
    async with services.sessions() as session:
        nudge = (await session.scalars(select(Nudge).order_by(Nudge.id.desc()))).first()
        team = (await session.scalars(select(Team).where(Team.external_id == "C0GLOBEX"))).one()
        teams_team = (
            await session.scalars(select(Team).where(Team.external_id == "19:globex-channel"))
        ).one()
    assert nudge is not None
    world.b = B(team.id, teams_team.id, nudge.id, idea, teams_idea, await world.snapshot())
    return world.b


@asynccontextmanager
async def running_world(
    database_url: str,
    start: Callable[[str, ClientSession], Awaitable[World]] = start_world,
    settle: float = 0.05,
) -> AsyncIterator[World]:
    """A world started by ``start`` and stopped afterwards, the fakes last (after what the
    app sends once a test is done has settled)."""
    async with ClientSession() as http:
        built = await start(database_url, http)
        try:
            yield built
        finally:
            await built.fake.settle(settle)
            await built.close()
            await built.fake.close()
            await built.connector.close()
