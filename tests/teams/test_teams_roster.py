"""Teams reaches everyone: installed in a team, the bot reads its members and opens a personal
chat with each, so the clock's nudges reach the whole team, not only who chatted first."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any, Protocol

import pytest
from aiohttp import ClientSession
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

import adapters.teams
from adapters.teams import TEAMS
from adapters.teams.delivery import TeamsDelivery
from bot import bootstrap
from bot.cli import app as cli_app
from bot.clock import Clock, ClockConfig
from bot.clock.delivery import Deliveries
from bot.storage.models import Member, Nudge, Roster, Team, TeamMember
from tests.support.teams_connector import FakeConnector
from tests.support.teams_roster import Person, people
from tests.support.teams_support import Client, texts

TEAM = "19:general@thread.tacv2"
TENANT = "tenant-1"
LEAD = Person("29:user-1", "Anna de Vries")
# Thursday 19 November 2026, 10:00 in Amsterdam: the default "tue,thu 10:00" nudges are due.
THURSDAY_10 = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)
TUESDAY_10 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


class MovingClock(Protocol):
    """The ``clock`` fixture: every process's ``now()``, moved by the test."""

    def __call__(self) -> dt.datetime: ...

    def advance(self, **delta: float) -> None: ...


async def install(client: Client, *, conversation: str = TEAM, **extra: Any) -> int:
    return await client.post(
        client.activity(
            type="conversationUpdate",
            conversation=conversation,
            conversation_type="channel",
            user=LEAD.id,
            user_name=LEAD.name,
            membersAdded=[{"id": "28:waarom-bot"}],
            channelData={
                "tenant": {"id": TENANT},
                "team": {"id": TEAM, "name": "Support"},
                "eventType": "teamMemberAdded",
            },
            **extra,
        )
    )


async def members_changed(client: Client, **change: list[dict[str, str]]) -> int:
    event = "teamMemberAdded" if "membersAdded" in change else "teamMemberRemoved"
    return await client.post(
        client.activity(
            type="conversationUpdate",
            conversation=TEAM,
            conversation_type="channel",
            channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM}, "eventType": event},
            **change,
        )
    )


async def settled(client: Client) -> None:
    """Until the roster work the turns started after themselves is done."""
    await client.server.app[TEAMS].rosters.idle()


def teams_clock(services: bootstrap.Services) -> Clock:
    """The clock process's way out to Teams, on an adapter of its own."""
    sender = adapters.teams.build(services).sender
    return Clock(services, Deliveries({"teams": TeamsDelivery(sender)}), ClockConfig(backoff=0))


def nudged(connector: FakeConnector, since: int) -> list[str]:
    """Personal chats that got a prompt card since call number ``since``."""
    return [
        call.conversation_id
        for call in connector.sent()[since:]
        if call.conversation_id.startswith("a:personal-") and "Answer" in json.dumps(call.cards)
    ]


async def addresses(services: bootstrap.Services) -> dict[str, str | None]:
    async with services.sessions() as session:
        rows = await session.execute(select(Member.external_id, Member.address))
        return {user: (address or {}).get("conversation", {}).get("id") for user, address in rows}


async def team_members(services: bootstrap.Services) -> set[str]:
    async with services.sessions() as session:
        rows = await session.scalars(
            select(Member.external_id)
            .join(TeamMember, TeamMember.member_id == Member.id)
            .join(Team, Team.id == TeamMember.team_id)
            .where(Team.external_id == TEAM)
        )
        return set(rows.all())


async def test_installed_in_a_team_of_120_every_member_gets_a_chat_and_a_nudge(
    client: Client, connector: FakeConnector, services: bootstrap.Services, clock: MovingClock
) -> None:
    guests = [
        Person("29:guest-1", "Gerrit Gast", role="guest"),
        Person("29:guest-2", "Gwen", role="guest"),
    ]
    team = [LEAD, *people(116), *guests, Person("29:no-app", "Nora Zonder")]
    connector.refuse_chats.add("29:no-app")
    connector.add_list(TEAM, TENANT, team)
    assert len(team) == 120

    connector.hold_after = 1
    assert await install(client) == 201
    # The welcome is the turn's answer; the roster is read after it.
    assert "Hello Support" in texts(connector.sent()[0].card)
    # Teams announces an install twice; the list is read once, also when the second comes
    # while the first read is under way.
    await connector.held.wait()
    clock.advance(seconds=1)
    installed = client.activity(
        type="installationUpdate",
        action="add",
        conversation=TEAM,
        conversation_type="channel",
        channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM}},
    )
    assert await client.post(installed) == 201
    connector.resume.set()
    await settled(client)

    # Three pages of 50 through the continuation tokens; a chat asked for every member.
    assert [(size, token is None) for _, size, token in connector.roster_reads] == [
        (50, True),
        (50, False),
        (50, False),
    ]
    assert len(connector.created) == 120
    body = connector.created[1].body
    assert body["isGroup"] is False
    assert body["bot"]["id"] == "28:waarom-bot"
    assert body["channelData"] == {"tenant": {"id": TENANT}}
    assert body["members"] == [
        {"id": "29:member-1", "name": "Member 1", "aadObjectId": "aad-member-1"}
    ]
    reached = await addresses(services)
    assert len(reached) == 120
    unreachable = {"29:guest-1", "29:guest-2", "29:no-app"}
    assert {user for user, chat in reached.items() if chat is None} == unreachable
    assert reached["29:member-7"] == connector.personal("29:member-7")

    # Whoever added the bot hears who cannot be reached, in their personal chat, once.
    (note,) = [c for c in connector.sent() if c.conversation_id == connector.personal(LEAD.id)]
    said = texts(note.card)
    assert "117 of the 120 members of Support" in said
    assert "Gerrit Gast, Gwen, Nora Zonder" in said

    # The clock's next nudges go to every member it can reach, and only to them.
    before = len(connector.sent())
    report = await teams_clock(services).tick(THURSDAY_10)
    assert report.by_kind == {"nudge": 117}
    assert report.failed == 0
    sent_to = nudged(connector, before)
    assert len(sent_to) == len(set(sent_to)) == 117
    assert not {connector.personal(user) for user in unreachable} & set(sent_to)


async def test_a_member_who_joins_is_reached_and_one_who_leaves_is_not(
    client: Client, connector: FakeConnector, services: bootstrap.Services
) -> None:
    connector.add_list(TEAM, TENANT, [LEAD, *people(2)])
    await install(client)
    await settled(client)
    clock = teams_clock(services)
    before = len(connector.sent())
    assert (await clock.tick(THURSDAY_10)).by_kind == {"nudge": 3}

    # Teams adds the newcomer to the team, then tells the bot.
    newcomer = Person("29:newcomer", "Nieuwe Collega")
    connector.lists[TEAM].members.append(newcomer)
    added = {"id": newcomer.id, "aadObjectId": newcomer.aad_object_id}
    assert await members_changed(client, membersAdded=[added]) == 201
    await settled(client)
    assert (await addresses(services))[newcomer.id] == connector.personal(newcomer.id)

    assert await members_changed(client, membersRemoved=[{"id": "29:member-1"}]) == 201
    assert await team_members(services) == {LEAD.id, "29:member-2", newcomer.id}
    async with services.sessions() as session:
        left_open = await session.scalar(
            select(Nudge.status).join(Member).where(Member.external_id == "29:member-1")
        )
    assert left_open == "expired"  # no reminder for it either

    before = len(connector.sent())
    report = await clock.tick(TUESDAY_10)
    sent_to = [call.conversation_id for call in connector.sent()[before:]]
    assert connector.personal(newcomer.id) in sent_to
    assert connector.personal("29:member-1") not in sent_to
    assert report.by_kind["nudge"] == 3


async def test_a_member_who_left_unannounced_is_dropped_by_the_next_read(
    client: Client, connector: FakeConnector, services: bootstrap.Services, clock: MovingClock
) -> None:
    connector.add_list(TEAM, TENANT, [LEAD, *people(3)])
    await install(client)
    await settled(client)
    del connector.lists[TEAM].members[1]  # 29:member-1, while the bot was not listening
    clock.advance(days=7)
    upgraded = client.activity(
        type="installationUpdate",
        action="add-upgrade",
        conversation=TEAM,
        conversation_type="channel",
        channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM}},
    )
    assert await client.post(upgraded) == 201
    await settled(client)
    assert await team_members(services) == {LEAD.id, "29:member-2", "29:member-3"}


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_who_cannot_be_reached_is_told_in_the_teams_language_and_shown_in_status(
    client: Client,
    connector: FakeConnector,
    services: bootstrap.Services,
    language: str,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    clock: MovingClock,
) -> None:
    guest = Person("29:guest", "Gast Gebruiker", role="guest")
    connector.add_list(TEAM, TENANT, [LEAD, *people(2), guest])
    await install(client)
    await settled(client)
    (note,) = [c for c in connector.sent() if c.conversation_id == connector.personal(LEAD.id)]
    assert "3 of the 4 members of Support" in texts(note.card)
    async with services.sessions() as session, session.begin():
        await session.execute(update(Team).values(language=language))

    # A new read (an upgrade of the app, later) tells again, in the team's language now.
    clock.advance(minutes=1)
    await client.post(
        client.activity(
            type="installationUpdate",
            action="add-upgrade",
            conversation=TEAM,
            conversation_type="channel",
            channelData={"tenant": {"id": TENANT}, "team": {"id": TEAM}},
        )
    )
    await settled(client)
    notes = [c for c in connector.sent() if c.conversation_id == connector.personal(LEAD.id)]
    said = texts(notes[-1].card)
    expected = {
        "nl": "Ik kan 3 van de 4 leden van Support een persoonlijk bericht sturen",
        "en": "I can send a personal message to 3 of the 4 members of Support",
    }
    assert expected[language] in said
    assert "Gast Gebruiker" in said

    monkeypatch.setenv("DATABASE_URL", database_url)
    # The operator's view, as `waarom status` prints it (a process of its own: a thread here).
    shown = await asyncio.to_thread(CliRunner().invoke, cli_app, ["status", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    (row,) = json.loads(shown.output)
    assert row["members"] == {"members": 4, "reachable": 3}
    assert any(send.startswith("reach ") and send.endswith(" sent") for send in row["last sends"])


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
