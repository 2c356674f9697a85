"""Multi-workspace installs: slack_sdk's SQLAlchemy stores on the project's database.

The tables (``slack_installations``, ``slack_bots``, ``slack_oauth_states``) are created by
the project's migration ``0002``, never by ``create_tables()``. Tokens are encrypted at rest
with the operator's ``WAAROM_SECRET_KEY`` by swapping the token columns' type for one that
encrypts on write and decrypts on read; the SDK's own query logic is used unchanged.

Saving an installation also connects the workspace to an organisation (its own one unless
the operator made it part of the default one, see :mod:`bot.storage.orgs`) and re-activates
it after a
reinstall.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store.models.installation import Installation as SlackInstallation
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.state_utils import OAuthStateUtils
from sqlalchemy import MetaData, Table, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from bot.bootstrap import Services
from bot.storage import directory, orgs

log = logging.getLogger(__name__)

PLATFORM = "slack"
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
STATE_EXPIRATION_SECONDS = 600


class EncryptedText(TypeDecorator[str]):
    """A text column whose values are Fernet-encrypted in the database."""

    impl = Text
    cache_ok = True

    def __init__(self, fernet: Fernet) -> None:
        super().__init__()
        self.fernet = fernet

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.fernet.encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        try:
            return self.fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            # A token written under another key is useless; treat it as absent rather
            # than handing Slack garbage.
            log.error("a stored Slack token cannot be decrypted; was WAAROM_SECRET_KEY changed?")
            return None


def _encrypted_copy(table: Table, metadata: MetaData, fernet: Fernet) -> Table:
    columns = []
    for column in table.columns:
        copy = column._copy()
        if column.name in TOKEN_COLUMNS:
            copy.type = EncryptedText(fernet)
        columns.append(copy)
    return Table(table.name, metadata, *columns)


class InstallationStore(AsyncSQLAlchemyInstallationStore):
    """slack_sdk's async SQLAlchemy store with encrypted tokens and organisation wiring."""

    def __init__(self, services: Services, client_id: str, fernet: Fernet) -> None:
        super().__init__(client_id=client_id, engine=services.engine, logger=log)
        self.services = services
        metadata = MetaData()
        self.installations = _encrypted_copy(self.installations, metadata, fernet)
        self.bots = _encrypted_copy(self.bots, metadata, fernet)
        self.metadata = metadata

    async def create_tables(self) -> None:
        raise RuntimeError("the Slack tables come from the migrations: run `waarom db upgrade`")

    async def async_save(self, installation: SlackInstallation) -> None:
        await super().async_save(installation)
        if installation.team_id is not None:
            await self._connect(installation)

    async def _connect(self, installation: SlackInstallation) -> None:
        settings = self.services.settings
        team_id = str(installation.team_id)
        name = installation.team_name or team_id
        async with self.services.sessions() as session, session.begin():
            slug = orgs.slug_for(settings, PLATFORM, team_id)
            org = await directory.organisation(session, slug, create=True)
            if org.name == org.slug and slug != directory.DEFAULT_ORG:
                org.name = name
            inst = await directory.installation(
                session, PLATFORM, team_id, org_id=org.id, name=name
            )
            inst.name = name
            inst.bot_user_id = installation.bot_user_id
            inst.installed_by = installation.user_id
            inst.active = True
            inst.disabled_at = None
        log.info("Slack workspace %s installed (organisation %s)", team_id, org.slug)


def state_store(services: Services) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_EXPIRATION_SECONDS, engine=services.engine, logger=log
    )


class SignedStateUtils(OAuthStateUtils):
    """The OAuth state cookie, signed with ``SLACK_STATE_SECRET``.

    The state itself is single-use and kept in the database; the signature additionally
    ties it to the browser that started the install, so a state lifted from a URL cannot
    be paired with a hand-made cookie.
    """

    def __init__(self, secret: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._secret = secret.encode()

    def _sign(self, state: str) -> str:
        return hmac.new(self._secret, state.encode(), hashlib.sha256).hexdigest()

    def build_set_cookie_for_new_state(self, state: str) -> str:
        return (
            f"{self.cookie_name}={state}.{self._sign(state)}; Secure; HttpOnly; Path=/; "
            f"Max-Age={self.expiration_seconds}"
        )

    def is_valid_browser(
        self, state: str | None, request_headers: Mapping[str, str | Sequence[str]]
    ) -> bool:
        if not state or not request_headers:
            return False
        raw = request_headers.get("cookie")
        cookies = [raw] if isinstance(raw, str) else list(raw or [])
        expected = f"{state}.{self._sign(state)}"
        for cookie in cookies:
            for pair in cookie.split(";"):
                name, _, value = pair.strip().partition("=")
                if name == self.cookie_name and hmac.compare_digest(value.strip("\"'"), expected):
                    return True
        return False
