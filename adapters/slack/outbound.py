"""What goes out: the core's outcomes performed as Slack Web API calls.

One :class:`Reply` describes where the answer to one inbound request goes (the channel,
the person, the message a button was on, a ``response_url``, a ``trigger_id``);
:func:`deliver` performs the outcomes there. :class:`Sender` posts to a channel or a member
without an inbound request (digests, nudges, notifications).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from bot.bootstrap import Services
from bot.clock.delivery import MemberTarget
from bot.messages import FormErrors, Message, Notify, OpenForm, Outcome, Say, UpdateOrigin

log = logging.getLogger(__name__)

# workspace (team) id → a bot token for it, or None when the workspace is not installed.
TokenLookup = Callable[[str], Awaitable[str | None]]


@dataclass
class Reply:
    client: AsyncWebClient
    workspace_id: str
    user_id: str
    channel_id: str = ""
    # The message a button was pressed on (to update it) and whether only the user sees it.
    message_ts: str = ""
    message_ephemeral: bool = False
    trigger_id: str = ""
    respond: AsyncRespond | None = None


def message_args(message: Message) -> list[dict[str, Any]]:
    # parse="none" and no link_names: text is shown as written, never as mentions.
    return [
        {**page, "parse": "none", "link_names": False} for page in render.message_pages(message)
    ]


async def post(client: AsyncWebClient, channel: str, message: Message) -> dict[str, str]:
    """Post ``message`` (all its pages) to ``channel``; returns where the first page landed
    (``{"channel", "ts"}``) so that it can be updated later."""
    ref: dict[str, str] = {}
    for page in message_args(message):
        response = await client.chat_postMessage(channel=channel, **page)
        if not ref:
            ref = {"channel": str(response["channel"]), "ts": str(response["ts"])}
    return ref


async def direct_channel(client: AsyncWebClient, user_id: str) -> str:
    response = await client.conversations_open(users=user_id)
    return str(response["channel"]["id"])


async def _say(reply: Reply, say: Say) -> None:
    if reply.respond is not None:
        # A response_url works in every conversation, also those the bot is not in.
        for page in render.message_pages(say.message):
            await reply.respond(
                **page,
                response_type="ephemeral" if say.private else "in_channel",
                replace_original=False,
            )
        return
    if not reply.channel_id:
        # From the App Home or a modal: no conversation, so answer in the app's DM.
        await post(reply.client, await direct_channel(reply.client, reply.user_id), say.message)
        return
    if say.private:
        for page in message_args(say.message):
            await reply.client.chat_postEphemeral(
                channel=reply.channel_id, user=reply.user_id, **page
            )
        return
    await post(reply.client, reply.channel_id, say.message)


async def _update_origin(reply: Reply, update: UpdateOrigin) -> None:
    first = message_args(update.message)[0]
    if reply.message_ts and reply.channel_id and not reply.message_ephemeral:
        await reply.client.chat_update(channel=reply.channel_id, ts=reply.message_ts, **first)
    elif reply.respond is not None:
        await reply.respond(text=first["text"], blocks=first.get("blocks"), replace_original=True)
    else:
        log.warning("cannot update the origin message: no channel/ts and no response_url")


async def _open_form(reply: Reply, open_form: OpenForm) -> None:
    if not reply.trigger_id:
        log.warning(
            "cannot open form %s: the request carried no trigger_id", open_form.form.form_id
        )
        return
    state = render.FormState(
        form_id=open_form.form.form_id,
        context=open_form.form.context,
        channel=reply.channel_id,
        message_ts="" if reply.message_ephemeral else reply.message_ts,
        response_url=(reply.respond.response_url or "")
        if reply.message_ephemeral and reply.respond is not None
        else "",
        language=open_form.form.language,
    )
    await reply.client.views_open(
        trigger_id=reply.trigger_id, view=render.modal_view(open_form.form, state)
    )


async def deliver(
    services: Services, reply: Reply, outcomes: Sequence[Outcome], tokens: TokenLookup
) -> None:
    """Perform ``outcomes`` in order. One failing outcome does not stop the others."""
    failures: list[Exception] = []
    for outcome in outcomes:
        try:
            match outcome:
                case Say():
                    await _say(reply, outcome)
                case UpdateOrigin():
                    await _update_origin(reply, outcome)
                case OpenForm():
                    await _open_form(reply, outcome)
                case Notify():
                    await Sender(services, tokens, reply.client).to_member(
                        outcome.target, outcome.message
                    )
                case FormErrors():
                    # Only meaningful as the answer to a modal submission (handled there).
                    log.warning("form errors outside a form submission: %s", outcome.errors)
        except SlackApiError as exc:
            log.error(
                "Slack refused %s in workspace %s: %s",
                type(outcome).__name__,
                reply.workspace_id,
                exc.response.get("error"),
            )
            failures.append(exc)
    if failures:
        raise failures[0]


class Sender:
    """Messages without an inbound request: to a channel, or to a member by DM."""

    def __init__(
        self, services: Services, tokens: TokenLookup, client: AsyncWebClient | None = None
    ) -> None:
        self.services = services
        self.tokens = tokens
        # A template for per-workspace clients: base URL, retry handlers, session.
        self.client = client or AsyncWebClient()

    async def client_for(self, workspace_id: str) -> AsyncWebClient:
        token = await self.tokens(workspace_id)
        if token is None:
            raise LookupError(f"Slack workspace {workspace_id} is not installed")
        template = self.client
        return AsyncWebClient(
            token=token,
            base_url=template.base_url,
            timeout=template.timeout,
            session=template.session,
            retry_handlers=list(template.retry_handlers),
            logger=template.logger,
        )

    async def to_channel(self, workspace_id: str, channel: str, message: Message) -> dict[str, str]:
        return await post(await self.client_for(workspace_id), channel, message)

    async def to_member(self, target: MemberTarget, message: Message) -> dict[str, str] | None:
        """Direct message to a member the core found (in an installed workspace); one on
        another platform cannot be reached from here."""
        if target.platform != "slack":
            log.info("notify: member %s is not on Slack", target.member_id)
            return None
        client = await self.client_for(target.workspace_id)
        channel = (target.address or {}).get("channel") or await direct_channel(
            client, target.user_id
        )
        return await post(client, channel, message)
