"""A client that sends requests to the app the way Slack does: slash commands, button clicks,
modal submissions, shortcuts and events, each signed with the signing secret. Reply URLs in
what it sends point at the loopback Slack Web API (:mod:`tests.support.slack_fake`)."""

from __future__ import annotations

import itertools
import json
import time
import urllib.parse
from typing import Any

from aiohttp import ClientSession
from slack_sdk.signature import SignatureVerifier

from tests.support.slack_fake import (
    BOT_USER,
    CHANNEL,
    CHANNEL_NAME,
    SIGNING_SECRET,
    TEAM,
    USER,
    FakeSlack,
)


def _button(action_id: str, value: str, at: float | None = None) -> dict[str, Any]:
    """A pressed button as Slack describes it in ``actions`` (``at``: when, by default now)."""
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": "b1",
        "value": value,
        "text": {"type": "plain_text", "text": "x"},
        "action_ts": f"{at if at is not None else time.time():.6f}",
    }


class SlackClient:
    """Sends requests to the app as Slack would: signed with the signing secret."""

    _ids = itertools.count(1)

    def __init__(
        self, http: ClientSession, base_url: str, fake: FakeSlack, secret: str = SIGNING_SECRET
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.fake = fake
        self.verifier = SignatureVerifier(secret)

    def headers(
        self, body: str, *, timestamp: int | None = None, content_type: str
    ) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body),
        }

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        path: str = "/slack/events",
    ) -> tuple[int, str]:
        sent = self.headers(body, timestamp=timestamp, content_type=content_type)
        sent.update(headers or {})
        async with self.http.post(
            self.base_url + path, data=body.encode(), headers=sent
        ) as response:
            return response.status, await response.text()

    def next_id(self) -> int:
        return next(self._ids)

    async def command(
        self,
        text: str,
        *,
        user: str = USER,
        channel: str = CHANNEL,
        team: str = TEAM,
        **kwargs: Any,
    ) -> tuple[int, str]:
        return await self.send(
            self.command_body(text, user=user, channel=channel, team=team),
            "application/x-www-form-urlencoded",
            **kwargs,
        )

    def command_body(
        self, text: str, *, user: str = USER, channel: str = CHANNEL, team: str = TEAM
    ) -> str:
        n = self.next_id()
        form = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "directmessage" if channel.startswith("D") else CHANNEL_NAME,
            "user_id": user,
            "user_name": user.lower(),
            "command": "/waarom",
            "text": text,
            "api_app_id": "A0WAAROM",
            "response_url": self.fake.response_url(f"cmd-{n}"),
            "trigger_id": f"{n}.1111.trigger{n:04d}",
        }
        return urllib.parse.urlencode(form)

    async def interactive(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self.send(body, "application/x-www-form-urlencoded", **kwargs)

    async def click(
        self,
        action_id: str,
        value: str,
        *,
        message_ts: str = "1700000000.000001",
        user: str = USER,
        channel: str = CHANNEL,
        action_ts: float | None = None,
        ephemeral: bool = False,
        **kwargs: Any,
    ) -> tuple[int, str]:
        n = self.next_id()
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0WAAROM",
            "trigger_id": f"{n}.2222.click{n:04d}",
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel, "name": CHANNEL_NAME},
            "message": {"type": "message", "ts": message_ts, "text": "prompt"},
            "response_url": self.fake.response_url(f"click-{n}"),
            "actions": [_button(action_id, value, action_ts)],
        }
        return await self.interactive(payload, **kwargs)

    async def home_click(
        self, action_id: str, value: str, *, user: str = USER, **kwargs: Any
    ) -> tuple[int, str]:
        """A button pressed on the App Home: Slack names the view, no channel, no
        response_url."""
        n = self.next_id()
        view_id = f"VHOME{n:05d}"
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0WAAROM",
            "trigger_id": f"{n}.6666.home{n:04d}",
            "container": {"type": "view", "view_id": view_id},
            "view": {"id": view_id, "type": "home", "team_id": TEAM, "blocks": []},
            "actions": [_button(action_id, value)],
        }
        return await self.interactive(payload, **kwargs)

    async def submit(
        self,
        view: dict[str, Any],
        values: dict[str, str],
        *,
        user: str = USER,
        view_id: str | None = None,
        **kwargs: Any,
    ) -> tuple[int, str]:
        """Submit a modal the app opened (``view`` as sent to views.open) with ``values``."""
        n = self.next_id()
        state: dict[str, Any] = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            name = block["block_id"]
            if name not in values:
                continue
            if element["type"] == "static_select":
                state[name] = {
                    element["action_id"]: {
                        "type": "static_select",
                        "selected_option": {"value": values[name]},
                    }
                }
            else:
                state[name] = {
                    element["action_id"]: {"type": "plain_text_input", "value": values[name]}
                }
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM},
            "api_app_id": "A0WAAROM",
            "trigger_id": f"{n}.3333.submit{n:04d}",
            "view": {
                **view,
                "id": view_id or f"VSUB{n:06d}",
                "team_id": TEAM,
                "hash": f"h{n}",
                "state": {"values": state},
            },
        }
        return await self.interactive(payload, **kwargs)

    async def shortcut(
        self, text: str, *, user: str = USER, channel: str = CHANNEL, **kwargs: Any
    ) -> tuple[int, str]:
        n = self.next_id()
        payload = {
            "type": "message_action",
            "callback_id": "log_feedback",
            "team": {"id": TEAM, "domain": "acme"},
            "user": {"id": user, "name": user.lower()},
            "channel": {"id": channel, "name": CHANNEL_NAME},
            "trigger_id": f"{n}.4444.short{n:04d}",
            "message_ts": "1700000000.000099",
            "response_url": self.fake.response_url(f"short-{n}"),
            "message": {
                "type": "message",
                "user": "U0OTHER",
                "ts": "1700000000.000099",
                "text": text,
            },
        }
        return await self.interactive(payload, **kwargs)

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, team: str = TEAM, **kwargs: Any
    ) -> tuple[int, str]:
        body = json.dumps(
            {
                "token": "legacy",
                "team_id": team,
                "api_app_id": "A0WAAROM",
                "type": "event_callback",
                "event_id": event_id or f"Ev{self.next_id():08d}",
                "event_time": int(time.time()),
                "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}],
                "event": event,
            }
        )
        return await self.send(body, "application/json", **kwargs)
