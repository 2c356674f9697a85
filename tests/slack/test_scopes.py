"""The app asks Slack for every scope its Web API calls need, and the fake holds it to that.

Slack refuses a method whose scope the token lacks (``missing_scope``); the clock once read
``conversations.history`` for crash recovery with no ``*:history`` scope in the manifest, so
every unclear send was recorded ``unknown`` in a real workspace while the tests passed.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import re
from pathlib import Path

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import app as slack_app
from adapters.slack.delivery import SlackDelivery
from adapters.slack.outbound import Sender
from bot import bootstrap
from bot.clock.delivery import PermanentFailure, TeamTarget
from bot.messages import Message, Paragraph
from tests.support.slack_fake import (
    BOT_TOKEN,
    CHANNEL,
    KINDS,
    METHOD_SCOPES,
    TEAM,
    FakeSlack,
    manifest_scopes,
)
from tests.support.slack_support import slack_settings

ADAPTER = Path(slack_app.__file__).parent
# Methods Bolt calls by itself on the app's behalf.
BOLT_CALLS = {"auth.test", "oauth.v2.access"}


def api_method(sdk_name: str) -> str | None:
    """``chat_postMessage`` → ``chat.postMessage``, read from the SDK's own source."""
    function = getattr(AsyncWebClient, sdk_name, None)
    if function is None or not callable(function) or sdk_name.startswith("_"):
        return None
    found = re.search(r'api_call\(\s*"([^"]+)"', inspect.getsource(function))
    return found.group(1) if found else None


def methods_called() -> dict[str, set[str]]:
    """Every Web API method called in adapters/slack → the files calling it."""
    called: dict[str, set[str]] = {}
    for path in sorted(ADAPTER.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                method = api_method(node.func.attr)
                if method is not None:
                    called.setdefault(method, set()).add(path.name)
    return called


# Conversation methods are used on a team's channel, private channel or DM, except these:
# conversations.info only names a channel the bot was just added to (never a DM).
KINDS_USED = {"conversations.info": ("channels", "groups")}


def needed(method: str) -> set[str]:
    kinds = KINDS_USED.get(method, KINDS)
    return {scope.format(kind=kind) for scope in METHOD_SCOPES[method] for kind in kinds}


def test_the_walk_finds_the_calls_it_must() -> None:
    called = methods_called()
    for method in ("chat.postMessage", "conversations.history", "users.info", "views.open"):
        assert method in called, sorted(called)


def test_every_web_api_method_the_code_calls_has_its_scope_in_the_manifest() -> None:
    granted = manifest_scopes()
    called = set(methods_called()) | BOLT_CALLS
    unknown = called - METHOD_SCOPES.keys()
    assert not unknown, f"add the scopes of {sorted(unknown)} from Slack's docs to METHOD_SCOPES"
    missing = {method: needed(method) - granted for method in called if needed(method) - granted}
    assert not missing, f"the manifest lacks scopes: {missing}"
    assert set(slack_app.BOT_SCOPES) == granted  # what OAuth asks for is the manifest's


async def test_the_fake_refuses_a_method_without_its_scope(fake_slack: FakeSlack) -> None:
    fake_slack.scopes = manifest_scopes() - {"chat:write"}
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel=CHANNEL, text="hello")
    assert refused.value.response["error"] == "missing_scope"
    assert refused.value.response["needed"] == "chat:write"
    assert "chat:write" not in refused.value.response["provided"]
    assert (await client.users_info(user="U0ANNA"))["ok"]


@pytest.mark.parametrize("lacking", [None, "channels:history"])
async def test_crash_recovery_can_look_in_the_channel(
    database_url: str, fake_slack: FakeSlack, lacking: str | None
) -> None:
    """What the clock does after a crash: look for the send's marker in the channel."""
    if lacking is not None:
        fake_slack.scopes = manifest_scopes() - {lacking}
    services = bootstrap.build(slack_settings(database_url, fake_slack))
    try:

        async def token(_workspace: str) -> str:
            return BOT_TOKEN

        delivery = SlackDelivery(
            Sender(services, token, AsyncWebClient(base_url=fake_slack.api_url)), per_second=50
        )
        target = TeamTarget("slack", TEAM, CHANNEL, {"channel": CHANNEL})
        since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        await delivery.to_team(target, Message((Paragraph("digest"),), "digest"), "digest:7")
        if lacking is None:
            assert await delivery.delivered(target, "digest:7", since) is True
            assert await delivery.delivered(target, "digest:8", since) is False
        else:
            # What `waarom status` shows for the send: the scope to add.
            with pytest.raises(PermanentFailure, match="add the scope channels:history"):
                await delivery.delivered(target, "digest:7", since)
        await delivery.close()
    finally:
        await services.close()
