"""The Teams adapter's settings: the ``MICROSOFT_APP_…`` variables of the Bot Framework and
Waarom's own ``WAAROM_TEAMS_EMULATOR…``.

Light on purpose (pydantic only): ``waarom --help`` reads no Bot Framework SDK.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from bot.config import PlatformSettings, SettingsError

AppType = Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"]


class TeamsSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="MICROSOFT_")

    app_id: str = ""
    app_password: SecretStr = SecretStr("")
    app_tenant_id: str = ""
    app_type: AppType = "MultiTenant"
    # Answer the Bot Framework Emulator without authentication: only on purpose, only on
    # loopback, only for these serviceUrls (scheme://host:port, ``*`` for any port).
    emulator: bool = Field(default=False, validation_alias="WAAROM_TEAMS_EMULATOR")
    emulator_urls: str = Field(
        default="http://localhost:*,http://127.0.0.1:*",
        validation_alias="WAAROM_TEAMS_EMULATOR_URLS",
    )

    @property
    def home_tenant(self) -> str | None:
        """A single-tenant app is the operator's own tenant's; a multi-tenant one serves
        tenants that read the default organisation only when the operator says so."""
        if self.app_type in ("SingleTenant", "UserAssignedMSI"):
            return self.app_tenant_id or None
        return None

    def missing(self) -> str | None:
        """None when ``/api/messages`` may be mounted: with credentials, or for the Emulator
        when it is turned on (``WAAROM_TEAMS_EMULATOR``)."""
        if self.app_id or self.emulator:
            return None
        return "MICROSOFT_APP_ID is not set"

    def check(self) -> None:
        """Refuse settings that only make sense together when one is missing."""
        if not self.app_id:
            return
        if not self.app_password.get_secret_value() and self.app_type != "UserAssignedMSI":
            raise SettingsError("MICROSOFT_APP_PASSWORD: required when MICROSOFT_APP_ID is set")
        if self.app_type in ("SingleTenant", "UserAssignedMSI") and not self.app_tenant_id:
            raise SettingsError(
                f"MICROSOFT_APP_TENANT_ID: required when MICROSOFT_APP_TYPE is {self.app_type}"
            )
