"""With an app id configured, only requests carrying a valid Bot Framework token get in.

The tokens are real JWTs signed with a key published by a loopback OpenID endpoint
(``teams_keys``), so the SDK's own validation runs. A bad token is a 401 and reaches neither
the database nor the connector.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from bot import bootstrap
from bot.storage.models import ProcessedEvent
from tests.support.teams_connector import FakeConnector
from tests.support.teams_keys import STRANGER, TRUSTED, token
from tests.support.teams_support import Secure


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
    secure: Secure, connector: FakeConnector, authorization: str | None
) -> None:
    secured = await secure()
    client = secured.client
    headers = {"Authorization": authorization} if authorization is not None else {}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(secured.services, connector)


async def test_a_token_signed_by_another_key_gets_401(
    secure: Secure, connector: FakeConnector
) -> None:
    secured = await secure()
    client = secured.client
    forged = token(STRANGER, kid="trusted", serviceurl=connector.url)
    headers = {"Authorization": f"Bearer {forged}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(secured.services, connector)


async def test_a_token_for_another_bot_gets_401(secure: Secure, connector: FakeConnector) -> None:
    secured = await secure()
    client = secured.client
    other = token(TRUSTED, audience="another-bot", serviceurl=connector.url)
    headers = {"Authorization": f"Bearer {other}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(secured.services, connector)


async def test_an_expired_token_gets_401(secure: Secure, connector: FakeConnector) -> None:
    secured = await secure()
    client = secured.client
    old = token(TRUSTED, serviceurl=connector.url, exp=int(time.time()) - 3600)
    headers = {"Authorization": f"Bearer {old}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(secured.services, connector)


async def test_a_token_for_another_service_url_gets_401(
    secure: Secure, connector: FakeConnector
) -> None:
    """The signature is checked before the body is read, the claims against the activity
    after: a good token for another serviceUrl does not make the bot post to this one."""
    secured = await secure()
    client = secured.client
    elsewhere = token(TRUSTED, serviceurl="https://smba.trafficmanager.net/emea/")
    headers = {"Authorization": f"Bearer {elsewhere}"}
    assert await client.post(client.activity(text="help"), headers=headers) == 401
    await _nothing_happened(secured.services, connector)


async def test_a_valid_token_gets_in_and_the_keys_are_fetched_once(
    secure: Secure, connector: FakeConnector
) -> None:
    """The control for the refusals above: the same setup lets a well-signed token through.
    (A typing activity needs no reply, so no outbound token is fetched.) Our check and the
    SDK's both use one cache: the metadata and the key set are each fetched once."""
    secured = await secure()
    client = secured.client
    headers = {"Authorization": f"Bearer {token(TRUSTED, serviceurl=connector.url)}"}
    for _ in range(3):
        assert await client.post(client.activity(type="typing"), headers=headers) == 201
    assert secured.key_hits() == 2


async def test_an_activity_without_a_tenant_is_refused(
    secure: Secure, connector: FakeConnector
) -> None:
    """Its tenant decides whose data an activity sees; Teams always names it."""
    secured = await secure()
    client = secured.client
    activity = client.activity(text="help", channelData={})
    del activity["conversation"]["tenantId"]
    headers = {"Authorization": f"Bearer {token(TRUSTED, serviceurl=connector.url)}"}
    assert await client.post(activity, headers=headers) == 400
    await _nothing_happened(secured.services, connector)
