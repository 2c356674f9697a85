"""The clock's way out to Slack: posts to channels and DMs, failures classified.

Slack's own error codes say whether trying again can help: an archived channel or a revoked
token will not fix itself, a rate limit (after the SDK's own retry) or a server error may.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbound import Sender, direct_channel, message_args
from bot.clock.delivery import MemberTarget, PermanentFailure, TeamTarget, TransientFailure
from bot.messages import Message

PERMANENT = frozenset(
    {
        "account_inactive",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "invalid_auth",
        "token_revoked",
        "token_expired",
        "missing_scope",
        "team_access_not_granted",
        "not_authed",
        "user_not_found",
        "cannot_dm_bot",
        "restricted_action",
        "no_permission",
        "org_login_required",
        "ekm_access_denied",
        "team_not_found",
        "user_disabled",
    }
)


EVENT_TYPE = "waarom_send"


# Added to every pacing window: a request reaches Slack a little later than it leaves, by a
# varying amount, and two sends a whole window apart here must not land inside one there.
MARGIN = 0.02


class Window:
    """At most ``count`` sends in any window of ``seconds`` (Slack's own way of counting),
    spread evenly over the window.

    A token bucket lets a window hold its rate plus the bucket, and each send Slack refuses
    costs a second's wait; bursts make Slack answer some requests later than others, moving
    them into the next window. So sends are spaced ``seconds / count`` apart on a schedule
    (waking a little late does not push every later send back), a send that fell behind it
    catches up by at most ``MARGIN``, and the window is checked as well."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.spacing = seconds / count
        self.lock = asyncio.Lock()  # waiters take turns, first come first served
        self._times: deque[float] = deque()
        self._next = 0.0

    def wait(self, now: float) -> float:
        """Seconds until the next send may go (0: now)."""
        while self._times and now - self._times[0] >= self.seconds:
            self._times.popleft()
        full = self._times[0] + self.seconds - now if len(self._times) >= self.count else 0.0
        return max(full, self._next - now, 0.0)

    def take(self, now: float) -> None:
        self._times.append(now)
        self._next = max(self._next, now - MARGIN) + self.spacing


def window(per_second: float) -> Window:
    count = max(1, math.floor(per_second))
    return Window(count, count / per_second + MARGIN)


async def turn(channel: Window, workspace: Window) -> None:
    """Wait until one more send fits in both the channel's and the workspace's window.

    The channel is waited for first and the turn recorded in both at the same moment, so a
    send waiting for a busy channel does not hold a place in the workspace's window."""
    # Under each lock no one else takes a place, so one sleep is enough.
    loop = asyncio.get_running_loop()
    async with channel.lock:
        await asyncio.sleep(channel.wait(loop.time()))
        async with workspace.lock:
            await asyncio.sleep(workspace.wait(loop.time()))
            now = loop.time()
            workspace.take(now)
            channel.take(now)


class SlackDelivery:
    """``per_second``: the pace for one workspace (Slack allows one message a second in a
    channel). Pacing here, rather than only retrying after a 429, keeps a fan-out to
    thousands of channels at the limit instead of bouncing off it; the SDK's rate-limit
    handler still honours any ``Retry-After`` that comes."""

    def __init__(self, sender: Sender, per_second: float = 5.0) -> None:
        self.sender = sender
        self.per_second = per_second
        self._workspaces: dict[str, Window] = {}
        self._channels: dict[str, Window] = {}
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _pace(self, workspace_id: str, channel: str) -> tuple[Window, Window]:
        workspace = self._workspaces.get(workspace_id)
        if workspace is None:
            workspace = self._workspaces[workspace_id] = window(self.per_second)
        per_channel = self._channels.get(channel)
        if per_channel is None:
            per_channel = self._channels[channel] = window(1.0)
        return workspace, per_channel

    async def _channel(self, target: TeamTarget | MemberTarget) -> tuple[AsyncWebClient, str]:
        template = self.sender.client
        if template.session is None or template.session.closed:
            # One HTTP session for all sends, its connections kept alive: without one the SDK
            # opens a connection (and a TLS handshake) per message. Made here, where the
            # event loop runs; :meth:`close` ends it.
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=template.timeout)
            )
            template.session = self._session
        client = await self.sender.client_for(target.workspace_id)
        channel = (target.address or {}).get("channel")
        if channel:
            return client, str(channel)
        if isinstance(target, MemberTarget):
            return client, await direct_channel(client, target.user_id)
        return client, target.conversation_id

    async def to_team(self, target: TeamTarget, message: Message, marker: str) -> dict[str, Any]:
        return await _classified(lambda: self._post(target, message, marker))

    async def to_member(
        self, target: MemberTarget, message: Message, marker: str
    ) -> dict[str, Any]:
        return await _classified(lambda: self._post(target, message, marker))

    async def _post(
        self, target: TeamTarget | MemberTarget, message: Message, marker: str
    ) -> dict[str, Any]:
        client, channel = await self._channel(target)
        ref: dict[str, Any] = {}
        workspace, per_channel = self._pace(target.workspace_id, channel)
        for page in message_args(message):
            # The first page carries the send's marker as message metadata, so that after a
            # crash the clock can look in the channel to see whether it arrived.
            extra: dict[str, Any] = (
                {}
                if ref
                else {"metadata": {"event_type": EVENT_TYPE, "event_payload": {"marker": marker}}}
            )
            await turn(per_channel, workspace)
            response = await client.chat_postMessage(channel=channel, **page, **extra)
            if not ref:
                ref = {"channel": str(response["channel"]), "ts": str(response["ts"])}
        return ref

    async def delivered(
        self, target: TeamTarget | MemberTarget, marker: str, since: datetime
    ) -> bool | None:
        async def look() -> dict[str, Any]:
            client, channel = await self._channel(target)
            response = await client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                include_all_metadata=True,
                limit=200,
            )
            messages: list[dict[str, Any]] = response.get("messages", [])
            found = any(
                (item.get("metadata") or {}).get("event_payload", {}).get("marker") == marker
                for item in messages
            )
            return {"found": found}

        return bool((await _classified(look))["found"])


async def _classified(call: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await call()
        return result
    except SlackApiError as exc:
        code = str(exc.response.get("error", "")) if exc.response is not None else ""
        if code == "missing_scope" and exc.response is not None:
            # Said in `waarom status`: the operator adds the scope and reinstalls the app.
            needed = exc.response.get("needed") or "?"
            raise PermanentFailure(
                f"Slack: missing_scope: add the scope {needed} to the app and reinstall it"
            ) from None
        if code in PERMANENT:
            raise PermanentFailure(f"Slack: {code}") from None
        retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
        raise TransientFailure(f"Slack: {code or exc}", float(retry) if retry else None) from None
    except LookupError as exc:  # the workspace has no token (uninstalled)
        raise PermanentFailure(str(exc)) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise TransientFailure(f"Slack unreachable: {type(exc).__name__}") from None
