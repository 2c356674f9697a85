"""The Teams driver: ``waarom serve``'s web app on a real port in emulator mode, sent
Teams-shaped activities over HTTP (messages, card submits as replies to the card); replies
read from what the loopback Bot Connector recorded (posts, updates, deletions), every card
checked against the Adaptive Card schema.

Both members write in one group chat, so one can press a button on a card the bot sent the
other, as in Teams."""

from __future__ import annotations

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot import bootstrap
from bot.web import create_app
from tests.contract.driver import ANNA, BOB, shown_texts
from tests.support.teams_connector import Call, FakeConnector
from tests.support.teams_support import (
    Client,
    assert_valid_card,
    make_settings,
    start_server,
    submit_actions,
)

CHAT = "19:contract-chat@thread.v2"
MEMBERS = {ANNA: ("29:user-anna", "Anna de Vries"), BOB: ("29:user-bob", "Bob Bakker")}


class TeamsDriver:
    platform = "teams"

    def __init__(
        self,
        services: bootstrap.Services,
        server: TestServer,
        connector: FakeConnector,
        client: Client,
    ) -> None:
        self.services = services
        self.server = server
        self.connector = connector
        self.client = client
        self.cards: dict[str, Call] = {}
        self.forms: dict[str, Call] = {}

    @classmethod
    async def start(cls, database_url: str, http: ClientSession) -> TeamsDriver:
        settings = make_settings(database_url, waarom_teams_emulator=True, waarom_host="127.0.0.1")
        services = bootstrap.build(settings)
        connector = FakeConnector()
        await connector.start()
        server = await start_server(create_app(services))
        return cls(services, server, connector, Client(server, connector, http))

    async def close(self) -> None:
        await self.server.close()  # also closes the services (the app's cleanup)
        await self.connector.close()

    async def say(self, text: str, *, member: str = ANNA) -> str:
        return await self._turn(member, text=text)

    async def press(self, label: str, *, member: str = ANNA, on: str | None = None) -> str:
        card = self.cards[on or member]
        data = next(a["data"] for a in submit_actions(card.card) if a.get("title") == label)
        return await self._turn(member, value=data, reply_to_id=card.id)

    async def submit(self, values: dict[str, str], *, member: str = ANNA) -> str:
        form = self.forms[member]
        data = {**submit_actions(form.card)[0]["data"], **values}
        return await self._turn(member, value=data, reply_to_id=form.id)

    async def _turn(self, member: str, **activity: object) -> str:
        user, name = MEMBERS[member]
        before = len(self.connector.calls)
        sent = self.client.activity(
            user=user, user_name=name, conversation=CHAT, conversation_type="groupChat", **activity
        )
        assert await self.client.post(sent) == 201
        texts: list[str] = []
        for call in self.connector.calls[before:]:
            for card in call.cards:
                assert_valid_card(card)
                texts.extend(shown_texts(card.get("body", [])))
                if call.method == "POST" and submit_actions(card):
                    has_inputs = any(e["type"].startswith("Input.") for e in card["body"])
                    (self.forms if has_inputs else self.cards)[member] = call
        return "\n".join(texts)
