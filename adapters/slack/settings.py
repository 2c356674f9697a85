"""The Slack adapter's settings: the ``SLACK_…`` variables and ``WAAROM_SLACK_RATE``.

Two install modes:

* one workspace: ``SLACK_BOT_TOKEN`` + ``SLACK_SIGNING_SECRET``;
* many workspaces: ``SLACK_CLIENT_ID`` + ``SLACK_CLIENT_SECRET`` (+ ``SLACK_SIGNING_SECRET``,
  ``SLACK_STATE_SECRET``, ``WAAROM_SECRET_KEY``): OAuth at ``/slack/install``, tokens in the
  database, encrypted.

Light on purpose (pydantic only): ``waarom --help`` reads no Slack SDK.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from bot.config import PlatformSettings


class SlackSettings(PlatformSettings):
    model_config = SettingsConfigDict(env_prefix="SLACK_")

    bot_token: SecretStr | None = None
    signing_secret: SecretStr | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    state_secret: SecretStr | None = None
    # Socket Mode (``waarom slack socket``): an xapp- token.
    app_token: SecretStr | None = None
    api_url: str = "https://slack.com/api/"
    # Scheduled messages per second per workspace (Slack allows about one per second per
    # channel and several hundred a minute per workspace for chat.postMessage).
    rate: float = Field(default=5.0, gt=0, le=1000, validation_alias="WAAROM_SLACK_RATE")

    @field_validator("api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def oauth(self) -> bool:
        """Many workspaces, installed through OAuth."""
        return bool(self.client_id and self.client_secret)

    def missing(self, *, socket: bool = False) -> str | None:
        """None when Slack can run with these settings, else why not (one line). Over Socket
        Mode no request is signed, so no signing secret is needed."""
        if not self.oauth and self.bot_token is None:
            return "neither SLACK_BOT_TOKEN nor SLACK_CLIENT_ID/SLACK_CLIENT_SECRET is set"
        if not socket and self.signing_secret is None:
            return "SLACK_SIGNING_SECRET is not set"
        return None
