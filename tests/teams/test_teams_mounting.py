"""When ``/api/messages`` exists at all: with credentials, or with emulator mode turned on on
purpose while ``serve`` listens on loopback. A Slack-only install has no Teams endpoint."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import ClientError, ClientSession
from sqlalchemy import func, select

from bot import bootstrap
from bot.storage.models import Feedback, ProcessedEvent, Team
from bot.web import create_app
from tests.support.teams_connector import FakeConnector
from tests.support.teams_support import Client, make_settings, start_server

ROOT = Path(__file__).resolve().parents[2]
GUARD = 60  # seconds before a hanging process fails the test


@pytest.mark.finding(1)
async def test_a_slack_only_install_has_no_teams_endpoint(
    database_url: str,
    connector: FakeConnector,
    http: ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Anonymous activities that used to be answered (a digest of the organisation's
    customer quotes, a team registered for the weekly digest, feedback stored) find no
    route, and nothing is stored or sent."""
    caplog.set_level(logging.INFO)
    settings = make_settings(
        database_url,
        slack_bot_token="xoxb-only-slack",
        slack_signing_secret="slack-signing-secret",
        slack_api_url="http://127.0.0.1:9/api/",
    )
    services = bootstrap.build(settings)
    app = create_app(services)
    server = await start_server(app)
    client = Client(server, connector, http)
    try:
        for activity in (
            client.activity(text="digest"),
            client.activity(
                type="conversationUpdate",
                conversation="19:general@thread.tacv2",
                conversation_type="channel",
                membersAdded=[{"id": "28:waarom-bot"}],
            ),
            client.activity(text="feedback The invoice was wrong twice #pro"),
        ):
            assert await client.post(activity) == 404
        async with services.sessions() as session:
            for model in (Team, Feedback, ProcessedEvent):
                assert await session.scalar(select(func.count()).select_from(model)) == 0
    finally:
        await server.close()
    assert connector.calls == []
    assert "MICROSOFT_APP_ID is not set; /api/messages not mounted" in caplog.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve_env(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    """A clean environment for ``waarom serve`` on a migrated SQLite file of its own."""
    database = tmp_path / "waarom.db"
    shutil.copy(sqlite_template, database)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "MICROSOFT_", "WAAROM_", "DATABASE_URL", "PORT"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
        WAAROM_TEAMS_EMULATOR="1",
    )
    return env


@pytest.mark.finding(1)
def test_serve_refuses_emulator_mode_on_all_interfaces(
    serve_env: dict[str, str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", str(_free_port())],
        env=serve_env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=GUARD,
        check=False,
    )
    assert done.returncode == 2
    assert "WAAROM_TEAMS_EMULATOR" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.finding(1)
async def test_serve_on_loopback_answers_the_emulator(
    serve_env: dict[str, str], tmp_path: Path, http: ClientSession
) -> None:
    port = _free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)),
            env=serve_env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(GUARD * 10):
            assert process.returncode is None, log_path.read_text()
            try:
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        break
            except (ClientError, OSError):
                pass
            await asyncio.sleep(0.1)
        typing = {
            "type": "typing",
            "id": "1",
            "serviceUrl": "http://127.0.0.1:1/",
            "channelId": "emulator",
            "from": {"id": "user-1"},
            "conversation": {"id": "conv-1"},
            "recipient": {"id": "bot"},
        }
        async with http.post(base + "/api/messages", json=typing) as response:
            assert response.status == 201
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), GUARD)
    assert "WAAROM_TEAMS_EMULATOR is on" in log_path.read_text()
