"""Teams reaches everyone: installed in a team, the bot reads its members and opens a personal
chat with each, so the clock's nudges reach the whole team, not only who chatted first; who
joins is reached, who leaves is not, and who cannot be reached is named to the lead."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from bot import bootstrap
from bot.cli import app as cli_app
from bot.storage.models import Member, Nudge, Team
from tests.support.roster_support import (
    LEAD,
    TEAM,
    TENANT,
    THURSDAY_10,
    TUESDAY_10,
    MovingClock,
    addresses,
    install,
    members_changed,
    nudged,
    settled,
    team_members,
    teams_clock,
)
from tests.support.teams_connector import FakeConnector
from tests.support.teams_roster import Person, people
from tests.support.teams_support import Client, texts


def _a_team_of_120(connector: FakeConnector) -> None:
    """The lead, 116 members, two guests and one who has not got the app."""
    guests = [
        Person("29:guest-1", "Gerrit Gast", role="guest"),
        Person("29:guest-2", "Gwen", role="guest"),
    ]
    team = [LEAD, *people(116), *guests, Person("29:no-app", "Nora Zonder")]
    connector.refuse_chats.add("29:no-app")
    connector.add_list(TEAM, TENANT, team)
    assert len(team) == 120


async def _installed_twice(client: Client, connector: FakeConnector, clock: MovingClock) -> None:
    """Teams announces an install twice; the list is read once, also when the second comes
    while the first read is under way."""
    connector.hold_after = 1
    assert await install(client) == 201
    # The welcome is the turn's answer; the roster is read after it.
    assert "Hello Support" in texts(connector.sent()[0].card)
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


def _check_every_member_was_asked_for_a_chat(connector: FakeConnector) -> None:
    """Three pages of 50 through the continuation tokens; a chat asked for every member."""
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


async def test_installed_in_a_team_of_120_every_member_gets_a_chat_and_a_nudge(
    client: Client, connector: FakeConnector, services: bootstrap.Services, clock: MovingClock
) -> None:
    _a_team_of_120(connector)
    await _installed_twice(client, connector, clock)
    _check_every_member_was_asked_for_a_chat(connector)
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
