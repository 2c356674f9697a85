"""Checking a Bot Framework token before the request's body is read.

A token says who sent the request; the activity in the body says what it is about. So the
token is checked in two steps: here, from the ``Authorization`` header alone, its form, its
issuer, its signature and its validity period; then, once the body is read, the SDK checks
its claims against the activity (audience, the channel's endorsement, the ``serviceurl``
claim). A request that fails the first step never has its body read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt
from botframework.connector.auth import AuthenticationConstants, EmulatorValidation

from adapters.teams.keys import KeysUnavailable, SigningKeys

# Three base64url parts; a Bot Framework token is 1–2 KiB, so 16 KiB is plenty.
_JWT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", re.ASCII)
MAX_TOKEN = 16 * 1024
# The SDK verifies signatures with RS256 only, whatever else it lists.
ALGORITHM = "RS256"
# The SDK's clock tolerance.
LEEWAY = 5 * 60

# Tokens from Azure AD (the Emulator with credentials, skills) rather than the channel.
AAD_ISSUERS = frozenset(EmulatorValidation.TO_BOT_FROM_EMULATOR_TOKEN_VALIDATION_PARAMETERS.issuer)

__all__ = ["KeysUnavailable", "TokenCheck", "Unauthorized", "bearer_token"]


class Unauthorized(Exception):
    """The token is missing, malformed, not ours to trust, or its signature is wrong."""


def bearer_token(header: str | None) -> str | None:
    """The JWT in ``Authorization: Bearer <jwt>``, or ``None`` when the header is not that."""
    if not header or len(header) > MAX_TOKEN:
        return None
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or not _JWT.fullmatch(token):
        return None
    return token


@dataclass
class TokenCheck:
    """The keys a token may be signed with: the channel's for the channel's issuer, Azure
    AD's for the Emulator's and skills' issuers (as the SDK chooses them)."""

    channel_keys: SigningKeys
    aad_keys: SigningKeys
    channel_issuer: str = AuthenticationConstants.TO_BOT_FROM_CHANNEL_TOKEN_ISSUER

    def _keys_for(self, issuer: object) -> SigningKeys:
        if issuer == self.channel_issuer:
            return self.channel_keys
        if isinstance(issuer, str) and issuer in AAD_ISSUERS:
            return self.aad_keys
        # Unknown issuers are refused without a key fetch: forging one costs us nothing.
        raise Unauthorized("issuer not trusted")

    async def verify(self, token: str) -> None:
        """Raise :class:`Unauthorized` unless a trusted key signed ``token`` and it is
        within its validity period; :class:`KeysUnavailable` when the keys cannot be had."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"malformed token: {type(exc).__name__}") from None
        keys = self._keys_for(unverified.get("iss"))
        if header.get("alg") != ALGORITHM:
            raise Unauthorized("signing algorithm not allowed")
        kid = header.get("kid")
        key = await keys.key(kid if isinstance(kid, str) else None)
        if key is None:
            raise Unauthorized("signing key not published")
        try:
            jwt.decode(
                token,
                key.public_key,
                algorithms=[ALGORITHM],
                leeway=LEEWAY,
                options={"verify_aud": False},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"token refused: {type(exc).__name__}") from None

    async def close(self) -> None:
        await self.channel_keys.close()
        await self.aad_keys.close()
