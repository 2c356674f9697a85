"""The chat surface, the same on every platform: commands, buttons, forms, home, welcome.

Adapters turn platform events into these calls and render the outcomes they return
(:mod:`bot.messages`). Each call writes in one database transaction. Inside: who is speaking
(:mod:`~bot.chat.identity`), typed commands (:mod:`~bot.chat.commands`) and their handlers
by topic, a prompt's buttons (:mod:`~bot.chat.buttons`), submitted forms
(:mod:`~bot.chat.forms`) and the bot's comings and goings (:mod:`~bot.chat.lifecycle`).
"""

from __future__ import annotations

from bot.chat.buttons import handle_action
from bot.chat.commands import handle_text
from bot.chat.forms import SavedForm, after_form, check_form, handle_form, save_form
from bot.chat.identity import Context
from bot.chat.lifecycle import (
    conversation_removed,
    feedback_form,
    home,
    joined,
    workspace_removed,
)

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
    "save_form",
    "workspace_removed",
]
