"""The direct message an idea's author gets when a lead moves or merges it.

One function for every surface that changes ideas (chat, the board), so they follow one
rule: nobody is told about their own change, and an author whose workspace or tenant is no
longer installed is not told at all. The target is found in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat.views import text_message
from bot.i18n import Translator
from bot.messages import Notify
from bot.storage import directory
from bot.storage.models import Idea


async def author_notice(
    session: AsyncSession, t: Translator, idea: Idea, actor_id: int, key: str, **values: object
) -> list[Notify]:
    """``t`` is the team's language, which the author reads."""
    if idea.author_member_id is None or idea.author_member_id == actor_id:
        return []
    target = await directory.reachable_member(session, idea.author_member_id)
    if target is None:
        return []
    return [Notify(target, text_message(t(key, id=idea.id, **values)))]
