"""Settings read from the environment (and a ``.env`` file).

One :class:`Settings` object is created by the composition root at start-up; nothing reads
the environment at import time.
"""

from __future__ import annotations

import zoneinfo
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")


class SettingsError(Exception):
    """A configuration value is malformed; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = "sqlite:///waarom.db"
    port: int = Field(default=3000, ge=1, le=65535)
    waarom_language: Language = "nl"
    waarom_timezone: str = "Europe/Amsterdam"

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_state_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"

    microsoft_app_id: str = ""
    microsoft_app_password: SecretStr = SecretStr("")
    microsoft_app_tenant_id: str = ""
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = "MultiTenant"

    waarom_webhook_secret: SecretStr | None = None
    waarom_multi_org: bool = False
    # Scheduled Slack messages per second per workspace (Slack allows about one per second
    # per channel and several hundred a minute per workspace for chat.postMessage).
    waarom_slack_rate: float = Field(default=5.0, gt=0, le=1000)
    # Key for encrypting stored Slack tokens (Fernet, url-safe base64 of 32 bytes).
    waarom_secret_key: SecretStr | None = None
    # Days the raw text of feedback is kept after it was received; after that only the
    # redacted text and its words remain. At least one day: there is no "keep forever".
    waarom_retention_days: int = Field(default=90, ge=1, le=36500)

    @field_validator("waarom_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _supported_database(cls, value: str) -> str:
        scheme = value.split(":", 1)[0].split("+", 1)[0]
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError(f"use a sqlite:/// or postgresql:// URL, not {scheme!r}")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one message per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            variable = str(error["loc"][0]).upper() if error["loc"] else "?"
            problems.append(f"{variable}: {error['msg']}")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from exc
