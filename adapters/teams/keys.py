"""The keys Bot Framework tokens are signed with, fetched without blocking and kept.

The SDK fetches a metadata URL's keys with blocking ``requests`` calls without a timeout, on
the event loop, and after a failed fetch tries again on the next request, so every forged
token would make the server hit the key endpoint (and wait for it). :class:`SigningKeys`
replaces that: keys are fetched with aiohttp under a timeout, one fetch at a time whoever is
waiting, kept for a day (then fetched again in the background while the old ones serve),
looked up again for an unknown key id at most every five minutes, and after a failure not
tried again for a minute (old keys, if any, stay in use meanwhile).

:func:`install` puts our caches where the SDK looks for its own (``JwtTokenExtractor``
keeps one per metadata URL), so its validation uses these keys and never fetches.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout
from botframework.connector.auth import JwtTokenExtractor
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

DAY = 24 * 3600.0
# More than any metadata or key document Microsoft publishes (a few KiB).
MAX_DOCUMENT = 512 * 1024


class KeysUnavailable(Exception):
    """No signing keys could be fetched: a token cannot be checked just now (503)."""


@dataclass(frozen=True)
class SigningKey:
    """What the SDK's validation reads of a key (its ``_OpenIdConfig``)."""

    public_key: Any
    endorsements: list[str]


def parse_keys(document: object) -> dict[str, SigningKey]:
    """A JWKS document's usable keys by id; a malformed key is skipped, not fatal."""
    raw = document.get("keys") if isinstance(document, dict) else None
    keys: dict[str, SigningKey] = {}
    for item in raw if isinstance(raw, list) else ():
        if not isinstance(item, dict) or not isinstance(item.get("kid"), str):
            continue
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(item))
        except Exception:  # not an RSA key, or a broken one
            continue
        endorsements = item.get("endorsements")
        keys[item["kid"]] = SigningKey(
            public_key, [e for e in endorsements or () if isinstance(e, str)]
        )
    return keys


async def fetch_keys(url: str, seconds: float) -> dict[str, SigningKey]:
    """The OpenID metadata at ``url``, then the key set it names, within ``seconds``."""
    async with ClientSession(timeout=ClientTimeout(total=seconds)) as http:
        metadata = await _get_json(http, url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
        if not isinstance(jwks_uri, str):
            raise ValueError("no jwks_uri in the OpenID metadata")
        keys = parse_keys(await _get_json(http, jwks_uri))
    if not keys:
        raise ValueError("no usable keys in the key set")
    return keys


async def _get_json(http: ClientSession, url: str) -> object:
    async with http.get(url) as response:
        response.raise_for_status()
        body = await response.content.read(MAX_DOCUMENT + 1)
    if len(body) > MAX_DOCUMENT:
        raise ValueError("document too large")
    return json.loads(body)


Fetch = Callable[[str, float], Any]


@dataclass
class SigningKeys:
    """The keys published at one OpenID metadata URL."""

    url: str
    timeout: float = 10.0
    max_age: float = DAY
    # A key id we do not know may be new (Microsoft rotates keys): look again, but at most
    # this often, so forged key ids cannot make us hammer the endpoint.
    recheck_unknown: float = 300.0
    retry_after_failure: float = 60.0
    clock: Callable[[], float] = time.monotonic
    fetch: Fetch = fetch_keys
    _keys: dict[str, SigningKey] = field(default_factory=dict, init=False)
    _fetched_at: float | None = field(default=None, init=False)
    _attempted_at: float | None = field(default=None, init=False)
    _failed: bool = field(default=False, init=False)
    _inflight: asyncio.Task[None] | None = field(default=None, init=False)

    def _waited(self, now: float, interval: float) -> bool:
        return self._attempted_at is None or now - self._attempted_at >= interval

    def _due(self, now: float) -> bool:
        if self._failed:
            return self._waited(now, self.retry_after_failure)
        return self._fetched_at is None or now - self._fetched_at >= self.max_age

    def prefetch(self) -> asyncio.Task[None]:
        """Start a fetch (or return the one under way) without waiting for it."""
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.ensure_future(self._fetch())
        return self._inflight

    async def refresh(self) -> None:
        """Fetch now, or join the fetch already under way."""
        # Shielded: one waiter giving up must not cancel the fetch the others wait for.
        await asyncio.shield(self.prefetch())

    async def _fetch(self) -> None:
        self._attempted_at = self.clock()
        try:
            keys = await self.fetch(self.url, self.timeout)
        except Exception as exc:  # unreachable, slow, refusing or talking nonsense
            self._failed = True
            log.warning(
                "signing keys from %s unavailable (%s); next try in %.0fs, %s",
                self.url,
                type(exc).__name__,
                self.retry_after_failure,
                "old keys still in use" if self._keys else "tokens cannot be checked meanwhile",
            )
            return
        self._keys, self._fetched_at, self._failed = keys, self.clock(), False
        log.info("signing keys from %s: %d keys", self.url, len(keys))

    async def key(self, key_id: str | None) -> SigningKey | None:
        """The key with this id; ``None`` if the publisher has no such key.

        Raises :class:`KeysUnavailable` when no keys have ever been fetched."""
        if self._due(self.clock()):
            if self._keys:
                self.prefetch()  # in the background: the keys we have serve meanwhile
            else:
                await self.refresh()
        found = self._keys.get(key_id or "")
        if found is None and self._keys and self._waited(self.clock(), self.recheck_unknown):
            await self.refresh()
            found = self._keys.get(key_id or "")
        if found is None and not self._keys:
            raise KeysUnavailable(self.url)
        return found

    async def get(self, key_id: str | None) -> SigningKey:
        """The SDK's interface (``_OpenIdMetadata.get``)."""
        found = await self.key(key_id)
        if found is None:
            raise PermissionError("the token's signing key is not published")
        return found

    async def close(self) -> None:
        if self._inflight is not None and not self._inflight.done():
            self._inflight.cancel()


def install(*keys: SigningKeys) -> None:
    """Make the SDK's token validation use these caches for their metadata URLs."""
    for item in keys:
        JwtTokenExtractor.metadataCache[item.url] = item
