"""The clock's way out to Slack: posts to channels and DMs, failures classified.

Slack's own error codes say whether trying again can help: an archived channel or a revoked
token will not fix itself, a rate limit (after the SDK's own retry) or a server error may.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.outbound import Sender, direct_channel, post
from bot.delivery import MemberTarget, PermanentFailure, TeamTarget, TransientFailure
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


class SlackDelivery:
    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    async def to_team(self, target: TeamTarget, message: Message) -> dict[str, Any]:
        channel = str((target.address or {}).get("channel") or target.conversation_id)

        async def go() -> dict[str, Any]:
            return await self.sender.to_channel(target.workspace_id, channel, message)

        return await _classified(go)

    async def to_member(self, target: MemberTarget, message: Message) -> dict[str, Any]:
        async def go() -> dict[str, Any]:
            client = await self.sender.client_for(target.workspace_id)
            channel = (target.address or {}).get("channel") or await direct_channel(
                client, target.user_id
            )
            return await post(client, str(channel), message)

        return await _classified(go)


async def _classified(call: Any) -> dict[str, Any]:
    try:
        result: dict[str, Any] = await call()
        return result
    except SlackApiError as exc:
        code = str(exc.response.get("error", "")) if exc.response is not None else ""
        if code in PERMANENT:
            raise PermanentFailure(f"Slack: {code}") from None
        retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
        raise TransientFailure(f"Slack: {code or exc}", float(retry) if retry else None) from None
    except LookupError as exc:  # the workspace has no token (uninstalled)
        raise PermanentFailure(str(exc)) from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise TransientFailure(f"Slack unreachable: {type(exc).__name__}") from None
