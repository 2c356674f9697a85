"""Which card opened a form, carried in the form's data and sealed so a client cannot change it.

A card's data comes back from the client as the client likes. When an answer form was opened
by a prompt card's button, the prompt card should say "answered" once the form is submitted;
but a plain card id in the form's data would let a tampered client name any bot card in the
conversation to be overwritten. So the id travels with an HMAC over the conversation and the
id, keyed with a server secret: a submit may update the card its form names only when the
seal matches. Without a stable secret (the Emulator without ``WAAROM_SECRET_KEY``) the key is
the process's own, and after a restart the prompt card is simply left as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from adapters.teams.settings import TeamsSettings
from bot.config import Settings

ORIGIN = "waarom_origin"
SEAL = "waarom_origin_seal"
_PROCESS_KEY = secrets.token_bytes(32)


def key_of(settings: Settings) -> bytes:
    for secret in (settings.waarom_secret_key, settings.part(TeamsSettings).app_password):
        if secret is not None and secret.get_secret_value():
            return hashlib.sha256(
                b"waarom-card-origin\0" + secret.get_secret_value().encode()
            ).digest()
    return _PROCESS_KEY


def _mac(key: bytes, conversation_id: str, card_id: str) -> str:
    message = f"{conversation_id}\0{card_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def sealed(key: bytes, conversation_id: str, card_id: str) -> dict[str, str]:
    """The form data that says ``card_id`` opened it, in ``conversation_id``."""
    return {ORIGIN: card_id, SEAL: _mac(key, conversation_id, card_id)}


def opened_by(key: bytes, conversation_id: str, data: dict[str, object]) -> str | None:
    """The card that opened the form, if the data says so with a matching seal."""
    card_id, seal = data.get(ORIGIN), data.get(SEAL)
    if not isinstance(card_id, str) or not isinstance(seal, str) or not card_id:
        return None
    expected = _mac(key, conversation_id, card_id)
    return (
        card_id if hmac.compare_digest(expected.encode(), seal.encode("utf-8", "replace")) else None
    )
