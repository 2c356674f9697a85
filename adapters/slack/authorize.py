"""Who the bot is, for each request, without asking Slack in front of it.

Bolt's own authorisation calls ``auth.test``: once per process for a single workspace, and on
every request for OAuth installs. A request then waits for Slack before anything is stored,
and a slow Slack makes every answer late. Here the token and the bot's ids come from what is
already known: the configured token (its bot user id from one ``auth.test`` made at start-up,
in the background), or the installation stored at OAuth time, which holds them.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_bolt.authorization.async_authorize import AsyncAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)

# The longest a request waits for a Slack lookup it needs before it stores anything.
LOOKUP_WAIT = 1.0


class TokenAuthorize(AsyncAuthorize):
    """One workspace: the configured bot token; the bot user id once ``auth.test`` said it."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self.bot_user_id: str | None = None
        self.bot_id: str | None = None
        # The workspace the token belongs to, once auth.test has said.
        self.team_id: str | None = None
        self._asking: asyncio.Task[None] | None = None

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_kwargs: Any,
    ) -> AuthorizeResult | None:
        if self.bot_user_id is None:
            self.learn()
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=self.client.token,
            bot_user_id=self.bot_user_id,
            bot_id=self.bot_id,
            user_id=user_id,
        )

    def learn(self) -> None:
        """Ask ``auth.test`` in the background (once at a time)."""
        if self._asking is None or self._asking.done():
            self._asking = asyncio.create_task(self._ask())

    async def _ask(self) -> None:
        try:
            found = await self.client.auth_test()
        except (SlackApiError, OSError, TimeoutError) as exc:
            log.warning("auth.test failed; asking again with the next request: %s", exc)
            return
        self.bot_user_id = found.get("user_id")
        self.bot_id = found.get("bot_id")
        self.team_id = found.get("team_id")

    async def bot_user(self, within: float = LOOKUP_WAIT) -> str | None:
        """The bot's user id, waiting at most ``within`` seconds for ``auth.test``."""
        if self.bot_user_id is None:
            self.learn()
            assert self._asking is not None
            await asyncio.wait({self._asking}, timeout=within)
        return self.bot_user_id


class StoredAuthorize(AsyncAuthorize):
    """Many workspaces: the bot token and ids saved with the installation."""

    def __init__(self, store: AsyncInstallationStore) -> None:
        self.store = store

    async def __call__(
        self,
        *,
        context: AsyncBoltContext,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None,
        **_kwargs: Any,
    ) -> AuthorizeResult | None:
        bot = await self.store.async_find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=context.is_enterprise_install,
        )
        if bot is None or not bot.bot_token:
            return None
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id,
            bot_token=bot.bot_token,
            bot_user_id=bot.bot_user_id,
            bot_id=bot.bot_id,
            bot_scopes=bot.bot_scopes,
            user_id=user_id,
        )
