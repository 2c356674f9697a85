"""Helpers for the Slack adapter's tests: settings pointed at the loopback Slack Web API,
``waarom serve`` on a real port, a prompt asked and its buttons, and checks of Block Kit
payloads with slack_sdk's models."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from adapters.slack.app import SLACK
from bot import bootstrap
from bot.config import Settings
from bot.intake.safe_text import clean
from bot.web import create_app
from tests.support.slack_client import SlackClient
from tests.support.slack_fake import BOT_TOKEN, SIGNING_SECRET, FakeSlack


def slack_settings(database_url: str, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "waarom_language": "en",
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.api_url,
        "microsoft_app_id": "",
        "_env_file": None,
    }
    values.update(overrides)
    return Settings(**values)


class Running:
    """``waarom serve`` on a real port, with a signed Slack client pointed at it."""

    def __init__(
        self, services: bootstrap.Services, server: TestServer, slack: SlackClient
    ) -> None:
        self.services = services
        self.server = server
        self.slack = slack

    async def settled(self) -> None:
        """Wait for what the server sends Slack after its acknowledgements (replies)."""
        await self.server.app[SLACK].background.drain()


async def start(
    settings: Settings, fake: FakeSlack, http: ClientSession
) -> tuple[Running, TestServer]:
    services = bootstrap.build(settings)
    server = TestServer(create_app(services), host="127.0.0.1")
    await server.start_server()
    client = SlackClient(http, str(server.make_url("/")), fake)
    return Running(services, server, client), server


def buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    """action_id by core action name → value, from a rendered message."""
    found = {}
    for block in blocks:
        if block["type"] == "actions":
            for element in block["elements"]:
                found[element["action_id"].split("#")[0]] = element["value"]
                found[element["action_id"].split("#")[0] + ":id"] = element["action_id"]
    return found


async def ask(serve: Running, fake: FakeSlack) -> dict[str, str]:
    await serve.slack.command("ask")
    [prompt] = await fake.wait_for("response_url")
    assert_valid_blocks(prompt["blocks"])
    found = buttons(prompt["blocks"])
    assert {"nudge.answer", "nudge.skip", "nudge.later"} <= found.keys()
    return found


def assert_valid_blocks(blocks: list[dict[str, Any]], *, limit: int = 50) -> None:
    """Each block parses and validates with slack_sdk's own block models."""
    assert 0 < len(blocks) <= limit
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        assert block.to_dict() == raw


def assert_valid_view(view: dict[str, Any]) -> None:
    parsed = View(**view)
    parsed.validate_json()
    assert_valid_blocks(view["blocks"], limit=100)


# What Slack would turn into a mention or a link in mrkdwn.
LIVE_MARKUP = re.compile(r"<[!@#]|<https?:")
# Facts start with their label in bold: the one piece of formatting of our own.
_OUR_BOLD_LABEL = re.compile(r"^\*[^*\n]+\*\n")
# A formatting character, or a line that starts as a quote.
_FORMATTING = re.compile(r"[*_~`＊＿｀]|^(?:&gt;|＞)", re.MULTILINE)
# The soft hyphen the renderer puts before a ">" that starts a line in mrkdwn.
_QUOTE_GUARD = re.compile("^\u00ad(?=&gt;|＞)", re.MULTILINE)


def parsed_texts(payload: Any) -> list[str]:
    """The texts in a Slack payload that Slack reads as mrkdwn: a message's ``text`` and
    every ``mrkdwn`` text object. ``plain_text`` objects and rich text elements (which have
    another ``type``) are never parsed."""
    found: list[str] = []
    if isinstance(payload, dict):
        text = payload.get("text")
        if isinstance(text, str) and payload.get("type", "mrkdwn") == "mrkdwn":
            found.append(text)
        for value in payload.values():
            found.extend(parsed_texts(value))
    elif isinstance(payload, list):
        for item in payload:
            found.extend(parsed_texts(item))
    return found


def live_markup(payload: Any) -> list[str]:
    """Mentions and links Slack would make of the payload (none, for people's text)."""
    return [m.group(0) for text in parsed_texts(payload) for m in LIVE_MARKUP.finditer(text)]


def formatting(payload: Any) -> list[str]:
    """Formatting Slack would apply to the payload besides the facts' bold labels."""
    return [
        m.group(0)
        for text in parsed_texts(payload)
        for m in _FORMATTING.finditer(_OUR_BOLD_LABEL.sub("", text, count=1))
    ]


def shown_texts(payload: Any) -> list[str]:
    """Every text Slack shows from a payload, of any type (the values of ``text`` keys)."""
    if isinstance(payload, dict):
        own = [payload["text"]] if isinstance(payload.get("text"), str) else []
        return own + [text for value in payload.values() for text in shown_texts(value)]
    if isinstance(payload, list):
        return [text for item in payload for text in shown_texts(item)]
    return []


def hidden_characters(payload: Any) -> list[str]:
    """Shown texts that still hold characters which hide, reorder or control text."""
    return [
        text
        for text in shown_texts(payload)
        if clean(_QUOTE_GUARD.sub("", text)) != _QUOTE_GUARD.sub("", text)
    ]
