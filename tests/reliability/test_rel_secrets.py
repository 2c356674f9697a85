"""Secrets at rest and in logs.

* A Slack bot token installed through OAuth is stored encrypted (the raw columns hold Fernet
  tokens that decrypt with WAAROM_SECRET_KEY) and never appears in any log record, even at
  DEBUG, across the install and the commands that use it.
* At INFO and above, the logs of an import, a webhook batch, chat feedback, an answered
  prompt and a clock digest carry none of the customer's or employee's words.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from bot import bootstrap
from bot.cli import app as cli
from bot.clock import Clock, ClockConfig
from bot.clock.delivery import Deliveries
from bot.config import Settings
from bot.intake import webhook
from bot.intake.feedback import store_feedback
from bot.intake.normalise import FieldMap, normalise
from bot.web import create_app
from tests.support.clock_support import FakeDelivery, make_team
from tests.support.rel_tally import TALLY
from tests.support.slack_client import SlackClient
from tests.support.slack_fake import SIGNING_SECRET, FakeSlack

INSTALLED = "xoxb-oauth-installed-token"  # what the loopback Slack hands out on install
SECOND = "T0SECOND"
WEBHOOK_SECRET = "whsec-secrets-0b7e"
# Words only customers and employees wrote; no log line may carry them.
CUSTOMER = "Kwetsbaarheidsmelding-Sentinel"


def _all_text(records: Iterable[logging.LogRecord]) -> str:
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    return "\n".join(handler.format(record) for record in records)


async def _install(http: ClientSession, base: str) -> None:
    async with http.get(base + "/slack/install", allow_redirects=False) as response:
        page = await response.text()
        cookie = response.headers["Set-Cookie"].split(";")[0]
    link = re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page)
    assert link is not None
    query = urllib.parse.urlparse(link.group(1).replace("&amp;", "&")).query
    state = urllib.parse.parse_qs(query)["state"][0]
    async with http.get(
        base + f"/slack/oauth_redirect?code=c0de&state={state}",
        headers={"Cookie": cookie},
        allow_redirects=False,
    ) as response:
        assert response.status == 200, await response.text()


def _oauth_settings(database_url: str, fake: FakeSlack, key: str) -> Settings:
    return Settings(
        database_url=database_url,
        waarom_language="en",
        slack_client_id="111.222",
        slack_client_secret=SecretStr("client-secret"),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_state_secret=SecretStr("state-secret"),
        slack_api_url=fake.api_url,
        waarom_secret_key=SecretStr(key),
        microsoft_app_id="",
        _env_file=None,  # type: ignore[call-arg]
    )


async def _use_the_installed_token(http: ClientSession, base: str, fake: FakeSlack) -> None:
    slack = SlackClient(http, base, fake)
    for words in ("help", "ask", f"feedback {CUSTOMER} one", "ideas", "digest"):
        status, _ = await slack.command(words, team=SECOND)
        assert status == 200
    await fake.settle(0.2)
    TALLY.requests += 7
    # The token really was used, so a leak would have had its chance.
    assert {call.token for call in fake.of("users.info")} == {INSTALLED}


async def _stored_tokens(services: bootstrap.Services) -> tuple[list[str], list[str | None]]:
    """The raw token columns: Slack's installation store's, and the installations table's."""
    async with services.engine.connect() as connection:
        stored = [
            value
            for table in ("slack_bots", "slack_installations")
            for value in (
                await connection.execute(text(f"SELECT bot_token FROM {table}"))
            ).scalars()
        ]
        other = (
            (await connection.execute(text("SELECT bot_token_encrypted FROM installations")))
            .scalars()
            .all()
        )
    return stored, list(other)


async def test_an_installed_token_is_encrypted_at_rest_and_never_logged(
    database_url: str, http: ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = Fernet.generate_key().decode()
    fake = FakeSlack()
    await fake.start()
    services = bootstrap.build(_oauth_settings(database_url, fake, key))
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    try:
        base = str(server.make_url("")).rstrip("/")
        await _install(http, base)
        await _use_the_installed_token(http, base, fake)
        stored, other = await _stored_tokens(services)
    finally:
        await server.close()
        await fake.close()
    assert stored, "nothing was stored"
    fernet = Fernet(key.encode())
    for value in stored:
        assert INSTALLED not in value
        assert fernet.decrypt(value.encode()).decode() == INSTALLED
    assert all(value is None or INSTALLED not in value for value in other)
    logged = _all_text(caplog.records)
    assert "oauth.v2.access" in logged or "installed" in logged  # DEBUG really was captured
    leaked = INSTALLED in logged or key in logged
    TALLY.leaked += int(leaked)
    assert not leaked, [line for line in logged.splitlines() if INSTALLED in line or key in line]


def _webhook_settings(database_url: str, fake: FakeSlack) -> Settings:
    from tests.support.slack_fake import BOT_TOKEN

    return Settings(
        database_url=database_url,
        waarom_language="en",
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=fake.api_url,
        waarom_webhook_secret=SecretStr(WEBHOOK_SECRET),
        microsoft_app_id="",
        _env_file=None,  # type: ignore[call-arg]
    )


async def _send_a_webhook_batch(http: ClientSession, base: str) -> None:
    """A good item, a duplicate and a refused one, all carrying the words."""
    items = [
        {"text": f"{CUSTOMER} webhook", "external_id": "s-1"},
        {"text": f"{CUSTOMER} webhook", "external_id": "s-1"},
        {"text": f"{CUSTOMER} bad score", "score": f"{CUSTOMER}"},
        {"text": f"{CUSTOMER} too long " + "x" * 6000},
    ]
    body = json.dumps(items).encode()
    stamp = str(int(time.time()))
    headers = {
        webhook.TIMESTAMP_HEADER: stamp,
        webhook.SIGNATURE_HEADER: webhook.sign(WEBHOOK_SECRET, stamp, body),
        "Content-Type": "application/json",
    }
    async with http.post(base + "/feedback", data=body, headers=headers) as response:
        assert response.status == 200


async def _chat_feedback_and_an_answer(http: ClientSession, base: str, fake: FakeSlack) -> None:
    """Chat: feedback, a refused one, an answered prompt."""
    slack = SlackClient(http, base, fake)
    await slack.command("ask")
    [prompt] = await fake.wait_for("response_url")
    await slack.command(f"feedback {CUSTOMER} chat #{CUSTOMER}")
    await slack.command(f"feedback {CUSTOMER} " + "y" * 6000)
    await slack.command(f"idea 999 {CUSTOMER}")
    button = next(
        e
        for block in prompt["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
        if e["action_id"].startswith("nudge.answer")
    )
    await slack.click(button["action_id"], button["value"], ephemeral=True)
    [opened] = await fake.wait_for("views.open")
    await slack.submit(opened["view"], {"why": f"{CUSTOMER} why", "how": f"{CUSTOMER} how"})
    await slack.submit(opened["view"], {"why": f"{CUSTOMER} again", "how": "z" * 9000})
    await fake.settle(0.2)


async def _a_clock_digest_quoting_the_customer(settings: Settings) -> None:
    """The clock: last week's digest, quoting the customer, goes out."""
    services = bootstrap.build(settings)
    try:
        team = await make_team(services, "digest-team", members={"anna": None})
        received = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)
        items = [
            normalise(
                {
                    "text": f"{CUSTOMER} the delivery was {n} days late, again",
                    "received_at": (received + dt.timedelta(hours=n)).isoformat(),
                },
                FieldMap(),
                zone=services.zone,
                default_source="nps",
                now=received,
            )
            for n in range(1, 6)
        ]
        async with services.sessions() as session, session.begin():
            await store_feedback(session, team.org_id, items)
        delivery = FakeDelivery()
        clock = Clock(services, Deliveries({"console": delivery}), ClockConfig())  # type: ignore[arg-type]
        await clock.tick(dt.datetime(2026, 11, 16, 8, 0, tzinfo=dt.UTC))
        assert any(CUSTOMER in sent.text for sent in delivery.sent)  # the digest quoted it
    finally:
        await services.close()


async def test_info_logs_carry_no_customer_or_employee_text(
    database_url: str, http: ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = FakeSlack()
    await fake.start()
    settings = _webhook_settings(database_url, fake)
    services = bootstrap.build(settings)
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    try:
        base = str(server.make_url("")).rstrip("/")
        await _send_a_webhook_batch(http, base)
        await _chat_feedback_and_an_answer(http, base, fake)
        TALLY.requests += 8
    finally:
        await server.close()
        await fake.close()
    await _a_clock_digest_quoting_the_customer(settings)

    at_info = [r for r in caplog.records if r.levelno >= logging.INFO]
    logged = _all_text(at_info)
    assert "feedback webhook: 4 items" in logged  # the log was captured at all
    leaked = [line for line in logged.splitlines() if CUSTOMER in line]
    TALLY.leaked += len(leaked)
    assert not leaked, leaked


def test_an_import_logs_no_customer_text(
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    monkeypatch.chdir(tmp_path)
    for name in ("SLACK_BOT_TOKEN", "SLACK_CLIENT_ID", "WAAROM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    rows = tmp_path / "nps.csv"
    rows.write_text(
        "text,score,received_at\n"
        f"{CUSTOMER} great bike,9,2026-11-10\n"
        f"{CUSTOMER} bad score,{CUSTOMER},2026-11-10\n"
        f"{CUSTOMER} bad date,3,{CUSTOMER}\n",
        "utf-8",
    )
    result = CliRunner().invoke(
        cli,
        ["import", str(rows), "--text", "text", "--score", "score", "--received-at", "received_at"],
    )
    assert result.exit_code == 0, result.output
    TALLY.requests += 1
    leaked = [line for line in _all_text(caplog.records).splitlines() if CUSTOMER in line]
    TALLY.leaked += len(leaked)
    assert not leaked, leaked


async def test_database_errors_do_not_quote_what_people_wrote(database_url: str) -> None:
    """A failed statement's error, which request handlers log with its traceback, names the
    statement but not its parameters."""
    services = bootstrap.build(Settings(database_url=database_url, _env_file=None))  # type: ignore[call-arg]
    try:
        async with services.engine.connect() as connection:
            with pytest.raises(DBAPIError) as failed:
                await connection.execute(
                    text("SELECT id FROM no_such_table WHERE text = :words"), {"words": CUSTOMER}
                )
    finally:
        await services.close()
    assert "no_such_table" in str(failed.value)
    leaked = CUSTOMER in str(failed.value)
    TALLY.leaked += int(leaked)
    assert not leaked
