import pytest

from bot.config import SettingsError, load_settings


def test_defaults_match_the_design() -> None:
    settings = load_settings(_env_file=None)
    assert settings.database_url == "sqlite:///waarom.db"
    assert settings.port == 3000
    assert settings.waarom_timezone == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "eighty"),
        ("WAAROM_LANGUAGE", "de"),
        ("WAAROM_TIMEZONE", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_POOL_SIZE", "0"),
        ("WAAROM_SECRET_KEY", "not-a-fernet-key"),
        ("WAAROM_DEFAULT_WORKSPACES", "T0123"),
    ],
)
def test_a_malformed_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None)


def test_the_cli_stops_with_the_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    monkeypatch.setenv("WAAROM_TIMEZONE", "Nowhere/Town")
    result = CliRunner().invoke(app, ["teams"])
    assert result.exit_code == 2
    assert "WAAROM_TIMEZONE" in result.output
