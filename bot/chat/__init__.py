"""The chat surface, the same on every platform: commands, buttons, forms, home, welcome.

Adapters turn platform events into these calls and render the outcomes they return
(:mod:`bot.messages`). Each call writes in one database transaction. Inside: who is speaking
(:mod:`~bot.chat.identity`), typed commands (:mod:`~bot.chat.commands`) and their handlers
by topic, a prompt's buttons (:mod:`~bot.chat.buttons`), submitted forms
(:mod:`~bot.chat.forms`) and the bot's comings and goings (:mod:`~bot.chat.lifecycle`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import lazy

if TYPE_CHECKING:
    from bot.chat.buttons import handle_action as handle_action
    from bot.chat.commands import handle_text as handle_text
    from bot.chat.forms import SavedForm as SavedForm
    from bot.chat.forms import after_form as after_form
    from bot.chat.forms import check_form as check_form
    from bot.chat.forms import handle_form as handle_form
    from bot.chat.forms import save_form as save_form
    from bot.chat.identity import Context as Context
    from bot.chat.identity import language_of as language_of
    from bot.chat.lifecycle import conversation_removed as conversation_removed
    from bot.chat.lifecycle import feedback_form as feedback_form
    from bot.chat.lifecycle import home as home
    from bot.chat.lifecycle import joined as joined
    from bot.chat.lifecycle import workspace_removed as workspace_removed

# Loaded when first used (:mod:`bot.lazy`).
_EXPORTS = {
    "handle_action": "bot.chat.buttons",
    "handle_text": "bot.chat.commands",
    "SavedForm": "bot.chat.forms",
    "after_form": "bot.chat.forms",
    "check_form": "bot.chat.forms",
    "handle_form": "bot.chat.forms",
    "save_form": "bot.chat.forms",
    "Context": "bot.chat.identity",
    "language_of": "bot.chat.identity",
    "conversation_removed": "bot.chat.lifecycle",
    "feedback_form": "bot.chat.lifecycle",
    "home": "bot.chat.lifecycle",
    "joined": "bot.chat.lifecycle",
    "workspace_removed": "bot.chat.lifecycle",
}

__all__ = [
    "Context",
    "SavedForm",
    "after_form",
    "check_form",
    "conversation_removed",
    "feedback_form",
    "handle_action",
    "handle_form",
    "handle_text",
    "home",
    "joined",
    "language_of",
    "save_form",
    "workspace_removed",
]

__getattr__ = lazy.exports(__name__, _EXPORTS)
