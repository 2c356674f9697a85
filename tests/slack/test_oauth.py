"""Multi-workspace install: OAuth at /slack/install, tokens encrypted in our database."""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import AsyncIterator

import pytest
from aiohttp import ClientSession
from cryptography.fernet import Fernet
from sqlalchemy import text

from bot.storage.models import Installation, Organisation
from tests.support.slack_fake import BOT_USER, FakeSlack
from tests.support.slack_support import Running, slack_settings, start

SECOND = "T0SECOND"
INSTALLED_TOKEN = "xoxb-oauth-installed-token"


@pytest.fixture
async def oauth(
    database_url: str, fake_slack: FakeSlack, http: ClientSession
) -> AsyncIterator[Running]:
    settings = slack_settings(
        database_url,
        fake_slack,
        slack_bot_token=None,
        slack_client_id="111.222",
        slack_client_secret="client-secret",
        slack_state_secret="state-secret",
        waarom_secret_key=Fernet.generate_key().decode(),
    )
    running, server = await start(settings, fake_slack, http)
    yield running
    await fake_slack.settle(0.1)
    await server.close()


async def install(running: Running) -> tuple[int, str]:
    http = running.slack.http
    async with http.get(
        running.slack.base_url + "/slack/install", allow_redirects=False
    ) as response:
        assert response.status == 200
        page = await response.text()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page)
    assert link is not None
    query = urllib.parse.parse_qs(urllib.parse.urlparse(link.group(1).replace("&amp;", "&")).query)
    assert "chat:write" in query["scope"][0]
    state = query["state"][0]
    async with http.get(
        running.slack.base_url + f"/slack/oauth_redirect?code=the-code&state={state}",
        headers={"Cookie": cookie},
        allow_redirects=False,
    ) as response:
        return response.status, await response.text()


async def test_install_stores_the_workspace_with_an_encrypted_token(
    oauth: Running, fake_slack: FakeSlack
) -> None:
    status, _ = await install(oauth)
    assert status == 200
    [exchange] = fake_slack.of("oauth.v2.access")
    assert exchange["code"] == "the-code"
    async with oauth.services.engine.connect() as connection:
        rows = (await connection.execute(text("SELECT team_id, bot_token FROM slack_bots"))).all()
        states = (
            await connection.execute(text("SELECT count(*) FROM slack_oauth_states"))
        ).scalar()
    assert [row.team_id for row in rows] == [SECOND]
    assert "xoxb" not in rows[0].bot_token  # encrypted at rest
    assert states == 0  # the state was used up
    async with oauth.services.sessions() as session:
        installation = (
            await session.execute(
                Installation.__table__.select().where(Installation.external_id == SECOND)
            )
        ).one()
        org = await session.get(Organisation, installation.org_id)
    assert installation.active is True
    assert installation.bot_user_id == BOT_USER
    assert installation.installed_by == "U0INSTALLER"
    assert org is not None
    assert org.slug == f"slack-{SECOND}"


async def test_installed_workspace_is_served_with_its_own_token(
    oauth: Running, fake_slack: FakeSlack
) -> None:
    await install(oauth)
    status, _ = await oauth.slack.command("help", team=SECOND)
    assert status == 200
    await fake_slack.wait_for("response_url")
    [lookup] = fake_slack.of("users.info")
    assert lookup.token == INSTALLED_TOKEN


async def test_unknown_workspace_is_not_served(oauth: Running, fake_slack: FakeSlack) -> None:
    status, _ = await oauth.slack.command("help", team="T0NOBODY")
    assert status == 200  # Bolt answers Slack, but nothing is done for a stranger
    await fake_slack.settle()
    assert fake_slack.of("users.info") == []


async def test_a_forged_state_installs_nothing(oauth: Running, fake_slack: FakeSlack) -> None:
    async with oauth.slack.http.get(
        oauth.slack.base_url + "/slack/oauth_redirect?code=c&state=made-up",
        headers={"Cookie": "slack-app-oauth-state=made-up"},
    ) as response:
        assert response.status == 400
    assert fake_slack.of("oauth.v2.access") == []


async def test_uninstall_forgets_the_tokens_and_disables(
    oauth: Running, fake_slack: FakeSlack
) -> None:
    await install(oauth)
    status, _ = await oauth.slack.event(
        {"type": "app_uninstalled", "event_ts": f"{time.time():.6f}"}, team=SECOND
    )
    assert status == 200
    await fake_slack.settle()
    async with oauth.services.engine.connect() as connection:
        bots = (await connection.execute(text("SELECT count(*) FROM slack_bots"))).scalar()
        installs = (
            await connection.execute(text("SELECT count(*) FROM slack_installations"))
        ).scalar()
        active = (
            await connection.execute(
                text("SELECT active FROM installations WHERE external_id = :t"), {"t": SECOND}
            )
        ).scalar()
    assert (bots, installs) == (0, 0)
    assert active is False or active == 0


async def test_an_unsigned_state_cookie_installs_nothing(
    oauth: Running, fake_slack: FakeSlack
) -> None:
    http = oauth.slack.http
    async with http.get(oauth.slack.base_url + "/slack/install") as response:
        page = await response.text()
    state = re.search(r"state=([\w-]+)", page)
    assert state is not None
    async with http.get(
        oauth.slack.base_url + f"/slack/oauth_redirect?code=c&state={state.group(1)}",
        headers={"Cookie": f"slack-app-oauth-state={state.group(1)}"},
    ) as response:
        assert response.status == 400
    assert fake_slack.of("oauth.v2.access") == []
