"""Settings read from the environment (and a ``.env`` file).

One :class:`Settings` object is created by the composition root at start-up; nothing reads
the environment at import time. Each platform adapter declares its own settings as a
:class:`PlatformSettings` with its own variables and reads them with :meth:`Settings.part`,
from the same environment, ``.env`` file and overrides as these.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from cryptography.fernet import Fernet
from pydantic import Field, PrivateAttr, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Language = Literal["nl", "en"]
LANGUAGES: tuple[Language, ...] = ("nl", "en")


class SettingsError(Exception):
    """A configuration value is malformed; the message names the variable."""


class PlatformSettings(BaseSettings):
    """A platform adapter's own settings. A subclass names its variables with an
    ``env_prefix``, or a field's ``validation_alias`` for a variable outside it."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        populate_by_name=True,
    )

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable that sets ``field``."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, str):
            return alias.upper()
        return (str(cls.model_config.get("env_prefix", "")) + field).upper()


P = TypeVar("P", bound=PlatformSettings)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = "sqlite:///waarom.db"
    # PostgreSQL connections each process keeps open; work beyond them waits its turn.
    database_pool_size: int = Field(default=20, ge=1, le=500)
    port: int = Field(default=3000, ge=1, le=65535)
    waarom_language: Language = "nl"
    waarom_timezone: str = "Europe/Amsterdam"

    # The address ``serve`` listens on (``serve --host``); all interfaces by default.
    waarom_host: str = "0.0.0.0"

    waarom_webhook_secret: SecretStr | None = None
    # Workspaces (a platform's installs) whose teams read the operator's own (default)
    # organisation, as "<platform>:<workspace id>,…"; any other install is kept apart.
    waarom_default_workspaces: Annotated[frozenset[tuple[str, str]], NoDecode] = frozenset()
    # Key for encrypting stored secrets such as platform tokens (Fernet, url-safe base64 of
    # 32 bytes).
    waarom_secret_key: SecretStr | None = None
    # Days the raw text of feedback is kept after it was received; after that only the
    # redacted text and its words remain. At least one day: there is no "keep forever".
    waarom_retention_days: int = Field(default=90, ge=1, le=36500)
    # Where people reach this server (https://waarom.example.org): the board's sign-in links
    # point there. Without it the board is not mounted.
    waarom_public_url: str | None = None

    # What the settings were built with (overrides, ``_env_file``), for :meth:`part`.
    _given: dict[str, Any] = PrivateAttr(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._given = dict(values)

    def part(self, kind: type[P]) -> P:
        """A platform's settings, read like these: from the same environment and ``.env``
        file, with the overrides these were given by variable name (``<prefix>_<field>=…``)."""
        given = {name.lower(): value for name, value in self._given.items()}
        values = {
            field: given[kind.variable(field).lower()]
            for field in kind.model_fields
            if kind.variable(field).lower() in given
        }
        sources = {name: value for name, value in self._given.items() if name.startswith("_")}
        try:
            return kind(**sources, **values)
        except ValidationError as exc:
            raise SettingsError(_described(exc, kind.variable)) from exc

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
                raise ValueError(f"{entry!r} is not <platform>:<workspace id>")
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


def _described(exc: ValidationError, variable: Callable[[str], str] = str.upper) -> str:
    """Pydantic's report as one message per bad variable."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "?"
        try:
            name = variable(field)
        except KeyError:  # already a variable's name (a field's alias)
            name = field.upper()
        problems.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
    return "invalid configuration: " + "; ".join(problems)


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one message per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_described(exc)) from exc
