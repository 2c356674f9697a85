"""Settings read from the environment (and a ``.env`` file).

One :class:`Settings` object is created by the composition root at start-up; nothing reads
the environment at import time.
"""

from __future__ import annotations

import zoneinfo
from typing import Annotated, Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    # The address ``serve`` listens on (``serve --host``); all interfaces by default.
    waarom_host: str = "0.0.0.0"
    # Answer the Bot Framework Emulator without authentication: only on purpose, only on
    # loopback, only for these serviceUrls (scheme://host:port, ``*`` for any port).
    waarom_teams_emulator: bool = False
    waarom_teams_emulator_urls: str = "http://localhost:*,http://127.0.0.1:*"

    waarom_webhook_secret: SecretStr | None = None
    # Slack workspaces and Teams tenants whose teams read the operator's own (default)
    # organisation, as "slack:T0123,teams:<tenant id>"; any other install is kept apart.
    waarom_default_workspaces: Annotated[frozenset[tuple[str, str]], NoDecode] = frozenset()
    # Scheduled Slack messages per second per workspace (Slack allows about one per second
    # per channel and several hundred a minute per workspace for chat.postMessage).
    waarom_slack_rate: float = Field(default=5.0, gt=0, le=1000)
    # Key for encrypting stored Slack tokens (Fernet, url-safe base64 of 32 bytes).
    waarom_secret_key: SecretStr | None = None
    # Days the raw text of feedback is kept after it was received; after that only the
    # redacted text and its words remain. At least one day: there is no "keep forever".
    waarom_retention_days: int = Field(default=90, ge=1, le=36500)
    # Where people reach this server (https://waarom.example.org): the board's sign-in links
    # point there. Without it the board is not mounted.
    waarom_public_url: str | None = None

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

    @field_validator("waarom_default_workspaces", mode="before")
    @classmethod
    def _workspaces(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        found = set()
        for entry in value.replace(",", " ").split():
            platform, _, workspace = entry.partition(":")
            if not platform or not workspace:
                raise ValueError(f"{entry!r} is not platform:id (slack:T0123, teams:<tenant>)")
            found.add((platform.lower(), workspace))
        return frozenset(found)

    @field_validator("waarom_secret_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value():
            try:
                Fernet(value.get_secret_value())
            except ValueError:
                raise ValueError(
                    "not a key: 32 url-safe base64-encoded bytes, as "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'` prints"
                ) from None
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
            problems.append(f"{variable}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid configuration: " + "; ".join(problems)) from exc
