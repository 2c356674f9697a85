"""Each platform reads its own settings, under the variable names the README documents, from
the environment, a ``.env`` file or the overrides the core's settings were given."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.settings import SlackSettings
from adapters.teams.settings import TeamsSettings
from bot.config import SettingsError, load_settings

ENVIRONMENT = {
    "SLACK_BOT_TOKEN": "xoxb-1",
    "SLACK_SIGNING_SECRET": "signing",
    "SLACK_CLIENT_ID": "111.222",
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "state",
    "SLACK_APP_TOKEN": "xapp-1",
    "SLACK_API_URL": "http://127.0.0.1:9/api",
    "WAAROM_SLACK_RATE": "2.5",
    "MICROSOFT_APP_ID": "app-id",
    "MICROSOFT_APP_PASSWORD": "app-password",
    "MICROSOFT_APP_TENANT_ID": "tenant",
    "MICROSOFT_APP_TYPE": "SingleTenant",
    "WAAROM_TEAMS_EMULATOR": "true",
    "WAAROM_TEAMS_EMULATOR_URLS": "http://127.0.0.1:4000",
}


def check(slack: SlackSettings, teams: TeamsSettings) -> None:
    assert slack.bot_token is not None
    assert slack.bot_token.get_secret_value() == "xoxb-1"
    assert slack.signing_secret is not None
    assert slack.signing_secret.get_secret_value() == "signing"
    assert slack.client_id == "111.222"
    assert slack.client_secret is not None
    assert slack.state_secret is not None
    assert slack.app_token is not None
    assert slack.api_url == "http://127.0.0.1:9/api/"
    assert slack.rate == 2.5
    assert teams.app_id == "app-id"
    assert teams.app_password.get_secret_value() == "app-password"
    assert teams.app_tenant_id == "tenant"
    assert teams.app_type == "SingleTenant"
    assert teams.emulator is True
    assert teams.emulator_urls == "http://127.0.0.1:4000"


def test_the_documented_variables_set_each_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in ENVIRONMENT.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(_env_file=None)
    check(settings.part(SlackSettings), settings.part(TeamsSettings))


def test_a_dotenv_file_sets_them_too(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in ENVIRONMENT.items()))
    settings = load_settings(_env_file=env_file)
    check(settings.part(SlackSettings), settings.part(TeamsSettings))


def test_overrides_of_the_core_settings_reach_the_platforms() -> None:
    overrides = {name.lower(): value for name, value in ENVIRONMENT.items()}
    settings = load_settings(_env_file=None, **overrides)
    check(settings.part(SlackSettings), settings.part(TeamsSettings))


def test_without_them_no_platform_is_configured() -> None:
    settings = load_settings(_env_file=None)
    assert settings.part(SlackSettings).missing() is not None
    assert settings.part(TeamsSettings).missing() is not None


@pytest.mark.parametrize(
    ("variable", "value"),
    [("WAAROM_SLACK_RATE", "fast"), ("MICROSOFT_APP_TYPE", "Everyone")],
)
def test_a_malformed_platform_value_stops_the_cli_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None).part(
            SlackSettings if variable.startswith("WAAROM_SLACK") else TeamsSettings
        )
    result = CliRunner().invoke(app, ["teams"])
    assert result.exit_code == 2
    assert variable in result.output
