"""A team's members from Teams, and a personal chat with each
(:class:`bot.clock.roster.RosterSource`).

Teams lists a team's (or group chat's) members a page at a time (``GET
/v3/conversations/{team id}/pagedmembers``, through ``TeamsInfo.get_paged_team_members``) and
opens a personal chat with any of them on request (``POST /v3/conversations``): that chat's
reference is the member's address, exactly what a chat they started would have given. Both
calls are retried on throttling and gateway errors (:mod:`.retry`); what still fails is
classified for the core. Teams refuses a chat (403) with a guest or someone for whom the app
is not available; that person is unreachable, not the whole team.

:class:`RosterTasks` runs the reading after the turn that asked for it, so an install is
acknowledged at once however big the team.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiohttp
from botbuilder.core import BotAdapter, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import (
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import HttpOperationError

from adapters.teams.addresses import reference_from
from adapters.teams.proactive import TeamsSender
from adapters.teams.retry import retry_after, status_of
from bot.clock.delivery import PermanentFailure, TransientFailure
from bot.clock.roster import Person, RosterPage, RosterTarget
from bot.clock.roster_keeper import Keeper

log = logging.getLogger(__name__)

T = TypeVar("T")

# Teams serves 50 to 500 members a page. Each page is written (members and their chats) before
# the next is asked for; small pages keep those transactions short.
PAGE_SIZE = 50
# The request itself is refused (400), the member or team is not there for the bot (403,
# 404): asking again will not help.
PERMANENT_STATUSES = frozenset({400, 403, 404})
# Teams of several installs read at once; each reads its members one call at a time, which
# keeps a tenant well under Teams' limit of 50 calls a second.
TEAMS_AT_ONCE = 2


class TeamsRoster:
    def __init__(self, sender: TeamsSender) -> None:
        self._sender = sender

    async def roster_page(self, target: RosterTarget, cursor: str | None) -> RosterPage:
        async def page(turn_context: TurnContext) -> Any:
            return await TeamsInfo.get_paged_team_members(
                turn_context, target.source_id, cursor, PAGE_SIZE
            )

        result = await self._call(target, page, "roster page")
        people = tuple(
            Person(m.id, m.name or "", m.aad_object_id) for m in result.members or () if m.id
        )
        return RosterPage(people, result.continuation_token or None)

    async def open_direct(self, target: RosterTarget, person: Person) -> dict[str, Any]:
        tenant = target.workspace_id
        team = reference_from(dict(target.address or {}))
        user = ChannelAccount(
            id=person.user_id, name=person.name or None, aad_object_id=person.directory_id
        )

        async def create(turn_context: TurnContext) -> Any:
            client = turn_context.turn_state.get(BotAdapter.BOT_CONNECTOR_CLIENT_KEY)
            parameters = ConversationParameters(
                is_group=False,
                bot=team.bot,
                members=[user],
                tenant_id=tenant,
                # Teams reads the tenant from here.
                channel_data={"tenant": {"id": tenant}},
            )
            return await client.conversations.create_conversation(parameters)

        created = await self._call(target, create, "personal chat")
        # The reference a message in that chat would have carried, as Member.address.
        reference = ConversationReference(
            channel_id=team.channel_id,
            service_url=created.service_url or team.service_url,
            bot=team.bot,
            user=user,
            conversation=ConversationAccount(
                id=created.id, conversation_type="personal", tenant_id=tenant
            ),
        )
        return reference.serialize()  # type: ignore[no-any-return]

    async def _call(
        self, target: RosterTarget, call: Callable[[TurnContext], Awaitable[T]], what: str
    ) -> T:
        if not target.address:
            raise PermanentFailure("Teams: no conversation reference stored for this team")
        try:
            return await self._sender.call(dict(target.address), call, what=what)
        except HttpOperationError as exc:
            status = status_of(exc)
            if status in PERMANENT_STATUSES:
                raise PermanentFailure(f"Teams: HTTP {status}") from None
            raise TransientFailure(f"Teams: HTTP {status}", retry_after(exc)) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TransientFailure(f"Teams unreachable: {type(exc).__name__}") from None


class RosterTasks:
    """Roster work a turn asked for, run after the turn in this process. A team asked for
    while it is being kept is kept once more afterwards; nothing is lost if the process
    stops first, as the work waits in the database for the clock's sweep."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper
        self._running: dict[int, asyncio.Task[None]] = {}
        self._again: set[int] = set()
        self._limit = asyncio.Semaphore(TEAMS_AT_ONCE)

    def start(self, team_id: int) -> None:
        if team_id in self._running:
            self._again.add(team_id)
            return
        self._running[team_id] = asyncio.create_task(self._run(team_id))

    async def _run(self, team_id: int) -> None:
        try:
            while True:
                self._again.discard(team_id)
                async with self._limit:
                    await self.keeper.catch_up([team_id])
                if team_id not in self._again:
                    return
        except Exception:
            log.exception("roster of team %s: left for the clock", team_id)
        finally:
            self._running.pop(team_id, None)

    async def idle(self) -> None:
        """Until every task started has finished (tests, and a graceful stop)."""
        while self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    async def stop(self) -> None:
        """Cancel what runs: each releases its claim, and the clock finishes the work."""
        for task in list(self._running.values()):
            task.cancel()
        await self.idle()
