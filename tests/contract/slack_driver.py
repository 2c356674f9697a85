"""The Slack driver: ``waarom serve`` on a real port, sent signed slash commands, button
clicks and modal submissions as Slack sends them; replies read from what the loopback Slack
Web API recorded (response URLs, posts, updates, opened modals), every payload checked with
slack_sdk's models."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from tests.contract.driver import ANNA, BOB, shown_texts
from tests.support.slack_fake import USER, Call, FakeSlack
from tests.support.slack_support import (
    Running,
    assert_valid_blocks,
    assert_valid_view,
    slack_settings,
    start,
)

MEMBERS = {ANNA: USER, BOB: "U0BOB"}
# Methods whose calls show something to someone.
SHOWN = {"response_url", "chat.postMessage", "chat.postEphemeral", "chat.update", "views.open"}


@dataclass
class Shown:
    """A message with buttons, and where it sits (what a click on it carries)."""

    blocks: list[dict[str, Any]]
    ephemeral: bool
    ts: str


class SlackDriver:
    platform = "slack"

    def __init__(self, running: Running, server: TestServer, fake: FakeSlack) -> None:
        self.running = running
        self.server = server
        self.fake = fake
        self.services = running.services
        self.messages: dict[str, Shown] = {}
        self.forms: dict[str, tuple[dict[str, Any], str]] = {}
        self.fake.users.setdefault(
            MEMBERS[BOB], {"name": "bob", "real_name": "Bob Bakker", "tz": "Europe/Amsterdam"}
        )

    @classmethod
    async def start(cls, database_url: str, http: ClientSession) -> SlackDriver:
        fake = FakeSlack()
        await fake.start()
        running, server = await start(slack_settings(database_url, fake), fake, http)
        return cls(running, server, fake)

    async def close(self) -> None:
        await self.fake.settle(0.1)
        await self.server.close()  # also closes the services (the app's cleanup)
        await self.fake.close()

    async def say(self, text: str, *, member: str = ANNA) -> str:
        return await self._turn(member, self.running.slack.command(text, user=MEMBERS[member]))

    async def press(self, label: str, *, member: str = ANNA, on: str | None = None) -> str:
        shown = self.messages[on or member]
        action_id, value = next(
            (element["action_id"], element["value"])
            for block in shown.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["text"]["text"] == label
        )
        click = self.running.slack.click(
            action_id, value, user=MEMBERS[member], ephemeral=shown.ephemeral, message_ts=shown.ts
        )
        return await self._turn(member, click)

    async def submit(self, values: dict[str, str], *, member: str = ANNA) -> str:
        view, view_id = self.forms[member]
        # The same modal submitted twice carries the same view id, as in Slack.
        sent = self.running.slack.submit(view, values, user=MEMBERS[member], view_id=view_id)
        return await self._turn(member, sent)

    async def _turn(self, member: str, request: Any) -> str:
        before = len(self.fake.calls)
        status, body = await request
        assert status == 200, body
        await self.running.settled()  # what the app sends after its acknowledgement
        shown = [c for c in self.fake.calls[before:] if c.method in SHOWN]
        for call in shown:
            self._remember(member, call)
        texts = [text for call in shown for text in shown_texts(call.args)]
        if body:  # a modal answered in the acknowledgement: its fields' errors
            texts.extend(json.loads(body).get("errors", {}).values())
        return "\n".join(texts)

    def _remember(self, member: str, call: Call) -> None:
        if call.method == "views.open":
            assert_valid_view(call["view"])
            self.forms[member] = (call["view"], f"VCONTRACT{len(self.fake.calls)}")
            return
        blocks = call.args.get("blocks") or []
        if blocks:
            assert_valid_blocks(blocks)
        if any(block["type"] == "actions" for block in blocks):
            ephemeral = call.method == "response_url" and call.args.get("response_type") != (
                "in_channel"
            )
            ts = str(call.args.get("ts") or "1700000000.000001")
            self.messages[member] = Shown(blocks, ephemeral, ts)
