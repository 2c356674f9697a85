"""With an app id configured, only requests carrying a valid Bot Framework token get in.

The tokens are real JWTs signed with a key published by a loopback OpenID endpoint (in a
thread: the SDK fetches the keys with blocking ``requests``), so the SDK's own validation
runs. A bad token is a 401 and reaches neither the database nor the connector.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from aiohttp import ClientSession, web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import func, select
from teams_connector import FakeConnector
from teams_support import Client, make_settings, start_server

import adapters.teams
from adapters.teams.endpoint import authentication
from bot import bootstrap
from bot.models import ProcessedEvent

APP_ID = "11111111-2222-3333-4444-555555555555"
ISSUER = "https://api.botframework.com"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


TRUSTED = _key()
STRANGER = _key()


class OpenId(BaseHTTPRequestHandler):
    base = ""

    def do_GET(self) -> None:
        if self.path.endswith("/keys"):
            jwk = json.loads(RSAAlgorithm.to_jwk(TRUSTED.public_key()))
            body = {"keys": [{**jwk, "kid": "trusted", "use": "sig", "endorsements": ["msteams"]}]}
        else:
            body = {"issuer": ISSUER, "jwks_uri": f"{self.base}/keys"}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def openid() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), OpenId)
    OpenId.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{OpenId.base}/.well-known/openidconfiguration"
    server.shutdown()


def token(
    key: rsa.RSAPrivateKey, *, kid: str = "trusted", audience: str = APP_ID, **claims: Any
) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": audience, "iat": now - 10, "nbf": now - 10, "exp": now + 600}
    payload.update(claims)
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
async def secured(
    database_url: str, connector: FakeConnector, http: ClientSession, openid: str
) -> AsyncIterator[tuple[Client, bootstrap.Services]]:
    settings = make_settings(
        database_url, microsoft_app_id=APP_ID, microsoft_app_password="s3cret-password"
    )
    services = bootstrap.build(settings)
    auth = authentication(
        settings,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=openid,
        TO_BOT_FROM_EMULATOR_OPENID_METADATA_URL=openid,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=ISSUER,
    )
    app = web.Application()
    adapters.teams.mount(app, services, auth=auth)
    server = await start_server(app)
    yield Client(server, connector, http), services
    await server.close()
    await services.close()


async def _nothing_happened(services: bootstrap.Services, connector: FakeConnector) -> None:
    assert connector.calls == []
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
        "Bearer " + "eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.",
    ],
)
async def test_missing_or_malformed_tokens_get_401(
    secured: tuple[Client, bootstrap.Services], connector: FakeConnector, authorization: str | None
) -> None:
    client, services = secured
    headers = {"Authorization": authorization} if authorization is not None else {}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(services, connector)


async def test_a_token_signed_by_another_key_gets_401(
    secured: tuple[Client, bootstrap.Services], connector: FakeConnector
) -> None:
    client, services = secured
    forged = token(STRANGER, kid="trusted", serviceurl=connector.url)
    headers = {"Authorization": f"Bearer {forged}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(services, connector)


async def test_a_token_for_another_bot_gets_401(
    secured: tuple[Client, bootstrap.Services], connector: FakeConnector
) -> None:
    client, services = secured
    other = token(TRUSTED, audience="another-bot", serviceurl=connector.url)
    headers = {"Authorization": f"Bearer {other}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(services, connector)


async def test_an_expired_token_gets_401(
    secured: tuple[Client, bootstrap.Services], connector: FakeConnector
) -> None:
    client, services = secured
    old = token(TRUSTED, serviceurl=connector.url, exp=int(time.time()) - 3600)
    headers = {"Authorization": f"Bearer {old}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(services, connector)


async def test_a_valid_token_gets_in(
    secured: tuple[Client, bootstrap.Services], connector: FakeConnector
) -> None:
    """The control for the refusals above: the same setup lets a well-signed token through.
    (A typing activity needs no reply, so no outbound token is fetched.)"""
    client, _ = secured
    valid = token(TRUSTED, serviceurl=connector.url)
    headers = {"Authorization": f"Bearer {valid}"}
    assert await client.post(client.activity(type="typing"), headers=headers) == 201
