"""Emulator mode: on only on purpose, only on loopback, only for listed serviceUrls.

The ``client`` fixture runs the app in emulator mode on 127.0.0.1 with the default list
(``http://localhost:*``, ``http://127.0.0.1:*``); the loopback connector is on that list.
"""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
import requests
from botbuilder.schema import Activity
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

import adapters.teams
from adapters.teams.addresses import NO_TENANT, origin_of
from adapters.teams.emulator import Emulator, where_replies_go
from bot import bootstrap
from bot.config import SettingsError
from bot.storage.models import Installation, ProcessedEvent, Team
from tests.support.teams_connector import FakeConnector
from tests.support.teams_support import Client, make_settings

# Each of these points somewhere other than this machine's Emulator, or has a shape URL
# parsers disagree on; the first is read as 127.0.0.1 by urlsplit but sent to
# attacker.example by the connector's HTTP client.
TRICKY = [
    "http://attacker.example:80\\@127.0.0.1:1/",
    "http://attacker.example:80\\\\@localhost:1/",
    "http://127.0.0.1@attacker.example/",
    "http://127.0.0.1:3978@attacker.example/",
    "http://localhost:3978#@attacker.example/",
    "http://localhost:3978?@attacker.example/",
    "http://localhost.attacker.example:3978/",
    "http://127.0.0.1.nip.io:3978/",
    "http://127.0.0.1%2fattacker.example/",
    "http://attacker.example/http://127.0.0.1:1/",
    " http://127.0.0.1:1/",
    "http://127.0.0.1:1/\n",
    "http://0x7f000001:1/",
    "http://[::ffff:127.0.0.1]:1/",
    "https://smba.trafficmanager.net/emea/",
    "//127.0.0.1:1/",
    "ftp://127.0.0.1:1/",
    "",
]


async def _nothing_happened(services: bootstrap.Services, connector: FakeConnector) -> None:
    assert connector.calls == []
    async with services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
        assert await session.scalar(select(func.count()).select_from(Team)) == 0


@pytest.mark.parametrize("service_url", TRICKY)
@pytest.mark.finding(1)
async def test_emulator_mode_refuses_service_urls_not_on_the_list(
    client: Client, connector: FakeConnector, services: bootstrap.Services, service_url: str
) -> None:
    for activity in (
        client.activity(text="digest"),
        client.activity(type="conversationUpdate", membersAdded=[{"id": "28:waarom-bot"}]),
    ):
        activity["serviceUrl"] = service_url
        assert await client.post(activity) == 403
    await _nothing_happened(services, connector)


@pytest.mark.parametrize(
    "service_url", ["http://localhost:3978", "http://127.0.0.1:54321/", "HTTP://LocalHost:9/x/"]
)
def test_the_emulators_usual_addresses_are_on_the_default_list(
    database_url: str, service_url: str
) -> None:
    settings = make_settings(database_url, waarom_teams_emulator=True, waarom_host="127.0.0.1")
    assert Emulator.from_settings(settings).admits(service_url)


@pytest.mark.finding(1)
def test_an_exact_list_admits_exactly_that(database_url: str) -> None:
    settings = make_settings(
        database_url,
        waarom_teams_emulator=True,
        waarom_host="127.0.0.1",
        waarom_teams_emulator_urls="http://127.0.0.1:4000, https://localhost",
    )
    emulator = Emulator.from_settings(settings)
    assert emulator.admits("http://127.0.0.1:4000/")
    assert emulator.admits("https://localhost/")
    assert emulator.admits("https://localhost:443")
    assert not emulator.admits("http://127.0.0.1:4001/")
    assert not emulator.admits("http://localhost:4000/")
    assert not emulator.admits("http://localhost/")


@pytest.mark.parametrize(
    "urls", ["localhost:3978", "http://localhost:3978/api", "http://a@b:1", ""]
)
def test_a_malformed_list_is_refused_naming_the_variable(database_url: str, urls: str) -> None:
    settings = make_settings(
        database_url,
        waarom_teams_emulator=True,
        waarom_host="127.0.0.1",
        waarom_teams_emulator_urls=urls,
    )
    with pytest.raises(SettingsError, match="WAAROM_TEAMS_EMULATOR_URLS"):
        Emulator.from_settings(settings)


_SCHEMES = st.sampled_from(["http://", "https://", "HTTP://", ""])
_PIECES = st.sampled_from(
    ["localhost", "127.0.0.1", "attacker.example", "@", "\\", ":", "80", "1", "/", "#", "?",
     "%2f", "%40", ".", "[", "]", "::1", " ", "\t", "user:pw@", "http://"]
)  # fmt: skip
_URLS = st.tuples(_SCHEMES, st.lists(_PIECES, min_size=1, max_size=7)).map(
    lambda parts: parts[0] + "".join(parts[1])
)


@settings(max_examples=500)
@given(_URLS)
@pytest.mark.finding(1)
def test_a_url_is_read_as_the_connectors_http_client_reads_it(service_url: str) -> None:
    """Whatever we take a serviceUrl to point at is where ``requests`` (the connector's
    client, through msrest) would really connect; a URL it reads otherwise is refused."""
    found = where_replies_go(service_url)
    if found is None:
        return
    sent = urljoin(service_url.rstrip("/") + "/", "v3/conversations/a/activities")
    prepared = requests.Request("POST", sent).prepare()
    assert prepared.url is not None
    parsed = requests.utils.urlparse(prepared.url)
    port = parsed.port or {"http": 80, "https": 443}[parsed.scheme]
    assert (parsed.scheme, parsed.hostname, port) == (found[0], found[1].strip("[]"), found[2])
    assert not parsed.username and not parsed.password


async def test_the_emulators_own_activities_carry_the_local_tenant(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    """The Emulator names no tenant; its activities are NO_TENANT's ("local")."""
    activity = client.activity(text="help", channelId="emulator", channelData={})
    del activity["conversation"]["tenantId"]
    del activity["conversation"]["conversationType"]
    assert await client.post(activity) == 201
    assert len(connector.sent()) == 1
    async with services.sessions() as session:
        installation = await session.scalar(select(Installation))
    assert installation is not None
    assert (installation.platform, installation.external_id) == ("teams", NO_TENANT)


def test_the_tenant_of_an_activity(client: Client) -> None:
    teams = Activity().deserialize(client.activity(text="help", tenant="9f1c-guid"))
    assert origin_of(teams).workspace_id == "9f1c-guid"
    only_channel_data = client.activity(text="help", tenant="t-2")
    del only_channel_data["conversation"]["tenantId"]
    assert origin_of(Activity().deserialize(only_channel_data)).workspace_id == "t-2"
    only_conversation = client.activity(text="help", tenant="t-3", channelData={})
    assert origin_of(Activity().deserialize(only_conversation)).workspace_id == "t-3"
    emulator = client.activity(text="help", channelId="emulator", channelData=[1])
    del emulator["conversation"]["tenantId"]
    assert origin_of(Activity().deserialize(emulator)).workspace_id == NO_TENANT


@pytest.mark.finding(2)
def test_only_the_emulator_and_a_single_tenant_apps_own_tenant_are_home(client: Client) -> None:
    other = Activity().deserialize(client.activity(text="help", tenant="9f1c-guid"))
    assert not origin_of(other).home
    assert not origin_of(other, "our-tenant").home
    ours = Activity().deserialize(client.activity(text="help", tenant="our-tenant"))
    assert origin_of(ours, "our-tenant").home
    emulator = client.activity(text="help", channelId="emulator", channelData=[1])
    del emulator["conversation"]["tenantId"]
    assert origin_of(Activity().deserialize(emulator)).home


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "waarom.example", ""])
@pytest.mark.finding(1)
async def test_emulator_mode_is_refused_unless_serve_listens_on_loopback(
    database_url: str, host: str
) -> None:
    settings = make_settings(database_url, waarom_teams_emulator=True, waarom_host=host)
    services = bootstrap.build(settings)
    try:
        with pytest.raises(SettingsError, match="WAAROM_TEAMS_EMULATOR"):
            adapters.teams.build(services)
    finally:
        await services.close()
