"""Teams rosters are read to the end whatever happens: a reader stopped mid-list is caught up
by the clock, throttled reads are retried, a lost team is not read again, an old install or a
group chat is read too; and the loopback connector refuses what Teams refuses."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientSession
from sqlalchemy import delete, select, update

from bot import bootstrap
from bot.storage.models import Member, Roster
from tests.support.roster_support import (
    LEAD,
    TEAM,
    TENANT,
    THURSDAY_10,
    MovingClock,
    addresses,
    install,
    settled,
    team_members,
    teams_clock,
)
from tests.support.teams_connector import FakeConnector
from tests.support.teams_roster import people
from tests.support.teams_support import Client


async def test_a_reader_stopped_mid_list_is_caught_up_by_the_clock(
    client: Client, connector: FakeConnector, services: bootstrap.Services, clock: MovingClock
) -> None:
    connector.add_list(TEAM, TENANT, [LEAD, *people(119)])
    connector.hold_after = 2
    await install(client)
    await connector.held.wait()
    # The process stops (a redeploy) while its third page is on the way: it gives its claim
    # back, and keeps every chat it opened.
    await client.server.close()
    connector.resume.set()
    assert sum(chat is not None for chat in (await addresses(services)).values()) == 100
    async with services.sessions() as session:
        assert await session.scalar(select(Roster.claimed_by)) is None

    # Or is killed outright, leaving its claim behind: nobody else reads the team until the
    # claim's lease has run out.
    async with services.sessions() as session, session.begin():
        await session.execute(
            update(Roster).values(claimed_by="killed:1/x", claimed_at=services.now())
        )
    restarted = bootstrap.build(services.settings)
    restarted.now = clock
    engine = teams_clock(restarted)
    try:
        await engine.tick()
        assert len(connector.chats_opened()) == 100
        clock.advance(minutes=6)
        await engine.tick()
        # The rest of the list, and only the chats still missing.
        opened = connector.chats_opened()
        assert len(opened) == len(set(opened)) == 120
        async with restarted.sessions() as session:
            roster = await session.scalar(select(Roster))
        assert roster is not None and roster.read_at is not None and roster.claimed_by is None

        report = await engine.tick(THURSDAY_10)
        assert report.by_kind == {"nudge": 120}
    finally:
        await restarted.close()


async def test_throttled_reads_are_retried_and_a_lost_team_is_not_read_again(
    client: Client, connector: FakeConnector, services: bootstrap.Services, clock: MovingClock
) -> None:
    connector.add_list(TEAM, TENANT, [LEAD, *people(60)])
    connector.fail_roster_next(429, retry_after="0")
    connector.fail_roster_next(502)
    await install(client)
    await settled(client)
    assert connector.roster_refusals == [429, 502]
    assert len(connector.roster_reads) == 2
    assert len(connector.chats_opened()) == 61

    # Removed from the team while nobody listened: a new read is refused (404), and not
    # tried again at every sweep after.
    del connector.lists[TEAM]
    clock.advance(days=1)
    async with services.sessions() as session, session.begin():
        await session.execute(update(Roster).values(wanted_at=services.now()))
    clock.advance(minutes=1)
    engine = teams_clock(services)
    await engine.tick()
    clock.advance(minutes=5)
    await engine.tick()
    assert connector.roster_refusals == [429, 502, 404]
    async with services.sessions() as session:
        roster = await session.scalar(select(Roster))
    assert roster is not None and roster.error == "Teams: HTTP 404"
    assert len(await team_members(services)) == 61  # nobody dropped on a refusal


async def test_a_team_installed_before_rosters_were_kept_is_read_on_its_next_message(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    connector.add_list(TEAM, TENANT, [LEAD, *people(3)])
    await install(client)
    await settled(client)
    async with services.sessions() as session, session.begin():
        await session.execute(delete(Roster))
        await session.execute(update(Member).values(address=None))
    said = client.activity(
        text="<at>Waarom</at> help",
        conversation=f"{TEAM};messageid=1700000000001",
        conversation_type="channel",
        channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM}},
    )
    assert await client.post(said) == 201
    await settled(client)
    assert all((await addresses(services)).values())


async def test_a_group_chat_is_read_by_its_own_id(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    chat = "19:groupchat-1@thread.v2"
    connector.add_list(chat, TENANT, [LEAD, *people(2)])
    added = client.activity(
        type="conversationUpdate",
        conversation=chat,
        conversation_type="groupChat",
        user=LEAD.id,
        membersAdded=[{"id": "28:waarom-bot"}],
    )
    assert await client.post(added) == 201
    await settled(client)
    assert [conversation for conversation, _, _ in connector.roster_reads] == [chat]
    assert len(connector.chats_opened()) == 3


async def test_the_loopback_connector_refuses_what_teams_refuses(
    connector: FakeConnector, http: ClientSession
) -> None:
    connector.add_list(TEAM, TENANT, [LEAD, *people(119)])
    url = connector.url + "v3/conversations"
    chat = {
        "isGroup": False,
        "bot": {"id": "28:waarom-bot"},
        "members": [{"id": "29:member-1"}],
        "tenantID": TENANT,  # as the SDK spells it; the service ignores the case
    }

    async def create(body: dict[str, Any]) -> tuple[int, Any]:
        async with http.post(url, json=body) as response:
            return response.status, await response.json()

    assert await create(chat) == (201, {"id": connector.personal("29:member-1")})
    for missing in ("bot", "members", "tenantID"):
        status, answer = await create({k: v for k, v in chat.items() if k != missing})
        assert (status, answer["error"]["code"]) == (400, "BadArgument"), missing
    by_channel_data = {**chat, "channelData": {"tenant": {"id": TENANT}}}
    del by_channel_data["tenantID"]
    assert (await create(by_channel_data))[0] == 201
    two = {**chat, "members": [{"id": "29:member-1"}, {"id": "29:member-2"}]}
    assert (await create(two))[0] == 400
    assert (await create({**chat, "members": [{"id": "29:stranger"}]}))[0] == 403
    assert (await create({**chat, "tenantID": "tenant-2"}))[0] == 403

    async def page(conversation: str, **query: str) -> tuple[int, Any]:
        address = f"{connector.url}v3/conversations/{conversation}/pagedmembers"
        async with http.get(address, params=query) as response:
            return response.status, await response.json()

    status, first = await page(TEAM, pageSize="10")  # Teams serves at least 50
    assert status == 200 and len(first["members"]) == 50
    status, rest = await page(TEAM, pageSize="500", continuationToken=first["continuationToken"])
    assert status == 200 and len(rest["members"]) == 70 and "continuationToken" not in rest
    assert (await page(TEAM, continuationToken="not-a-token"))[0] == 400
    assert (await page("19:other@thread.tacv2"))[0] == 404
