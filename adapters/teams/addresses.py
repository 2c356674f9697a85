"""Conversation references as stored JSON, and where an activity came from as an Origin.

A reference (service URL, tenant, conversation, bot) is all the Bot Connector needs to post
into a conversation later, so it is kept in the database (``Team.address``,
``Member.address``) and survives restarts.
"""

from __future__ import annotations

import hashlib
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot.chat.origin import Origin

PLATFORM = "teams"
# Activities from the Bot Framework Emulator carry no tenant; they are this marker's, which is
# never a real tenant id (those are GUIDs).
NO_TENANT = "local"


def thread_root(conversation_id: str) -> str:
    """A channel conversation without the ``;messageid=…`` of the thread a message is in:
    the channel is the team, and proactive posts start new threads there."""
    return conversation_id.split(";messageid=", 1)[0]


def _mapping(value: object) -> dict[str, Any]:
    """``channelData`` and its parts are free-form JSON: anything but an object is empty."""
    return value if isinstance(value, dict) else {}


def _named_tenant(activity: Activity) -> str | None:
    conversation = activity.conversation
    if conversation is not None:
        # The SDK reads "tenantID"; Teams writes "tenantId", which the SDK keeps aside.
        extra = _mapping(getattr(conversation, "additional_properties", None))
        for tenant_id in (conversation.tenant_id, extra.get("tenantId")):
            if tenant_id and isinstance(tenant_id, str):
                return tenant_id
    tenant_id = _mapping(_mapping(activity.channel_data).get("tenant")).get("id")
    return tenant_id if tenant_id and isinstance(tenant_id, str) else None


def has_tenant(activity: Activity) -> bool:
    return _named_tenant(activity) is not None


def tenant_of(activity: Activity) -> str:
    """The Azure AD tenant id Teams names in the activity; :data:`NO_TENANT` for the
    Emulator's activities (the endpoint refuses any other activity without one)."""
    return _named_tenant(activity) or NO_TENANT


def roster_source(activity: Activity) -> str | None:
    """What the members of the conversation of ``activity`` are listed by: the team's id in
    the team's General channel (whose id is the team's, and where Teams announces installs
    and members), the chat's id in a group chat; None elsewhere (a personal chat, another
    channel: its team's members are read once, for the General channel's team)."""
    conversation = activity.conversation
    if conversation is None or not conversation.id:
        return None
    team_id = _mapping(_mapping(activity.channel_data).get("team")).get("id")
    if team_id and isinstance(team_id, str):
        return team_id if thread_root(conversation.id) == team_id else None
    if conversation.conversation_type == "groupChat":
        return thread_root(conversation.id)
    return None


def reference_of(activity: Activity) -> dict[str, Any]:
    """The stored form of the reference to the conversation (not the thread) of ``activity``."""
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    if reference.conversation is not None and reference.conversation.id:
        reference.conversation.id = thread_root(reference.conversation.id)
        if not reference.conversation.tenant_id and tenant_of(activity) != NO_TENANT:
            reference.conversation.tenant_id = tenant_of(activity)
    return reference.serialize()  # type: ignore[no-any-return]


def reference_from(address: dict[str, Any]) -> ConversationReference:
    return ConversationReference().deserialize(address)


def event_id(activity: Activity) -> str | None:
    """The replay key of an activity. Teams message ids are unique within a conversation
    only, so the conversation is part of the key (hashed, to fit the column)."""
    if not activity.id:
        return None
    conversation = activity.conversation.id if activity.conversation else ""
    digest = hashlib.sha256((conversation or "").encode()).hexdigest()[:32]
    return f"{activity.id[:160]}@{digest}"


def origin_of(activity: Activity, home_tenant: str | None = None) -> Origin:
    """Where ``activity`` came from. ``home_tenant`` is the operator's own tenant (that of a
    single-tenant app); it and the Emulator (``local``) read the default organisation."""
    channel_data = _mapping(activity.channel_data)
    team = _mapping(channel_data.get("team"))
    channel = _mapping(channel_data.get("channel"))
    conversation = activity.conversation
    user = activity.from_property
    direct = bool(conversation and conversation.conversation_type == "personal")
    if conversation and conversation.conversation_type is None:
        # The Emulator has no conversation types: its chats are one-to-one.
        direct = activity.channel_id == "emulator"
    address = reference_of(activity)
    bot_id = activity.recipient.id if activity.recipient else None
    mentioned = tuple(
        str(entity.additional_properties["mentioned"]["id"])
        for entity in activity.entities or ()
        if entity.type == "mention"
        and isinstance((entity.additional_properties or {}).get("mentioned"), dict)
        and entity.additional_properties["mentioned"].get("id")
        and entity.additional_properties["mentioned"]["id"] != bot_id
    )
    return Origin(
        platform=PLATFORM,
        workspace_id=tenant_of(activity),
        conversation_id=thread_root(conversation.id) if conversation else "",
        user_id=user.id if user else "",
        workspace_name=str(team.get("name") or ""),
        conversation_name=str(
            channel.get("name")
            or (conversation.name if conversation else "")
            or team.get("name")
            or ""
        ),
        user_name=(user.name or "") if user else "",
        user_timezone=activity.local_timezone or None,
        # Teams does not tell whether someone is a tenant admin; the member who added the
        # bot leads a team until leads are set.
        user_is_admin=None,
        conversation_address=address,
        user_address=address if direct else None,
        direct=direct,
        # People @mentioned in the command (not the bot), e.g. an idea's new owner.
        mentions=mentioned,
        home=tenant_of(activity) in {NO_TENANT, home_tenant},
    )
