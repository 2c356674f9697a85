"""Emulator mode: answering the Bot Framework Emulator, which sends no token.

Without a token anyone who reaches the endpoint could make the server post to any address
(the activity's ``serviceUrl``, where replies go). So emulator mode is turned on only on
purpose (``WAAROM_TEAMS_EMULATOR``), only while ``serve`` listens on loopback, and answers
only activities whose ``serviceUrl`` is on an exact list (``WAAROM_TEAMS_EMULATOR_URLS``).

A ``serviceUrl`` is compared the way the Bot Connector client will read it: botbuilder's
connector (msrest) joins its path onto the URL and sends it with ``requests``, which parses
it with urllib3. URL parsers disagree on odd input (``http://evil:80\\@127.0.0.1:1/`` is
127.0.0.1 to ``urlsplit`` and ``evil`` to urllib3), so a URL must also have a plain shape
that every parser reads alike: scheme, host, optional port and path, nothing else.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urljoin

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from adapters.teams.settings import TeamsSettings
from bot.config import Settings, SettingsError

# No user info, query, fragment, backslash, space or percent-escape; hosts are names or
# bracketed IPv6 literals.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN = re.compile(
    rf"(?P<scheme>https?)://(?P<host>{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\])"
    r"(?::(?P<port>[0-9]{1,5}))?(?P<path>/[a-z0-9._~/-]*)?",
    re.ASCII | re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
ANY_PORT = None


@dataclass(frozen=True)
class Allowed:
    """One entry of the list: scheme, host and port (``None``: any port)."""

    scheme: str
    host: str
    port: int | None

    def admits(self, scheme: str, host: str, port: int) -> bool:
        return (self.scheme, self.host) == (scheme, host) and self.port in (None, port)


def where_replies_go(service_url: str) -> tuple[str, str, int] | None:
    """Scheme, host and port the connector would send to, or ``None`` for a URL without a
    plain shape."""
    if not _PLAIN.fullmatch(service_url):
        return None
    target = urljoin(service_url.rstrip("/") + "/", "v3/conversations")
    try:
        parsed = parse_url(target)
    except LocationParseError:
        return None
    if parsed.auth or not parsed.scheme or not parsed.host:
        return None
    scheme = parsed.scheme.lower()
    return scheme, parsed.host.lower(), parsed.port or _DEFAULT_PORTS[scheme]


def parse_allowed(raw: str) -> tuple[Allowed, ...]:
    """``WAAROM_TEAMS_EMULATOR_URLS``: comma-separated ``scheme://host[:port]``, ``*`` for any
    port."""
    allowed = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        wildcard = entry.endswith(":*")
        found = where_replies_go(entry[:-2] if wildcard else entry)
        if found is None or entry.rstrip("/").count("/") > 2:
            raise SettingsError(
                f"WAAROM_TEAMS_EMULATOR_URLS: {entry!r} is not scheme://host[:port|:*]"
            )
        scheme, host, port = found
        allowed.append(Allowed(scheme, host, ANY_PORT if wildcard else port))
    if not allowed:
        raise SettingsError("WAAROM_TEAMS_EMULATOR_URLS: empty; list the Emulator's URL")
    return tuple(allowed)


def is_loopback_host(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Emulator:
    allowed: tuple[Allowed, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Emulator:
        """Refused (:class:`SettingsError`) unless ``serve`` listens on loopback only."""
        if not is_loopback_host(settings.waarom_host):
            raise SettingsError(
                "WAAROM_TEAMS_EMULATOR: answers Bot Framework traffic without authentication, "
                f"so it needs serve to listen on loopback only (WAAROM_HOST or serve --host "
                f"127.0.0.1), not on {settings.waarom_host!r}"
            )
        return cls(parse_allowed(settings.part(TeamsSettings).emulator_urls))

    def admits(self, service_url: object) -> bool:
        found = where_replies_go(service_url) if isinstance(service_url, str) else None
        return found is not None and any(entry.admits(*found) for entry in self.allowed)
